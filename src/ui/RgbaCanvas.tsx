/** RGBA bytes drawn on a canvas at their own size (CSS may scale it). */
import { useEffect, useRef } from 'react';

export function RgbaCanvas({
  rgba,
  width,
  height,
  className,
  title,
  testid,
}: {
  rgba: Uint8ClampedArray<ArrayBuffer>;
  width: number;
  height: number;
  className?: string;
  title?: string;
  testid?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx || rgba.length !== width * height * 4) return;
    ctx.putImageData(new ImageData(rgba, width, height), 0, 0);
  }, [rgba, width, height]);
  return <canvas ref={ref} className={className} width={width} height={height} title={title} data-testid={testid} />;
}
