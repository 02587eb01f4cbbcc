/** Discovery's progress: stage (examples, discovery, random baselines, causal tests), bar, ETA, Cancel; or why it stopped. */
import { useLab } from '../../store';
import { formatEta } from '../../ui/format';

const STAGES: Record<string, string> = { examples: 'Choosing the examples', discovery: 'Discovering the circuit', baselines: 'Random baseline circuits', causal: 'Causal tests' };

export function CircuitStatusBar() {
  const status = useLab((s) => s.circuitStatus);
  const progress = useLab((s) => s.circuitProgress);
  const error = useLab((s) => s.circuitError);
  const ms = useLab((s) => s.circuit?.ms ?? null);
  const cancel = useLab((s) => s.cancelCircuit);
  const pct = progress?.fraction != null ? Math.round(progress.fraction * 100) : undefined;
  return (
    <div className="circuit-status" data-testid="circuit-status" data-status={status}>
      {status === 'running' && (
        <>
          <progress max={100} value={pct} data-testid="circuit-progress" />
          <span className="mono small">
            {progress ? `${STAGES[progress.stage] ?? progress.stage}${progress.total ? ` ${progress.done}/${progress.total}` : ''} · ETA ${formatEta(progress.etaSeconds)}` : 'Starting…'}
          </span>
          <button type="button" data-testid="circuit-cancel" onClick={cancel}>
            Cancel
          </button>
        </>
      )}
      {status === 'ready' && ms !== null && <span className="muted small">found in {(ms / 1000).toFixed(1)} s</span>}
      {status === 'cancelled' && <span className="muted small">Discovery cancelled; the circuit shown (if any) is the previous one.</span>}
      {status === 'error' && error && (
        <span className="bad small" data-testid="circuit-error">
          {error}
        </span>
      )}
    </div>
  );
}
