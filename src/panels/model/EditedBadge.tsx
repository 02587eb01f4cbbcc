/** In the model bar while circuit edits apply to every run: how many, and a way to see or drop them. */
import { useLab } from '../../store';

export function EditedBadge() {
  const count = useLab((s) => s.circuitEdits.length);
  const state = useLab((s) => s.circuitEditsState);
  if (count === 0) return null;
  return (
    <span className={`badge edited${state === 'error' ? ' bad' : ''}`} data-testid="model-edited" data-state={state} title="Circuit edits (ablated or scaled units, pruned edges) apply to every prediction, run and attribution; exemplar indexes stay those of the unedited model.">
      <button type="button" className="link" onClick={() => useLab.getState().setPanel('circuits')}>
        edited: {count} {state === 'applying' ? '…' : state === 'error' ? '(failed)' : ''}
      </button>
      <button type="button" className="link" title="Drop every edit" data-testid="model-edited-clear" onClick={() => void useLab.getState().setCircuitEdits([])}>
        ×
      </button>
    </span>
  );
}
