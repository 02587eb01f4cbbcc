/**
 * Where the selected layer's index stands: cache check, indexing (bar, images/s, ETA, Cancel, and
 * whether the exemplars on show are partial: from the first n images), ready, cancelled.
 */
import { useLab } from '../../store';
import { formatEta, formatMs } from '../../ui/format';

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
  // Exemplars shown while indexing go on come from the images indexed so far.
  const partialDone = useLab((s) => (s.exUnit ?? s.exGrid)?.done ?? null);
  const partialOf = useLab((s) => (s.exUnit ?? s.exGrid)?.count ?? null);
  const partial = partialDone !== null && partialOf !== null && partialDone < partialOf ? { done: partialDone, count: partialOf } : null;
  const pct = progress ? Math.round((progress.done / Math.max(1, progress.total)) * 100) : undefined;
  return (
    <div className="ex-index" data-testid="ex-index-status" data-status={status} data-source={source ?? ''} data-cached={String(source === 'cache')} data-cache-state={cacheState}>
      {status === 'idle' && <span className="muted">Waiting for the model and the dataset…</span>}
      {status === 'checking' && <span className="muted">Looking for a cached index…</span>}
      {status === 'indexing' && (
        <>
          <progress max={100} value={pct} data-testid="ex-index-progress" />
          <span className="mono small" data-testid="ex-index-rate">
            {progress ? `${progress.done} / ${progress.total} scenes · ${progress.imagesPerSecond.toFixed(0)} images/s · ETA ${formatEta(progress.etaSeconds)}` : 'Starting…'}
          </span>
          <button type="button" data-testid="ex-index-cancel" onClick={cancel}>
            Cancel
          </button>
          {partial && (
            <span className="small" data-testid="ex-partial">
              <strong>Partial:</strong> exemplars from {partial.done} of {partial.count} images, refined as indexing goes on
            </span>
          )}
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
          <span className="muted">
            Indexing stopped{progress ? ` at ${progress.done} of ${progress.total}` : ''}.
            {partial && <span data-testid="ex-partial"> Exemplars shown are partial (from {partial.done} of {partial.count} images).</span>}
          </span>
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

/** Above the unit view while its exemplars come from part of the dataset (indexing goes on). */
export function UnitPartialNote() {
  const done = useLab((s) => s.exUnit?.done ?? null);
  const count = useLab((s) => s.exUnit?.count ?? null);
  const rate = useLab((s) => s.exProgress);
  if (done === null || count === null || done >= count) return null;
  return (
    <div className="card muted small" data-testid="ex-unit-partial">
      Partial: the unit’s top and bottom exemplars, histogram and concepts over the first {done} of {count} images
      {rate && rate.done < rate.total ? ` (indexing at ${rate.imagesPerSecond.toFixed(0)} images/s, ETA ${formatEta(rate.etaSeconds)})` : ''}; they are refined
      as indexing goes on.
    </div>
  );
}
