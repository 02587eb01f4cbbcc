/** The model's layers, compact: clicking one selects it (and so starts indexing it). */
import type { Layer } from '../../engine/types';
import { useLab } from '../../store';
import { formatShape } from '../../ui/format';

export function ExemplarLayerList({ layers }: { layers: Layer[] }) {
  const selected = useLab((s) => s.layer);
  const selectLayer = useLab((s) => s.selectLayer);
  return (
    <ul className="ex-layer-list">
      {layers.map((l) => (
        <li key={l.tensor}>
          <button
            type="button"
            className={l.tensor === selected ? 'selected' : undefined}
            data-testid="ex-layer"
            data-tensor={l.tensor}
            aria-pressed={l.tensor === selected}
            title={`${l.tensor} · ${l.op} · ${formatShape(l.shape)}`}
            onClick={() => selectLayer(l.tensor)}
          >
            <span>{l.label}</span>
            <span className="muted small">{l.channels}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
