/** An open image dataset (folder or manifest): unreadable files, labels, a paged gallery, and whether a link can hold it. */
import { useLab } from '../../store';
import { IMAGE_PAGE_SIZE, isFolderDataset } from '../../store/imageDatasetActions';
import type { ImageDatasetInfo } from '../../engine/data/imageDataset';
import { RawImageCanvas } from '../../ui/RawImageCanvas';
import { NormOverrideControl } from './NormOverrideControl';

export function ImageDatasetView({ info }: { info: ImageDatasetInfo }) {
  const page = useLab((s) => s.imagePage);
  const id = useLab((s) => s.datasetId);
  const setPage = useLab((s) => s.setImagePage);
  const pages = Math.max(1, Math.ceil(info.count / IMAGE_PAGE_SIZE));
  const current = page ? Math.floor(page.offset / IMAGE_PAGE_SIZE) + 1 : 1;
  return (
    <div className="image-dataset" data-testid="image-dataset" data-sha256={info.sha256} data-count={info.count}>
      <NormOverrideControl />
      {isFolderDataset(id) ? (
        <p className="muted small" data-testid="dataset-share-note">
          A local folder cannot be part of a link: a shared link opens the built-in scenes instead. Share a manifest URL (or an index file) to share this dataset.
        </p>
      ) : (
        <p className="muted small" data-testid="dataset-share-note">
          The link holds this manifest’s address; opening it fetches the images again.
        </p>
      )}
      {info.bad.length > 0 && (
        <details open className="bad-files" data-testid="dataset-bad-files">
          <summary className="bad">
            {info.bad.length} of {info.files} files could not be read and were left out
          </summary>
          <ul>
            {info.bad.map((b) => (
              <li key={b.name} data-testid="dataset-bad-file" data-name={b.name}>
                <span className="mono">{b.name}</span> — <span className="muted">{b.reason}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {info.labels.length > 0 && <div className="muted small">Labels: {info.labels.slice(0, 40).join(', ')}{info.labels.length > 40 ? ', …' : ''}</div>}
      <div className="dataset-count-row">
        <span data-testid="dataset-count">{info.count} images</span>
        {pages > 1 && (
          <div className="pager">
            <button type="button" disabled={current <= 1} onClick={() => void setPage((current - 2) * IMAGE_PAGE_SIZE)}>
              ‹ Prev
            </button>
            <span data-testid="dataset-page">
              Page {current} of {pages}
            </span>
            <button type="button" disabled={current >= pages} onClick={() => void setPage(current * IMAGE_PAGE_SIZE)}>
              Next ›
            </button>
          </div>
        )}
      </div>
      <div className="scene-gallery" data-testid="image-gallery">
        {page?.items.map((item) => (
          <div key={item.index} className="scene" data-testid="image-thumb" data-index={item.index} title={`#${item.index}: ${item.name}${item.label ? ` (${item.label})` : ''}`}>
            <RawImageCanvas image={item.image} scale={info.width <= 64 ? 2 : 1} />
            <span>{item.label ?? item.name.split('/').pop()}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
