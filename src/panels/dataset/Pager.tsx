/** Previous / next page of the dataset gallery. */
import { useLab } from '../../store';
import { DATASET_PAGE_SIZE } from '../../store/datasetSlice';

export function Pager() {
  const page = useLab((s) => s.datasetPage);
  const offset = useLab((s) => s.datasetOffset);
  const loading = useLab((s) => s.datasetPageLoading);
  const setPage = useLab((s) => s.setDatasetPage);
  if (!page || page.total === 0) return null;
  const pages = Math.ceil(page.total / DATASET_PAGE_SIZE);
  const current = Math.floor(offset / DATASET_PAGE_SIZE) + 1;
  return (
    <div className="pager">
      <button type="button" data-testid="dataset-prev" disabled={current <= 1} onClick={() => void setPage(offset - DATASET_PAGE_SIZE)}>
        ‹ Prev
      </button>
      <span className={loading ? 'muted' : ''} data-testid="dataset-page">
        Page {current} of {pages}
      </span>
      <button type="button" data-testid="dataset-next" disabled={current >= pages} onClick={() => void setPage(offset + DATASET_PAGE_SIZE)}>
        Next ›
      </button>
    </div>
  );
}
