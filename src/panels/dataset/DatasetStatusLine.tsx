/** Where the dataset stands: generating (with progress), ready (size, time, content hash), or failed. */
import { useLab } from '../../store';
import { formatMs } from '../../ui/format';
import { ImageDatasetSummary } from './ImageDatasetSummary';

export function DatasetStatusLine() {
  const status = useLab((s) => s.datasetStatus);
  const progress = useLab((s) => s.datasetProgress);
  const info = useLab((s) => s.datasetInfo);
  const error = useLab((s) => s.datasetError);
  const modelReady = useLab((s) => s.summary !== null);
  const id = useLab((s) => s.datasetId);
  const open = useLab((s) => s.openDataset);
  const pct = progress?.fraction == null ? undefined : Math.round(progress.fraction * 100);
  return (
    <div className={`dataset-status status-line-${status}`} data-testid="dataset-status" data-status={status} data-sha256={info?.sha256 ?? ''}>
      {progress && (
        <>
          <progress max={100} value={pct} />
          <span className="muted">{progress.message}</span>
        </>
      )}
      {!progress && status === 'idle' && !modelReady && <span className="muted">Opens once the model is loaded</span>}
      {!progress && status !== 'ready' && (modelReady || status === 'error') && id !== null && (
        <button type="button" data-testid="dataset-open" onClick={() => void open(id)}>
          {status === 'error' ? 'Try again' : 'Open'}
        </button>
      )}
      {!progress && status === 'ready' && info?.kind === 'images' && <ImageDatasetSummary info={info} />}
      {!progress && status === 'ready' && info?.kind === 'scenes' && (
        <span className="muted" title={`sha256 of all pixels: ${info.sha256}`}>
          {info.count} scenes, 64×64, seed {info.seed} · generated in {formatMs(info.openMs)} · sha256 <span className="mono">{info.sha256.slice(0, 12)}…</span>
        </span>
      )}
      {!progress && status === 'error' && <span className="bad">{error ?? 'The dataset could not be opened'}</span>}
    </div>
  );
}
