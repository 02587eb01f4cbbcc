/**
 * What an upscale is measured against. A researcher gives either a low-resolution input (with an
 * optional high-resolution ground truth of s× its size) or only a high-resolution image, which is
 * then cropped to a multiple of s and downscaled s× (Pillow bicubic, antialiased — how the FREDSR
 * test pairs are made) to become the input, itself the ground truth. PSNR/SSIM on Y, border = s.
 */
import { LabError } from '../errors';
import type { RawImage } from '../types';
import { resizeBicubic } from './bicubic';
import { psnrY, ssimY } from './metrics';
import type { Rect } from './planar';

export type UpscaleSource =
  /** A low-resolution input, with its ground truth when known. */
  | { kind: 'lr'; image: RawImage; truth?: RawImage | null }
  /** A ground truth only: the input is its s× downscale. */
  | { kind: 'hr'; image: RawImage };

export interface PreparedInput {
  lr: RawImage;
  truth: RawImage | null;
}

export interface UpscaleMetrics {
  psnr: number;
  ssim: number;
  psnrBicubic: number;
  ssimBicubic: number;
  /** Pixels cropped on every side before measuring (the scale). */
  border: number;
}

/** A rectangle of `img` (a copy; `img` itself when the rectangle is the whole image). */
export function cropImage(img: RawImage, r: Rect): RawImage {
  if (r.x === 0 && r.y === 0 && r.width === img.width && r.height === img.height) return img;
  if (r.x < 0 || r.y < 0 || r.x + r.width > img.width || r.y + r.height > img.height) {
    throw new LabError('bad-request', `The crop ${r.width}×${r.height}+${r.x}+${r.y} is outside the ${img.width}×${img.height} image.`);
  }
  const c = img.channels;
  const data = new Uint8Array(r.width * r.height * c);
  for (let y = 0; y < r.height; y++) {
    const s = ((r.y + y) * img.width + r.x) * c;
    data.set(img.data.subarray(s, s + r.width * c), y * r.width * c);
  }
  return { width: r.width, height: r.height, channels: c, data };
}

export function prepareInput(source: UpscaleSource, scale: number): PreparedInput {
  const { image } = source;
  if (source.kind === 'hr') {
    const w = Math.floor(image.width / scale);
    const h = Math.floor(image.height / scale);
    if (w < 1 || h < 1) throw new LabError('bad-image', `A ${image.width}×${image.height} ground truth is too small to downscale ${scale}×.`);
    const truth = cropImage(image, { x: 0, y: 0, width: w * scale, height: h * scale });
    return { lr: resizeBicubic(truth, w, h), truth };
  }
  const truth = source.truth ?? null;
  if (!truth) return { lr: image, truth: null };
  const W = image.width * scale;
  const H = image.height * scale;
  // A ground truth up to s−1 pixels larger is the usual "crop to a multiple of s" leftover.
  if (truth.width < W || truth.height < H || truth.width >= W + scale || truth.height >= H + scale) {
    throw new LabError(
      'bad-image',
      `The ground truth is ${truth.width}×${truth.height}; for a ${image.width}×${image.height} input it must be ${scale}× as large (${W}×${H}).`,
    );
  }
  return { lr: image, truth: cropImage(truth, { x: 0, y: 0, width: W, height: H }) };
}

/** SSIM needs an 11×11 window inside the border: smaller images get NaN rather than an error. */
function ssimOrNaN(a: RawImage, b: RawImage, border: number): number {
  return Math.min(a.width, a.height) - 2 * border >= 11 ? ssimY(a, b, border) : Number.NaN;
}

export function compareToTruth(sr: RawImage, bicubic: RawImage, truth: RawImage, scale: number): UpscaleMetrics {
  return {
    psnr: psnrY(sr, truth, scale),
    ssim: ssimOrNaN(sr, truth, scale),
    psnrBicubic: psnrY(bicubic, truth, scale),
    ssimBicubic: ssimOrNaN(bicubic, truth, scale),
    border: scale,
  };
}
