/** What the agent studies: the open unit (layer + unit, shared with the other panels and the link) or a class logit. */
import { useLab } from '../../store';
import { UnitPicker } from '../model/UnitPicker';

export function SubjectPicker({ disabled }: { disabled: boolean }) {
  const summary = useLab((s) => s.summary);
  const layer = useLab((s) => s.layer);
  const target = useLab((s) => s.agentTarget);
  const { setAgentTarget, selectLayer } = useLab.getState();
  if (!summary) return null;
  const spatial = summary.layers.filter((l) => l.shape.length === 4);
  const labels = summary.labels ?? [];
  return (
    <section className="card agent-subject" data-testid="agent-subject">
      <h3>Subject</h3>
      <label className="small">
        <input type="radio" checked={target.kind === 'unit'} disabled={disabled} onChange={() => setAgentTarget({ kind: 'unit' })} /> a unit
      </label>{' '}
      <label className="small">
        <input type="radio" checked={target.kind === 'logit'} disabled={disabled || labels.length === 0} data-testid="agent-target-logit" onChange={() => setAgentTarget({ kind: 'logit', index: 0 })} /> a class logit
      </label>
      {target.kind === 'unit' ? (
        <>
          <label>
            layer{' '}
            <select value={layer ?? ''} disabled={disabled} data-testid="agent-layer" onChange={(e) => selectLayer(e.target.value || null)}>
              <option value="">(pick a layer)</option>
              {spatial.map((l) => (
                <option key={l.tensor} value={l.tensor}>
                  {l.label} ({l.channels})
                </option>
              ))}
            </select>
          </label>
          <UnitPicker layers={spatial} />
        </>
      ) : (
        <label>
          class{' '}
          <select value={target.index} disabled={disabled} data-testid="agent-logit" onChange={(e) => setAgentTarget({ kind: 'logit', index: Number(e.target.value) })}>
            {labels.map((name, i) => (
              <option key={i} value={i}>
                {i}: {name}
              </option>
            ))}
          </select>
        </label>
      )}
    </section>
  );
}
