/**
 * A drawing pad for "try it": the researcher draws with mouse, pen or touch (pointer events with
 * capture) on a canvas at the model's input size, and the drawing runs through the open unit live —
 * throttled while drawing and once more at the end of each stroke, never more than one run in flight
 * (LatestOnly). The pixels go through the same store action as an uploaded image, named "drawing".
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { RawImage } from '../../engine/types';
import { useLab } from '../../store';
import { scaledRgba } from '../../ui/RawImageCanvas';
import { LatestOnly } from './latestOnly';

/** The try-it name of a drawing (the result's title). */
export const DRAWING_NAME = 'drawing';
/** Mid-stroke runs start at most this often (ms); the stroke's end always runs. */
const LIVE_MS = 150;
const MAX_UNDO = 20;
/** Pixels on the longest side at most: larger inputs are drawn smaller and resized by the engine. */
const MAX_SIDE = 512;
const SWATCHES: ReadonlyArray<readonly [string, string]> = [
  ['black', '#000000'],
  ['white', '#ffffff'],
  ['red', '#e53935'],
  ['green', '#43a047'],
  ['blue', '#1e88e5'],
  ['yellow', '#fdd835'],
];

/** The canvas size for a model input [H, W]: the input itself (what you draw is what the model sees), capped at MAX_SIDE. */
export function padSize([h, w]: [number, number]): { width: number; height: number } {
  const k = Math.min(1, MAX_SIDE / Math.max(h, w));
  return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) };
}

