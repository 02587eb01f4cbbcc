/**
 * Random scene specs. `completeSpec` fills whatever a partial spec leaves open from a seeded
 * stream, and always draws every random value (in a fixed order, from fixed sub-streams), so two
 * partial specs that differ in one field give scenes that differ only in that field: "red
 * sneaker" and "blue sneaker" at the same seed show the same sneaker at the same place (only
 * procedural background colours may differ: they are drawn to keep away from the item's colour).
 */
import { itemBank, type SynthBanks } from './banks';
import { drawBackgroundKind, type BackgroundPolicy } from './policy';
import { Rng } from './rng';
import { itemSize, type BackgroundSpec, type ItemSplit, type PartialSceneSpec, type SceneSpec, type TextureSpec } from './spec';
import { defaultTexture } from './textures';
import {
  CANVAS,
  CLASSES,
  COLORS,
  DIRECTIONS,
  PALETTE,
  TEXTURES,
  isPhotoKind,
  type BackgroundKind,
  type ClassName,
  type Rgb,
  type TextureName,
} from './vocabulary';

export const SCALE_RANGE: [number, number] = [0.5, 0.9];

export interface SampleOptions {
  class?: ClassName;
  /** Item bank to draw from (default 'test'). */
  split?: ItemSplit;
  /** Background policy (default independent of class). */
  background?: BackgroundPolicy;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const round1 = (x: number): number => Math.round(x * 10) / 10;

function distance(a: Rgb, b: Rgb): number {
  const d0 = a[0] - b[0];
  const d1 = a[1] - b[1];
  const d2 = a[2] - b[2];
  return Math.sqrt(d0 * d0 + d1 * d1 + d2 * d2);
}

/** A random colour at least `min` away (RGB distance) from every colour in `avoid`. */
function contrastingColor(rng: Rng, avoid: Rgb[], min: number): Rgb {
  let best: Rgb = [0, 0, 0];
  let bestD = -1;
  for (let k = 0; k < 24; k++) {
    const c: Rgb = [rng.int(256), rng.int(256), rng.int(256)];
    const d = Math.min(...avoid.map((a) => distance(a, c)), Infinity);
    if (d >= min) return c;
    if (d > bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

export function randomTexture(name: TextureName, rng: Rng): TextureSpec {
  switch (name) {
    case 'plain':
      return defaultTexture('plain');
    case 'stripes':
      return { name: 'stripes', period: rng.intIn(4, 9), direction: rng.int(DIRECTIONS.length) };
    case 'checks':
      return { name: 'checks', period: rng.intIn(4, 9), direction: rng.int(DIRECTIONS.length) };
    case 'dots': {
      const period = rng.intIn(5, 9);
      return { name: 'dots', period, radius: round1(period * rng.range(0.25, 0.35)), direction: rng.int(DIRECTIONS.length) };
    }
  }
}

/**
 * A background of a kind. `itemRgb` keeps procedural colours away from the item's colour so the
 * item stays visible (photos are used as they are).
 */
export function backgroundOfKind(kind: BackgroundKind, rng: Rng, banks: SynthBanks, itemRgb?: Rgb): BackgroundSpec {
  const avoid = itemRgb ? [itemRgb] : [];
  if (isPhotoKind(kind)) {
    const crops = banks.backgrounds.byKind[kind];
    const slack = banks.backgrounds.size - CANVAS;
    return { kind: 'photo', crop: rng.pick(crops), offset: [rng.intIn(0, slack), rng.intIn(0, slack)], flip: rng.bool() };
  }
  const c0 = contrastingColor(rng, avoid, 110);
  const c1 = contrastingColor(rng, [...avoid, c0], 80);
  switch (kind) {
    case 'solid':
      return { kind: 'solid', color: c0 };
    case 'gradient':
      return { kind: 'gradient', from: c0, to: c1, direction: rng.int(DIRECTIONS.length) };
    case 'stripes':
      return { kind: 'stripes', colors: [c0, c1], period: rng.intIn(6, 14), direction: rng.int(DIRECTIONS.length) };
    case 'dots': {
      const period = rng.intIn(8, 14);
      return { kind: 'dots', colors: [c0, c1], period, radius: round1(period * rng.range(0.2, 0.35)) };
    }
    case 'noise':
      return { kind: 'noise', colors: [c0, c1], cell: rng.intIn(6, 16), seed: rng.nextU32() };
  }
}

/** Fills the open fields of `partial` from `rng`. */
export function completeSpec(
  partial: PartialSceneSpec,
  rng: Rng,
  banks: SynthBanks,
  policy: BackgroundPolicy = { mode: 'independent' },
): SceneSpec {
  // fixed sub-streams: what one field draws never shifts another
  const itemRng = new Rng(rng.nextU32());
  const lookRng = new Rng(rng.nextU32());
  const placeRng = new Rng(rng.nextU32());
  const kindRng = new Rng(rng.nextU32());
  const bgRng = new Rng(rng.nextU32());

  const split = partial.split ?? 'test';
  const bank = itemBank(banks, split);
  const u = itemRng.next();
  let itemIndex: number;
  if (partial.itemIndex !== undefined) itemIndex = partial.itemIndex;
  else if (partial.class !== undefined) {
    const pool = bank.byClass[CLASSES.indexOf(partial.class)];
    if (!pool || pool.length === 0) throw new Error(`The ${split} bank has no ${partial.class}.`);
    itemIndex = pool[Math.floor(u * pool.length)];
  } else itemIndex = Math.floor(u * bank.count);
  if (!Number.isInteger(itemIndex) || itemIndex < 0 || itemIndex >= bank.count) throw new Error(`No ${split} item ${itemIndex}.`);
  const cls = CLASSES[bank.labels[itemIndex]];
  if (partial.class !== undefined && partial.class !== cls) throw new Error(`${split} item ${itemIndex} is a ${cls}, not a ${partial.class}.`);

  const color = COLORS[lookRng.int(COLORS.length)];
  const textureName = TEXTURES[lookRng.int(TEXTURES.length)];
  const textureSeed = lookRng.nextU32();
  const given = partial.texture;
  const texture: TextureSpec =
    given === undefined
      ? randomTexture(textureName, new Rng(textureSeed))
      : typeof given === 'string'
        ? randomTexture(given, new Rng(textureSeed))
        : given;

  const drawnScale = round2(placeRng.range(SCALE_RANGE[0], SCALE_RANGE[1]));
  const fx = placeRng.next();
  const fy = placeRng.next();
  const scale = partial.scale ?? drawnScale;
  const room = CANVAS - itemSize(scale);
  const position: [number, number] = partial.position ?? [Math.floor(fx * (room + 1)), Math.floor(fy * (room + 1))];

  const finalColor = partial.color ?? color;
  const drawnKind = drawBackgroundKind(policy, cls, kindRng);
  const bg = partial.background;
  const background: BackgroundSpec =
    bg !== undefined && typeof bg === 'object'
      ? bg
      : backgroundOfKind(bg ?? drawnKind, bgRng, banks, PALETTE[finalColor].rgb);

  return {
    class: cls,
    split,
    itemIndex,
    color: finalColor,
    texture,
    scale,
    position,
    background,
    post: partial.post ? partial.post.map((p) => ({ ...p })) : [],
  };
}

/** A random scene spec. */
export function sampleSpec(rng: Rng, banks: SynthBanks, options: SampleOptions = {}): SceneSpec {
  return completeSpec({ class: options.class, split: options.split }, rng, banks, options.background);
}
