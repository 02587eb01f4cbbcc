/**
 * Token layers: a rank-3 activation [N, T, C] of a vision transformer is a layer whose units are
 * its C channels; its T tokens are `prefix` leading ones (ViT's class token) followed by the
 * patches in row-major order, a grid of the image's aspect. The patches are the unit's spatial
 * map, as MAIA spatialises DINO's tokens; the class token is kept apart (out of the map, the
 * statistics and the spatial targets).
 */
import type { TokenLayout } from '../types';

export type { TokenLayout } from '../types';

/** Class and distillation tokens: at most this many lead the patches. */
const MAX_PREFIX = 2;

/**
 * The layout of a [N, T, C] tensor of a model fed [H, W] images: the fewest leading tokens
 * after which the rest tile the image with square patches (T = prefix + (H/s)·(W/s)); null when
 * no such tiling exists (not a token layer).
 */
export function tokenLayout(dims: readonly number[], image: readonly [number, number]): TokenLayout | null {
  if (dims.length !== 3) return null;
  const [H, W] = image;
  const T = dims[1];
  for (let prefix = 0; prefix <= MAX_PREFIX; prefix++) {
    const patches = T - prefix;
    if (patches < 1 || (H * W) % patches !== 0) continue;
    const s = Math.round(Math.sqrt((H * W) / patches));
    if (s * s * patches === H * W && H % s === 0 && W % s === 0) return { prefix, grid: [H / s, W / s] };
  }
  return null;
}

/** Whether a layer's units have a spatial map: NCHW maps, and token layers' patch grids. */
export function hasMap(layer: { shape: readonly number[]; tokens?: TokenLayout }): boolean {
  return layer.shape.length === 4 || !!layer.tokens;
}
