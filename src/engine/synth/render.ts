/**
 * The scene renderer: background, then the Fashion-MNIST item scaled bilinearly to its box and
 * composited as   pixel = bg·(1−a) + rgb·texture·shade·a,
 * where the item's grey level g gives both the alpha a (a soft threshold) and the shade (darker
 * grey, darker colour, so the garment's folds stay visible), then the post ops (occlusion, noise).
 * Alpha is quantised to 1/255 before compositing, so a pixel with zero alpha is exactly the
 * background and the reported bbox is exactly the support of the item.
 */
import { backgroundAttributes, paintBackground } from './backgrounds';
import { itemBank, type SynthBanks } from './banks';
import { Rng } from './rng';
import { itemSize, type PostOp, type SceneAttributes, type SceneSpec } from './spec';
import { textureSampler } from './textures';
import { CANVAS, CLASSES, DIRECTIONS, PALETTE } from './vocabulary';

const N = CANVAS;
/** Grey levels at which alpha starts rising and reaches 1. */
export const ALPHA_LO = 8;
export const ALPHA_HI = 48;
/** Shade = SHADE_MIN + (1 − SHADE_MIN)·g/255. */
export const SHADE_MIN = 0.45;

export interface RenderResult {
  /** 64×64×3 uint8, HWC. */
  pixels: Uint8Array;
  /** 64×64 item alpha, 0-255 (before post ops). */
  mask: Uint8Array;
  attributes: SceneAttributes;
}

export interface RenderOptions {
  /** false: draw the background (and post ops) only, the same scene with the item removed. */
  item?: boolean;
}

function checkSpec(spec: SceneSpec, banks: SynthBanks): void {
  const bank = itemBank(banks, spec.split);
  if (!Number.isInteger(spec.itemIndex) || spec.itemIndex < 0 || spec.itemIndex >= bank.count) {
    throw new Error(`No ${spec.split} item ${spec.itemIndex} (bank has ${bank.count}).`);
  }
  const label = CLASSES[bank.labels[spec.itemIndex]];
  if (label !== spec.class) throw new Error(`${spec.split} item ${spec.itemIndex} is a ${label}, not a ${spec.class}.`);
  if (!PALETTE[spec.color]) throw new Error(`Unknown colour "${String(spec.color)}".`);
  if ('direction' in spec.texture && !DIRECTIONS[spec.texture.direction]) throw new Error('Texture direction must be 0-7.');
  if (!(spec.scale > 0 && spec.scale <= 1)) throw new Error(`Scale ${spec.scale} is outside (0, 1].`);
}

/** Item alpha (0-255) and shade per canvas pixel; zero outside the item box. */
function itemLayer(spec: SceneSpec, banks: SynthBanks): { alpha: Uint8Array; shade: Float32Array } {
  const bank = itemBank(banks, spec.split);
  const R = bank.rows;
  const C = bank.cols;
  // the item with a one-pixel border of zeros, so bilinear taps never leave the array
  const P = C + 2;
  const img = new Float64Array((R + 2) * P);
  const src = spec.itemIndex * R * C;
  for (let y = 0; y < R; y++) for (let x = 0; x < C; x++) img[(y + 1) * P + x + 1] = bank.images[src + y * C + x];
  const S = itemSize(spec.scale);
  const [x0, y0] = spec.position;
  const alpha = new Uint8Array(N * N);
  const shade = new Float32Array(N * N);
  const sy = R / S;
  const sx = C / S;
  for (let py = 0; py < S; py++) {
    const Y = y0 + py;
    if (Y < 0 || Y >= N) continue;
    const v = (py + 0.5) * sy - 0.5;
    const iy = Math.floor(v);
    const wy = v - iy;
    const row0 = (iy + 1) * P + 1;
    const row1 = row0 + P;
    for (let px = 0; px < S; px++) {
      const X = x0 + px;
      if (X < 0 || X >= N) continue;
      const u = (px + 0.5) * sx - 0.5;
      const ix = Math.floor(u);
      const wx = u - ix;
      const g =
        (img[row0 + ix] * (1 - wx) + img[row0 + ix + 1] * wx) * (1 - wy) +
        (img[row1 + ix] * (1 - wx) + img[row1 + ix + 1] * wx) * wy;
      if (g <= ALPHA_LO) continue;
      const a = g >= ALPHA_HI ? 1 : (g - ALPHA_LO) / (ALPHA_HI - ALPHA_LO);
      alpha[Y * N + X] = Math.round(a * 255);
      shade[Y * N + X] = SHADE_MIN + ((1 - SHADE_MIN) * g) / 255;
    }
  }
  return { alpha, shade };
}

function applyPost(op: PostOp, buf: Float32Array): void {
  if (op.op === 'occlude') {
    const [bx0, by0, bx1, by1] = op.box;
    for (let y = Math.max(0, by0); y < Math.min(N, by1); y++)
      for (let x = Math.max(0, bx0); x < Math.min(N, bx1); x++) {
        const o = (y * N + x) * 3;
        buf[o] = buf[o + 1] = buf[o + 2] = op.gray;
      }
  } else {
    const rng = new Rng(op.seed);
    for (let i = 0; i < buf.length; i++) buf[i] += op.sigma * rng.normal();
  }
}

export function render(spec: SceneSpec, banks: SynthBanks, options: RenderOptions = {}): RenderResult {
  checkSpec(spec, banks);
  const buf = new Float32Array(N * N * 3);
  paintBackground(spec.background, banks.backgrounds, buf);
  const { alpha, shade } = itemLayer(spec, banks);
  const drawItem = options.item !== false;
  const tex = textureSampler(spec.texture);
  const [r, g, b] = PALETTE[spec.color].rgb;
  const [px0, py0] = spec.position;
  let bx0 = N;
  let by0 = N;
  let bx1 = -1;
  let by1 = -1;
  let sum = 0;
  // only the item box can hold alpha
  const S = itemSize(spec.scale);
  for (let y = Math.max(0, py0); y < Math.min(N, py0 + S); y++)
    for (let x = Math.max(0, px0); x < Math.min(N, px0 + S); x++) {
      const i = y * N + x;
      const a8 = alpha[i];
      if (a8 === 0) continue;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      if (y > by1) by1 = y;
      sum += a8;
      if (!drawItem) continue;
      const a = a8 / 255;
      const k = tex(x - px0, y - py0) * shade[i] * a;
      const o = i * 3;
      buf[o] = buf[o] * (1 - a) + r * k;
      buf[o + 1] = buf[o + 1] * (1 - a) + g * k;
      buf[o + 2] = buf[o + 2] * (1 - a) + b * k;
    }
  for (const op of spec.post) applyPost(op, buf);
  // ToUint8Clamp: clamp to 0-255, round half to even (specified by ECMAScript, same everywhere)
  const clamped = new Uint8ClampedArray(N * N * 3);
  clamped.set(buf);
  const pixels = new Uint8Array(clamped.buffer);
  const classIndex = CLASSES.indexOf(spec.class);
  const attributes: SceneAttributes = {
    class: spec.class,
    classIndex,
    split: spec.split,
    itemIndex: spec.itemIndex,
    color: spec.color,
    rgb: [r, g, b],
    texture: spec.texture.name,
    scale: spec.scale,
    position: [spec.position[0], spec.position[1]],
    bbox: bx1 < 0 ? null : [bx0, by0, bx1 + 1, by1 + 1],
    coverage: sum / 255 / (N * N),
    background: backgroundAttributes(spec.background, banks.backgrounds),
    spec: JSON.parse(JSON.stringify(spec)) as SceneSpec,
  };
  return { pixels, mask: alpha, attributes };
}
