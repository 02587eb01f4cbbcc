/**
 * Tiled upscaling: the image is cut into fixed-size LR tiles, each widened by an overlap margin of
 * real neighbouring pixels; a tile's output contributes only its core, so a pixel's result never
 * depends on a tile border it is near (seams vanish once the overlap covers the model's receptive
 * field) and memory is bounded by the tile size, not the image. Tiles keep one input shape where
 * the image allows (border tiles shift inward instead of shrinking), so a backend that compiles per
 * shape (WebGPU) compiles once.
 */
import { LabError } from '../errors';
import type { RawImage, TensorF32 } from '../types';
import { planarToRgba, regionToPlanar, type Rect } from './planar';

export interface Tile {
  /** The LR rectangle fed to the model (core plus context). */
  input: Rect;
  /** The LR rectangle whose result this tile supplies, inside `input`. */
  core: Rect;
}

export interface TileOptions {
  /** LR core size in pixels; 0 runs the whole image at once. */
  tile: number;
  /** LR context pixels around each core (where the image has them). */
  overlap: number;
}

export const DEFAULT_TILE = 192;
export const DEFAULT_OVERLAP = 12;

interface Span {
  start: number;
  size: number;
  coreStart: number;
  coreSize: number;
}

function axisSpans(n: number, tile: number, overlap: number): Span[] {
  const region = tile + 2 * overlap;
  if (tile <= 0 || n <= region) return [{ start: 0, size: n, coreStart: 0, coreSize: n }];
  const spans: Span[] = [];
  for (let c = 0; c < n; c += tile) {
    const coreSize = Math.min(tile, n - c);
    const start = Math.min(Math.max(c - overlap, 0), n - region);
    spans.push({ start, size: region, coreStart: c, coreSize });
  }
  return spans;
}

/** The tiles covering a width × height image, row by row; their cores partition the image. */
export function planTiles(width: number, height: number, options: TileOptions): Tile[] {
  const { tile, overlap } = options;
  if (!Number.isInteger(tile) || tile < 0) throw new LabError('bad-request', `The tile size must be a whole number ≥ 0 (got ${tile}).`);
  if (!Number.isInteger(overlap) || overlap < 0) throw new LabError('bad-request', `The overlap must be a whole number ≥ 0 (got ${overlap}).`);
  const xs = axisSpans(width, tile, overlap);
  const ys = axisSpans(height, tile, overlap);
  const tiles: Tile[] = [];
  for (const y of ys) {
    for (const x of xs) {
      tiles.push({
        input: { x: x.start, y: y.start, width: x.size, height: y.size },
        core: { x: x.coreStart, y: y.coreStart, width: x.coreSize, height: y.coreSize },
      });
    }
  }
  return tiles;
}

const yieldToLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** One model call on a [1,3,h,w] tensor, giving [1,3,s·h,s·w]. */
export type TileRunner = (input: TensorF32, signal?: AbortSignal) => Promise<TensorF32>;

export interface TiledOptions extends TileOptions {
  scale: number;
  signal?: AbortSignal;
  /** After each tile: tiles done, tiles in all. */
  onTile?: (done: number, total: number) => void;
}

/** Upscales `img` tile by tile; returns RGBA bytes of size s·W × s·H. */
export async function upscaleTiled(img: RawImage, run: TileRunner, options: TiledOptions): Promise<RawImage> {
  const { scale: s, signal } = options;
  const tiles = planTiles(img.width, img.height, options);
  const W = img.width * s;
  const out = new Uint8ClampedArray(W * img.height * s * 4);
  let buffer: Float32Array | undefined;
  for (let i = 0; i < tiles.length; i++) {
    // A run may finish without giving the event loop a turn: yield so that a cancel can arrive.
    if (i > 0) await yieldToLoop();
    if (signal?.aborted) throw new LabError('cancelled', 'Cancelled');
    const { input, core } = tiles[i];
    buffer = regionToPlanar(img, input, buffer);
    const result = await run({ dims: [1, 3, input.height, input.width], data: buffer }, signal);
    const [n, c, h, w] = result.dims;
    if (n !== 1 || c !== 3 || h !== input.height * s || w !== input.width * s) {
      throw new LabError(
        'bad-model',
        `The upscaler turned a [1,3,${input.height},${input.width}] input into [${result.dims.join(',')}]; expected [1,3,${input.height * s},${input.width * s}].`,
      );
    }
    const kept = { x: (core.x - input.x) * s, y: (core.y - input.y) * s, width: core.width * s, height: core.height * s };
    planarToRgba(result.data, w, h, kept, out, W, core.x * s, core.y * s);
    options.onTile?.(i + 1, tiles.length);
  }
  return { width: W, height: img.height * s, channels: 4, data: out };
}