export function DrawPad({ size }: { size: [number, number] }) {
  const { width: W, height: H } = padSize(size);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [color, setColor] = useState('#000000');
  const [background, setBackground] = useState('#ffffff');
  const [brush, setBrush] = useState(() => Math.max(1, Math.round(W / 12)));
  const undo = useRef<ImageData[]>([]);
  const [undoDepth, setUndoDepth] = useState(0);
  const stroke = useRef<{ id: number; x: number; y: number } | null>(null);
  const tryImage = useLab((s) => s.exTry?.image ?? null);
  const bestImage = useLab((s) => (s.exUnit && s.exUnit.layer === s.layer && s.exUnit.unit === s.unit ? (s.exUnit.top[0]?.image ?? null) : null));

  const ctx = useCallback(() => canvas.current?.getContext('2d', { willReadFrequently: true }) ?? null, []);

  // Reads the pixels when the run starts, so a run always carries the drawing as it is then.
  const runner = useMemo(
    () =>
      new LatestOnly(() => {
        const c = ctx();
        if (!c) return Promise.resolve();
        const { data } = c.getImageData(0, 0, c.canvas.width, c.canvas.height);
        return useLab.getState().tryExemplarImage({ width: c.canvas.width, height: c.canvas.height, channels: 4, data }, DRAWING_NAME);
      }, LIVE_MS),
    [ctx],
  );
  useEffect(() => () => runner.stop(), [runner]);

  // A fresh pad (or another input size) starts blank, with no history.
  useEffect(() => {
    const c = ctx();
    if (!c) return;
    c.fillStyle = background;
    c.fillRect(0, 0, W, H);
    undo.current = [];
    setUndoDepth(0);
    // The background colour only matters for the next clear.
  }, [W, H, ctx]); // eslint-disable-line react-hooks/exhaustive-deps

  /** Remembers the pixels before an edit, for undo. */
  const snapshot = (c: CanvasRenderingContext2D) => {
    undo.current.push(c.getImageData(0, 0, W, H));
    if (undo.current.length > MAX_UNDO) undo.current.shift();
    setUndoDepth(undo.current.length);
  };

  /** Applies an edit as one undoable step, then runs the result. */
  const edit = (draw: (c: CanvasRenderingContext2D) => void) => {
    const c = ctx();
    if (!c) return;
    snapshot(c);
    draw(c);
    runner.flush();
  };

  const point = (e: { clientX: number; clientY: number }) => {
    const r = canvas.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * W) / r.width, y: ((e.clientY - r.top) * H) / r.height };
  };

  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    const c = ctx();
    if (!c || stroke.current) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    e.currentTarget.focus();
    snapshot(c);
    const p = point(e);
    stroke.current = { id: e.pointerId, ...p };
    c.fillStyle = color;
    c.beginPath();
    c.arc(p.x, p.y, brush / 2, 0, 2 * Math.PI);
    c.fill();
    runner.change();
  };

  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const s = stroke.current;
    const c = ctx();
    if (!s || s.id !== e.pointerId || !c) return;
    // Coalesced events keep fast strokes smooth where the browser batches them.
    const events = e.nativeEvent.getCoalescedEvents?.() ?? [];
    c.strokeStyle = color;
    c.lineWidth = brush;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(s.x, s.y);
    for (const ev of events.length ? events : [e]) {
      const p = point(ev);
      c.lineTo(p.x, p.y);
      s.x = p.x;
      s.y = p.y;
    }
    c.stroke();
    runner.change();
  };

  const endStroke = (e: PointerEvent<HTMLCanvasElement>) => {
    if (stroke.current?.id !== e.pointerId) return;
    stroke.current = null;
    runner.flush();
  };

  const doUndo = () => {
    const c = ctx();
    const last = undo.current.pop();
    if (!c || !last) return;
    c.putImageData(last, 0, 0);
    setUndoDepth(undo.current.length);
    runner.flush();
  };

  const clear = () =>
    edit((c) => {
      c.fillStyle = background;
      c.fillRect(0, 0, W, H);
    });

  /** Starts from an image (the try-it image, the best exemplar), scaled to fill the pad. */
  const startFrom = (image: RawImage) =>
    edit((c) => {
      const tmp = document.createElement('canvas');
      tmp.width = image.width;
      tmp.height = image.height;
      tmp.getContext('2d')?.putImageData(new ImageData(scaledRgba(image, 1), image.width, image.height), 0, 0);
      c.imageSmoothingEnabled = true;
      c.imageSmoothingQuality = 'high';
      c.drawImage(tmp, 0, 0, W, H);
    });

  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      doUndo();
    }
  };

  return (
    <div className="drawpad" data-testid="drawpad">
      <canvas
        ref={canvas}
        width={W}
        height={H}
        className={W < 192 ? 'drawpad-canvas pixelated' : 'drawpad-canvas'}
        data-testid="drawpad-canvas"
        role="img"
        aria-label={`Drawing pad, ${W}×${H} pixels (the model’s input); Ctrl+Z undoes`}
        tabIndex={0}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endStroke}
        onPointerCancel={endStroke}
        onLostPointerCapture={endStroke}
        onKeyDown={onKeyDown}
      />
      <div className="drawpad-tools">
        <div className="drawpad-swatches" role="group" aria-label="Brush colour">
          {SWATCHES.map(([name, hex]) => (
            <button
              key={hex}
              type="button"
              className="swatch"
              style={{ background: hex }}
              aria-label={`brush ${name}`}
              aria-pressed={color === hex}
              title={name}
              data-testid={`drawpad-swatch-${name}`}
              onClick={() => setColor(hex)}
            />
          ))}
          <input type="color" value={color} aria-label="Brush colour" data-testid="drawpad-color" onChange={(e) => setColor(e.target.value)} />
        </div>
        <label className="small">
          <span className="muted">brush </span>
          <input
            type="range"
            min={1}
            max={Math.max(2, Math.round(W / 3))}
            value={brush}
            aria-label="Brush size in pixels"
            data-testid="drawpad-size"
            onChange={(e) => setBrush(Number(e.target.value))}
          />
          <span className="mono"> {brush}px</span>
        </label>
        <label className="small">
          <span className="muted">background </span>
          <input type="color" value={background} aria-label="Background colour" data-testid="drawpad-background" onChange={(e) => setBackground(e.target.value)} />
        </label>
        <div className="drawpad-buttons">
          <button type="button" data-testid="drawpad-clear" onClick={clear} title="Fill the pad with the background colour">
            Clear
          </button>
          <button type="button" data-testid="drawpad-undo" onClick={doUndo} disabled={undoDepth === 0} title="Undo the last stroke or edit (Ctrl+Z)">
            Undo
          </button>
          <button type="button" data-testid="drawpad-from-try" disabled={!tryImage} onClick={() => tryImage && startFrom(tryImage)} title="Start from the image in “try it”">
            From try-it image
          </button>
          <button type="button" data-testid="drawpad-from-best" disabled={!bestImage} onClick={() => bestImage && startFrom(bestImage)} title="Start from the unit’s best exemplar">
            From best exemplar
          </button>
        </div>
      </div>
    </div>
  );
}
