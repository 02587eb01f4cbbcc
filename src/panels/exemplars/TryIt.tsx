/** "Try it": an uploaded, pasted, dropped or drawn image through the open unit, with its value and map. */
import { useMemo, useState, type DragEvent } from 'react';
import type { ThresholdRule } from '../../engine/exemplars/maps';
import { useLab } from '../../store';
import { formatMs } from '../../ui/format';
import { ExemplarCard } from './ExemplarCard';
import { mapView } from './mapViews';
import { tryFile } from './tryFile';
import { usePastedImage } from '../../ui/usePastedImage';
import { DrawPad } from './DrawPad';

export function TryIt({ scale, rule, size }: { scale: { lo: number; hi: number }; rule: ThresholdRule; size: [number, number] }) {
  const result = useLab((s) => s.exTry);
  const running = useLab((s) => s.exTryRunning);
  const unit = useLab((s) => s.unit);
  const layer = useLab((s) => s.layer);
  const best = useLab((s) => s.exUnit?.stats.max ?? null);
  const [over, setOver] = useState(false);
  const [drawing, setDrawing] = useState(false);
  const override = useLab((s) => (s.datasetInfo?.kind === 'images' && (s.datasetInfo.prep.mean || s.datasetInfo.prep.std) ? s.datasetInfo.prep : null));
  const current = result && result.layer === layer && result.unit === unit ? result : null;
  const view = useMemo(() => (current ? mapView(current.image, current.map, size, scale, rule) : null), [current, scale, rule, size]);

  // A pasted image goes here while the panel shows a unit.
  usePastedImage((file) => void tryFile(file, file.name || 'pasted image'));

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file) void tryFile(file, file.name);
  };

  return (
    <div className="tryit">
      <h3>Try it</h3>
      <div className="tryit-row">
        <label
          className={over ? 'tryit-drop over' : 'tryit-drop'}
          data-testid="tryit-drop"
          onDragOver={(e) => {
            e.preventDefault();
            e.stopPropagation();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
        >
          Drop, paste or <span className="link">choose an image</span> to run it through unit {unit}
          <input
            type="file"
            accept="image/*"
            hidden
            data-testid="tryit-input"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void tryFile(file, file.name);
            }}
          />
        </label>
        <button type="button" data-testid="tryit-draw-toggle" aria-expanded={drawing} onClick={() => setDrawing(!drawing)} title="Draw an image; it runs through the unit as you draw">
          {drawing ? 'Hide drawing pad' : 'Draw…'}
        </button>
        {drawing && <DrawPad size={size} />}
        <span className="muted" style={{ visibility: running ? 'visible' : 'hidden' }}>
          Running…
        </span>
        {current && view && (
          <div className="tryit-result">
            <ExemplarCard view={view} value={current.value ?? Number.NaN} title={current.name} testid="tryit-exemplar" rank={0} />
            <div>
              <div>
                <span className="muted">{current.name}: </span>
                <strong className="mono" data-testid="tryit-value">
                  {current.value === null ? '—' : current.value.toFixed(3)}
                </strong>
              </div>
              {best !== null && current.value !== null && (
                <div className="muted small">{best > 0 ? `${((current.value / best) * 100).toFixed(0)}% of the unit’s best exemplar` : ''}</div>
              )}
              <div className="muted small">{formatMs(current.ms)}</div>
              {override && (
                <div className="muted small" data-testid="tryit-norm-note">
                  normalised with the dataset’s mean/std override, like its exemplars
                </div>
              )}
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
