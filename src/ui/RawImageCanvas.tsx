/** A RawImage (RGB or RGBA bytes) drawn on a canvas, enlarged by an integer factor without smoothing. */
import { useEffect, useRef } from 'react';
import type { RawImage } from '../engine/types';

/** RGBA pixels of `image` scaled by `scale` (nearest neighbour), ready for putImageData. */
export function scaledRgba(image: RawImage, scale: number): Uint8ClampedArray<ArrayBuffer> {
  const { width: w, height: h, channels: c, data } = image;
  const W = w * scale;
  const out = new Uint8ClampedArray(W * h * scale * 4);
  for (let y = 0; y < h * scale; y++) {
    const sy = Math.floor(y / scale) * w;
    for (let x = 0; x < W; x++) {
      const s = (sy + Math.floor(x / scale)) * c;
      const d = (y * W + x) * 4;
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
      out[d + 3] = 255;
    }
  }
  return out;
}

export function RawImageCanvas({ image, scale = 1, className, title }: { image: RawImage; scale?: number; className?: string; title?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(scaledRgba(image, scale), image.width * scale, image.height * scale), 0, 0);
  }, [image, scale]);
  return <canvas ref={ref} className={className} width={image.width * scale} height={image.height * scale} title={title} />;
}
