/** The probe-able layers of the model; clicking one selects it (and so writes it into the URL). */
import type { Layer } from '../../engine/types';
import { useLab } from '../../store';
import { formatShape } from '../../ui/format';
import { UnitPicker } from './UnitPicker';

export function LayerList({ layers }: { layers: Layer[] }) {
  const selected = useLab((s) => s.layer);
  const selectLayer = useLab((s) => s.selectLayer);
  return (
    <div className="layer-list">
      <UnitPicker layers={layers} />
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
        <tbody>
          {layers.map((l) => (
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
        </tbody>
      </table>
    </div>
  );
}
