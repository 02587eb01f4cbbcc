/**
 * The upscaled image against bicubic: one picture split by a draggable line (bicubic left, the
 * model right), and a loupe that magnifies the pixels under the pointer from the side it is on.
 */
import { useCallback, useEffect, useRef, useState, type PointerEvent } from 'react';
import type { RawImage } from '../../engine/types';
import { ImageLayer } from './ImageLayer';

/** Output pixels the loupe shows across, and how much it enlarges them. */
const LOUPE_PIXELS = 40;
const LOUPE_ZOOM = 4;

interface Loupe {
  /** Pointer position in CSS pixels within the view. */
  x: number;
  y: number;
  /** The same point in image pixels. */
  ix: number;
  iy: number;
  /** The view's size in CSS pixels (the loupe flips near the right and bottom edges). */
  w: number;
  h: number;
}

/** The loupe's box in CSS pixels (canvas, caption, border). */
const LOUPE_BOX = { width: 168, height: 186 };

export function CompareView({ model, bicubic, modelName }: { model: RawImage; bicubic: RawImage; modelName: string }) {
  const [split, setSplit] = useState(50);
  const [loupe, setLoupe] = useState<Loupe | null>(null);
  const [dragging, setDragging] = useState(false);
  const view = useRef<HTMLDivElement>(null);
  const modelCanvas = useRef<HTMLCanvasElement | null>(null);
  const bicubicCanvas = useRef<HTMLCanvasElement | null>(null);
  const loupeCanvas = useRef<HTMLCanvasElement>(null);

  const locate = useCallback(
    (e: PointerEvent<HTMLDivElement>): Loupe | null => {
      const rect = view.current?.getBoundingClientRect();
      if (!rect || rect.width === 0) return null;
      const x = e.clientX - rect.left;
      const y = e.clientY - rect.top;
      return { x, y, w: rect.width, h: rect.height, ix: Math.floor((x / rect.width) * model.width), iy: Math.floor((y / rect.height) * model.height) };
    },
    [model.width, model.height],
  );

  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    const at = locate(e);
    if (!at) return;
    if (dragging) setSplit(Math.min(100, Math.max(0, (at.ix / model.width) * 100)));
    setLoupe(at);
  };

  useEffect(() => {
    const ctx = loupeCanvas.current?.getContext('2d');
    if (!ctx || !loupe) return;
    const fromModel = (loupe.ix / model.width) * 100 >= split;
    const source = fromModel ? modelCanvas.current : bicubicCanvas.current;
    if (!source) return;
    const half = LOUPE_PIXELS / 2;
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, LOUPE_PIXELS * LOUPE_ZOOM, LOUPE_PIXELS * LOUPE_ZOOM);
    ctx.drawImage(source, loupe.ix - half, loupe.iy - half, LOUPE_PIXELS, LOUPE_PIXELS, 0, 0, LOUPE_PIXELS * LOUPE_ZOOM, LOUPE_PIXELS * LOUPE_ZOOM);
  }, [loupe, split, model.width]);

  const side = loupe && (loupe.ix / model.width) * 100 >= split ? modelName : 'bicubic';
  return (
    <div className="up-compare">
      <div
        ref={view}
        className="up-compare-view"
        data-testid="upscale-compare"
        style={{ aspectRatio: `${model.width} / ${model.height}`, width: `min(100%, ${model.width}px, calc(75vh * ${model.width / model.height}))` }}
        onPointerDown={(e) => {
          setDragging(true);
          e.currentTarget.setPointerCapture(e.pointerId);
          onMove(e);
        }}
        onPointerUp={() => setDragging(false)}
        onPointerMove={onMove}
        onPointerLeave={() => setLoupe(null)}
      >
        <ImageLayer ref={bicubicCanvas} image={bicubic} testid="upscale-bicubic" />
        <ImageLayer ref={modelCanvas} image={model} testid="upscale-output" style={{ clipPath: `inset(0 0 0 ${split}%)` }} />
        <div className="up-split" style={{ left: `${split}%` }} />
        <span className="up-tag left">bicubic</span>
        <span className="up-tag right">{modelName}</span>
        {loupe && (
          <div
            className="up-loupe"
            style={{
              left: loupe.x + 16 + LOUPE_BOX.width > loupe.w ? loupe.x - 16 - LOUPE_BOX.width : loupe.x + 16,
              top: loupe.y + 16 + LOUPE_BOX.height > loupe.h ? Math.max(0, loupe.y - 16 - LOUPE_BOX.height) : loupe.y + 16,
            }}
          >
            <canvas ref={loupeCanvas} width={LOUPE_PIXELS * LOUPE_ZOOM} height={LOUPE_PIXELS * LOUPE_ZOOM} />
            <span className="small">{side} · {LOUPE_ZOOM}×</span>
          </div>
        )}
      </div>
      <label className="up-split-control">
        <span className="muted small">bicubic</span>
        <input type="range" min={0} max={100} step={0.5} value={split} data-testid="upscale-split" onChange={(e) => setSplit(Number(e.target.value))} />
        <span className="muted small">{modelName}</span>
      </label>
    </div>
  );
}
