/** One line about an open image dataset: images, unreadable files, fitting, content hash. */
import type { ImageDatasetInfo } from '../../engine/data/imageDataset';
import { formatMs } from '../../ui/format';

export function ImageDatasetSummary({ info }: { info: ImageDatasetInfo }) {
  return (
    <span className="muted" data-testid="image-dataset-summary" title={`sha256 of the files: ${info.contentSha256}\nidentity (files + fitting): ${info.sha256}`}>
      {info.count} images{info.bad.length > 0 && <span className="bad"> · {info.bad.length} unreadable</span>}
      {info.labels.length > 0 && ` · ${info.labels.length} labels`} · fitted to {info.width}×{info.height} ({info.prep.fit}) · read in {formatMs(info.openMs)} · sha256{' '}
      <span className="mono">{info.contentSha256.slice(0, 12)}…</span>
    </span>
  );
}
