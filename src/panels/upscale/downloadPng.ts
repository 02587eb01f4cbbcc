/** Saves an image as a PNG file (encoded by the browser's canvas). */
import type { RawImage } from '../../engine/types';
import { scaledRgba } from '../../ui/RawImageCanvas';
import { saveBlob } from '../../ui/saveBlob';

export function downloadPng(image: RawImage, fileName: string): void {
  const canvas = Object.assign(document.createElement('canvas'), { width: image.width, height: image.height });
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const rgba = image.channels === 4 && image.data instanceof Uint8ClampedArray ? (image.data as Uint8ClampedArray<ArrayBuffer>) : scaledRgba(image, 1);
  ctx.putImageData(new ImageData(rgba, image.width, image.height), 0, 0);
  canvas.toBlob((blob) => blob && saveBlob(blob, fileName), 'image/png');
}

/** "photo.jpg" → "photo-fredsr-x3.png". */
export function resultFileName(input: string, model: string, scale: number): string {
  const base = input.replace(/\.[a-z0-9]+$/i, '') || 'image';
  return `${base}-${model.replace(/\.onnx$/i, '')}-x${scale}.png`;
}
