/** The selected layer and a field to pick one of its channels (the unit). */
import { useEffect, useState } from 'react';
import type { Layer } from '../../engine/types';
import { useLab } from '../../store';

export function UnitPicker({ layers }: { layers: Layer[] }) {
  const tensor = useLab((s) => s.layer);
  const unit = useLab((s) => s.unit);
  const selectUnit = useLab((s) => s.selectUnit);
  const [text, setText] = useState(unit === null ? '' : String(unit));
  useEffect(() => setText(unit === null ? '' : String(unit)), [unit]);
  const layer = layers.find((l) => l.tensor === tensor);
  if (!layer) return <div className="unit-picker muted">Click a layer to select it.</div>;
  const commit = () => {
    const t = text.trim();
    selectUnit(t === '' ? null : Number(t));
    // A refused value shows the unit still selected.
    const now = useLab.getState().unit;
    setText(now === null ? '' : String(now));
  };
  return (
    <div className="unit-picker">
      <span>
        Selected <strong>{layer.label}</strong> ({layer.channels} channels)
      </span>
      <label>
        unit
        <input
          type="number"
          min={0}
          max={layer.channels - 1}
          step={1}
          value={text}
          data-testid="unit-input"
          onChange={(e) => setText(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => e.key === 'Enter' && commit()}
        />
      </label>
    </div>
  );
}
