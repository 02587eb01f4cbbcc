/** A RawImage (RGB or RGBA) on a canvas at its own size, with the canvas exposed to the parent. */
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import type { RawImage } from '../../engine/types';
import { scaledRgba } from '../../ui/RawImageCanvas';

export const ImageLayer = forwardRef<HTMLCanvasElement | null, { image: RawImage; className?: string; style?: React.CSSProperties; testid?: string }>(
  function ImageLayer({ image, className, style, testid }, ref) {
    const canvas = useRef<HTMLCanvasElement>(null);
    useImperativeHandle(ref, () => canvas.current!, []);
    useEffect(() => {
      const ctx = canvas.current?.getContext('2d');
      if (!ctx) return;
      const rgba =
        image.channels === 4 && image.data instanceof Uint8ClampedArray ? (image.data as Uint8ClampedArray<ArrayBuffer>) : scaledRgba(image, 1);
      ctx.putImageData(new ImageData(rgba, image.width, image.height), 0, 0);
    }, [image]);
    return <canvas ref={canvas} className={className} style={style} width={image.width} height={image.height} data-testid={testid} />;
  },
);
