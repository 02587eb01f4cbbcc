/**
 * The edits every run applies (ablated or scaled units, pruned edges), and what they do to the
 * circuit's held-out examples: accuracy and the mean target logit without and with them.
 */
import type { CircuitEdit } from '../../engine/circuits/types';
import { useLab } from '../../store';
import { shortLayer } from './graphSvg';

function describe(e: CircuitEdit): string {
  if (e.kind === 'unit') return `${shortLayer(e.layer)} #${e.unit} ${e.scale === 0 ? 'ablated' : `×${e.scale}`}`;
  return `pruned ${shortLayer(e.from.layer)} #${e.from.unit} → ${shortLayer(e.to.layer)} #${e.to.unit}`;
}

export function EditsList() {
  const edits = useLab((s) => s.circuitEdits);
  const state = useLab((s) => s.circuitEditsState);
  const check = useLab((s) => s.circuitCheck);
  const setEdits = useLab((s) => s.setCircuitEdits);
  const setScale = useLab((s) => s.setUnitScale);
  return (
    <div className="circuit-edits" data-testid="circuit-edits" data-state={state} data-count={edits.length}>
      <div className="row">
        <strong>Edits</strong>
        <span className="muted small">{edits.length === 0 ? 'none: the model as it is' : `${edits.length} applied to every run${state === 'applying' ? ' (applying…)' : ''}`}</span>
        {edits.length > 0 && (
          <button type="button" className="link small" data-testid="circuit-edits-clear" onClick={() => void setEdits([])}>
            clear all
          </button>
        )}
      </div>
      <ul className="small">
        {edits.map((e, i) => (
          <li key={i}>
            <span className="mono">{describe(e)}</span>
            {e.kind === 'unit' && (
              <input
                type="range"
                min={0}
                max={2}
                step={0.25}
                value={e.scale}
                title="Scale of the unit"
                onChange={(ev) => void setScale({ layer: e.layer, unit: e.unit }, Number(ev.target.value))}
              />
            )}
            <button type="button" className="link small" onClick={() => void setEdits(edits.filter((_, j) => j !== i))}>
              remove
            </button>
          </li>
        ))}
      </ul>
      {check && (
        <table className="small" data-testid="circuit-check">
          <thead>
            <tr>
              <th>held-out ({check.labels.length})</th>
              <th>accuracy</th>
              <th>target logit</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>model</td>
              <td className="mono" data-testid="check-base-accuracy">{(check.base.accuracy * 100).toFixed(1)}%</td>
              <td className="mono">{check.base.targetLogit?.toFixed(3) ?? '—'}</td>
            </tr>
            {check.edited && (
              <tr>
                <td>edited</td>
                <td className="mono" data-testid="check-edited-accuracy">{(check.edited.accuracy * 100).toFixed(1)}%</td>
                <td className="mono" data-testid="check-edited-logit">{check.edited.targetLogit?.toFixed(3) ?? '—'}</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}
