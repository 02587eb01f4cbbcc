/** Progress of the model load in flight (stage, bar, message) with a cancel button. */
import { useLab } from '../../store';

export function LoadProgressView() {
  const progress = useLab((s) => s.progress);
  const cancel = useLab((s) => s.cancelLoad);
  if (!progress) return null;
  const pct = progress.fraction === null ? null : Math.round(progress.fraction * 100);
  return (
    <div className="load-progress" data-testid="load-progress" title={progress.message}>
      <progress max={100} value={pct ?? undefined} />
      <span className="load-message">{progress.message}</span>
      <button type="button" className="link" onClick={cancel}>
        Cancel
      </button>
    </div>
  );
}
