/** The dataset section of the Model panel: picker, status, filters with counts, paged scene gallery. */
import { BUILTIN_DATASETS, DEFAULT_DATASET_ID } from '../../engine/data/datasets';
import { useLab } from '../../store';
import { DatasetFilters } from './DatasetFilters';
import { DatasetStatusLine } from './DatasetStatusLine';
import { Pager } from './Pager';
import { SceneGallery } from './SceneGallery';
import { DatasetSourcePicker } from './DatasetSourcePicker';
import { ImageDatasetView } from './ImageDatasetView';
import { fromDrop } from './folderFiles';

export function DatasetView() {
  const id = useLab((s) => s.datasetId);
  const info = useLab((s) => s.datasetInfo);
  const filter = useLab((s) => s.datasetFilter);
  const openDataset = useLab((s) => s.openDataset);
  const openFolder = useLab((s) => s.openImageFolder);
  const filtered = Object.keys(filter).length > 0;
  const images = info?.kind === 'images' ? info : null;
  return (
    <section
      className="card dataset-card"
      data-testid="dataset-view"
      // A folder (or image files) dropped on the card opens as a dataset.
      onDragOver={(e) => e.dataTransfer.types.includes('Files') && e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        e.stopPropagation();
        void fromDrop(e.dataTransfer).then((picked) => picked && openFolder(picked.name, picked.files));
      }}
    >
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
          {id !== null && !BUILTIN_DATASETS.some((d) => d.id === id) && (
            <option value={id} title={images?.description}>
              {images?.title ?? id}
            </option>
          )}
        </select>
        <DatasetSourcePicker />
        <DatasetStatusLine />
      </div>
      {images ? <ImageDatasetView info={images} /> : <SceneDatasetBody filtered={filtered} />}
    </section>
  );
}

function SceneDatasetBody({ filtered }: { filtered: boolean }) {
  const info = useLab((s) => s.datasetInfo);
  const page = useLab((s) => s.datasetPage);
  return (
    <>
      <DatasetFilters />
      <div className="dataset-count-row">
        <span data-testid="dataset-count">
          {page === null || info === null ? '…' : filtered ? `${page.total} of ${info.count} scenes` : `${page.total} scenes`}
        </span>
        <Pager />
      </div>
      <SceneGallery />
    </>
  );
}
