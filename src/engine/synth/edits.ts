/**
 * Edits (the offline edit_images): pure functions from spec to spec, each changing one
 * attribute, so an edited scene re-renders and its attributes stay true. Occlusion and noise
 * are post-render ops appended to `spec.post`.
 */
import { cloneSpec, itemSize, type BackgroundSpec, type SceneSpec, type TextureSpec } from './spec';
import { defaultTexture } from './textures';
import { CANVAS, isColorName, isTextureName, type ColorName, type TextureName } from './vocabulary';

export function recolor(spec: SceneSpec, color: ColorName): SceneSpec {
  if (!isColorName(color)) throw new Error(`Unknown colour "${String(color)}".`);
  return { ...cloneSpec(spec), color };
}

/** New texture; a bare name keeps the current period/direction when they apply, else defaults. */
export function retexture(spec: SceneSpec, texture: TextureName | TextureSpec): SceneSpec {
  const out = cloneSpec(spec);
  if (typeof texture !== 'string') return { ...out, texture: { ...texture } };
  if (!isTextureName(texture)) throw new Error(`Unknown texture "${String(texture)}".`);
  const base = defaultTexture(texture);
  const old = spec.texture;
  if (base.name !== 'plain' && old.name !== 'plain') {
    const period = old.period;
    const direction = old.direction;
    if (base.name === 'dots') return { ...out, texture: { ...base, period, direction, radius: Math.round(period * 3) / 10 } };
    return { ...out, texture: { ...base, period, direction } as TextureSpec };
  }
  return { ...out, texture: base };
}

/** Moves the item box by (dx, dy) pixels, clamped so the box stays on the canvas. */
export function move(spec: SceneSpec, dx: number, dy: number): SceneSpec {
  const room = CANVAS - itemSize(spec.scale);
  const clamp = (v: number): number => Math.max(0, Math.min(room, Math.round(v)));
  return { ...cloneSpec(spec), position: [clamp(spec.position[0] + dx), clamp(spec.position[1] + dy)] };
}

/** Resizes the item about its box centre (clamped to the canvas). */
export function rescale(spec: SceneSpec, scale: number): SceneSpec {
  if (!(scale > 0 && scale <= 1)) throw new Error(`Scale ${scale} is outside (0, 1].`);
  const c = (v: number): number => v + itemSize(spec.scale) / 2;
  const S = itemSize(scale);
  const room = CANVAS - S;
  const clamp = (v: number): number => Math.max(0, Math.min(room, Math.round(v)));
  return { ...cloneSpec(spec), scale, position: [clamp(c(spec.position[0]) - S / 2), clamp(c(spec.position[1]) - S / 2)] };
}

export function swapBackground(spec: SceneSpec, background: BackgroundSpec): SceneSpec {
  return { ...cloneSpec(spec), background: JSON.parse(JSON.stringify(background)) as BackgroundSpec };
}

/** Grey patch over the half-open box [x0, y0, x1, y1) (default mid-grey 128). */
export function occlude(spec: SceneSpec, box: [number, number, number, number], gray = 128): SceneSpec {
  const [x0, y0, x1, y1] = box.map((v) => Math.round(v));
  if (!(x1 > x0 && y1 > y0)) throw new Error('An occlusion box needs x1 > x0 and y1 > y0.');
  const out = cloneSpec(spec);
  out.post.push({ op: 'occlude', box: [x0, y0, x1, y1], gray: Math.max(0, Math.min(255, Math.round(gray))) });
  return out;
}

/** Additive noise of standard deviation `sigma` (0-255 scale), reproducible from `seed`. */
export function addNoise(spec: SceneSpec, sigma: number, seed: number): SceneSpec {
  if (!(sigma >= 0)) throw new Error('Noise sigma must be ≥ 0.');
  const out = cloneSpec(spec);
  out.post.push({ op: 'noise', sigma, seed: seed >>> 0 });
  return out;
}

/** Removes all post ops (occlusions and noise). */
export function clearPost(spec: SceneSpec): SceneSpec {
  return { ...cloneSpec(spec), post: [] };
}
