/** The dataset section of the Model panel: picker, status, filters with counts, paged scene gallery. */
import { BUILTIN_DATASETS, DEFAULT_DATASET_ID } from '../../engine/data/datasets';
import { useLab } from '../../store';
import { DatasetFilters } from './DatasetFilters';
import { DatasetStatusLine } from './DatasetStatusLine';
import { Pager } from './Pager';
import { SceneGallery } from './SceneGallery';

export function DatasetView() {
  const id = useLab((s) => s.datasetId);
  const info = useLab((s) => s.datasetInfo);
  const page = useLab((s) => s.datasetPage);
  const filter = useLab((s) => s.datasetFilter);
  const openDataset = useLab((s) => s.openDataset);
  const filtered = Object.keys(filter).length > 0;
  return (
    <section className="card dataset-card" data-testid="dataset-view">
      <div className="dataset-head">
        <h2>Dataset</h2>
        <select
          data-testid="dataset-picker"
          aria-label="Dataset"
          value={id ?? DEFAULT_DATASET_ID}
          onChange={(e) => void openDataset(e.target.value)}
        >
          {BUILTIN_DATASETS.map((d) => (
            <option key={d.id} value={d.id} title={d.description}>
              {d.title}
            </option>
          ))}
        </select>
        <DatasetStatusLine />
      </div>
      <DatasetFilters />
      <div className="dataset-count-row">
        <span data-testid="dataset-count">
          {page === null || info === null ? '…' : filtered ? `${page.total} of ${info.count} scenes` : `${page.total} scenes`}
        </span>
        <Pager />
      </div>
      <SceneGallery />
    </section>
  );
}
