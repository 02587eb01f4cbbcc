/**
 * The probe-able layers of the model; clicking one selects it (and so writes it into the URL).
 * A search field filters by name; the rows are windowed, so a model with hundreds of layers
 * renders only those in view.
 */
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import type { Layer } from '../../engine/types';
import { useLab } from '../../store';
import { formatShape } from '../../ui/format';
import { useRowWindow } from '../../ui/virtualRows';
import { UnitPicker } from './UnitPicker';
import { filterLayers } from './layerSearch';

/** Row height in px; app.css fixes `.layer-list tbody tr` to it. */
const ROW_HEIGHT = 22;

export function LayerList({ layers }: { layers: Layer[] }) {
  const selected = useLab((s) => s.layer);
  const selectLayer = useLab((s) => s.selectLayer);
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const shown = useMemo(() => filterLayers(layers, deferred), [layers, deferred]);
  const scroller = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLTableSectionElement>(null);
  const win = useRowWindow(shown.length, ROW_HEIGHT, scroller, body);
  return (
    <div className="layer-list" ref={scroller}>
      <UnitPicker layers={layers} />
      <div className="layer-search">
        <input
          type="search"
          placeholder="Search layers by name, tensor or op"
          aria-label="Search layers"
          data-testid="layer-search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <span className="muted" data-testid="layer-count">
          {shown.length === layers.length ? `${layers.length} layers` : `${shown.length} of ${layers.length} layers`}
        </span>
      </div>
      <table className="dense">
        <thead>
          <tr>
            <th>Layer</th>
            <th>Op</th>
            <th>Tensor</th>
            <th>Shape</th>
            <th className="num">Ch</th>
          </tr>
        </thead>
        <tbody ref={body}>
          {win.before > 0 && <tr className="spacer" style={{ height: win.before }} aria-hidden />}
          {shown.slice(win.start, win.end).map((l) => (
            <tr
              key={l.tensor}
              data-testid="layer-row"
              data-tensor={l.tensor}
              className={l.tensor === selected ? 'selected' : undefined}
              aria-selected={l.tensor === selected}
              onClick={() => selectLayer(l.tensor === selected ? null : l.tensor)}
            >
              <td>{l.label}</td>
              <td>{l.op}</td>
              <td className="mono" title={l.tensor}>
                {l.tensor}
              </td>
              <td className="mono">{formatShape(l.shape)}</td>
              <td className="num">{l.channels}</td>
            </tr>
          ))}
          {win.after > 0 && <tr className="spacer" style={{ height: win.after }} aria-hidden />}
        </tbody>
      </table>
      {shown.length === 0 && <div className="muted layer-none">No layer matches “{deferred}”.</div>}
    </div>
  );
}
