/**
 * Image file or address -> RawImage (RGBA bytes), with the browser's own decoders
 * (createImageBitmap, then OffscreenCanvas or a canvas). Images over MAX_IMAGE_PIXELS are
 * refused before decoding when the header tells their size, and after otherwise.
 */
import type { RawImage } from '../engine/types';
import { readImageSize } from './imageHeader';

export const MAX_IMAGE_PIXELS = 40_000_000;

export class ImageDecodeError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

function refuseIfHuge(width: number, height: number, name: string): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    const mp = ((width * height) / 1e6).toFixed(1);
    throw new ImageDecodeError(
      `${name} is ${width}×${height} (${mp} megapixels), more than the ${MAX_IMAGE_PIXELS / 1e6} megapixels the lab decodes`,
      'Scale the image down first: the model sees it at a few hundred pixels anyway.',
    );
  }
}

async function toBlob(source: Blob | string, signal?: AbortSignal): Promise<Blob> {
  if (typeof source !== 'string') return source;
  let res: Response;
  try {
    res = await fetch(source, { signal });
  } catch (err) {
    throw new ImageDecodeError(`Could not fetch the image ${source}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw new ImageDecodeError(`Could not fetch the image ${source}: the server answered ${res.status}`);
  return res.blob();
}

export async function decodeImage(source: Blob | string, options: { name?: string; signal?: AbortSignal } = {}): Promise<RawImage> {
  const name = options.name ?? (typeof source === 'string' ? source : source instanceof File ? source.name : 'The image');
  const blob = await toBlob(source, options.signal);
  const head = new Uint8Array(await blob.slice(0, 64 * 1024).arrayBuffer());
  const size = readImageSize(head);
  if (size) refuseIfHuge(size.width, size.height, name);

  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new ImageDecodeError(`${name} could not be decoded as an image`, 'Use a PNG, JPEG, GIF, WebP or BMP file.');
  }
  try {
    const { width, height } = bitmap;
    refuseIfHuge(width, height, name);
    if (width === 0 || height === 0) throw new ImageDecodeError(`${name} has no pixels`);
    const ctx = context2d(width, height);
    ctx.drawImage(bitmap, 0, 0);
    const pixels = ctx.getImageData(0, 0, width, height);
    return { width, height, channels: 4, data: pixels.data };
  } finally {
    bitmap.close();
  }
}

type Ctx = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

function context2d(width: number, height: number): Ctx {
  const canvas: OffscreenCanvas | HTMLCanvasElement =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as Ctx | null;
  if (!ctx) throw new ImageDecodeError('This browser cannot draw images to a canvas');
  return ctx;
}
