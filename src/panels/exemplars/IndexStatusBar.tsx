/** Where the selected layer's index stands: cache check, indexing (bar, images/s, ETA, Cancel), ready, cancelled. */
import { useLab } from '../../store';
import { formatMs } from '../../ui/format';

function eta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '…';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

export function IndexStatusBar() {
  const status = useLab((s) => s.exIndexStatus);
  const source = useLab((s) => s.exIndexSource);
  const progress = useLab((s) => s.exProgress);
  const ms = useLab((s) => s.exIndexMs);
  const error = useLab((s) => s.exError);
  const cacheState = useLab((s) => s.exCacheState);
  const count = useLab((s) => s.datasetInfo?.count ?? null);
  const cancel = useLab((s) => s.cancelExemplarIndex);
  const resume = useLab((s) => s.resumeExemplarIndex);
  const pct = progress ? Math.round((progress.done / Math.max(1, progress.total)) * 100) : undefined;
  return (
    <div className="ex-index" data-testid="ex-index-status" data-status={status} data-source={source ?? ''} data-cached={String(source === 'cache')} data-cache-state={cacheState}>
      {status === 'idle' && <span className="muted">Waiting for the model and the dataset…</span>}
      {status === 'checking' && <span className="muted">Looking for a cached index…</span>}
      {status === 'indexing' && (
        <>
          <progress max={100} value={pct} data-testid="ex-index-progress" />
          <span className="mono small" data-testid="ex-index-rate">
            {progress ? `${progress.done} / ${progress.total} scenes · ${progress.imagesPerSecond.toFixed(0)} images/s · ETA ${eta(progress.etaSeconds)}` : 'Starting…'}
          </span>
          <button type="button" data-testid="ex-index-cancel" onClick={cancel}>
            Cancel
          </button>
        </>
      )}
      {status === 'ready' && (
        <span className="muted small">
          {count ?? '?'} scenes indexed
          {source === 'cache' && ' · from this browser’s cache'}
          {source === 'indexed' && ms !== null && ` in ${formatMs(ms)} (${(((count ?? 0) * 1000) / Math.max(1, ms)).toFixed(0)} images/s)`}
          {source === 'worker' && ' · already in the engine'}
          {source === 'indexed' && cacheState === 'saved' && ' · cached for next time'}
        </span>
      )}
      {status === 'cancelled' && (
        <>
          <span className="muted">Indexing stopped{progress ? ` at ${progress.done} of ${progress.total}` : ''}.</span>
          <button type="button" data-testid="ex-index-resume" onClick={() => void resume()}>
            Resume
          </button>
        </>
      )}
      {status === 'error' && (
        <>
          <span className="bad">{error}</span>
          <button type="button" onClick={() => void resume()}>
            Try again
          </button>
        </>
      )}
    </div>
  );
}
