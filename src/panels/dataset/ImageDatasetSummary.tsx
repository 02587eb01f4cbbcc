/** One line about an open image dataset: images, unreadable files, fitting, normalisation, content hash. */
import type { ImageDatasetInfo } from '../../engine/data/imageDataset';
import { useLab } from '../../store';
import { prepNorm } from '../../store/imageDatasetActions';
import { formatNormValue } from '../../store/normOverride';
import { formatMs } from '../../ui/format';

const triple = (t: readonly number[]) => t.map(formatNormValue).join(', ');

export function ImageDatasetSummary({ info }: { info: ImageDatasetInfo }) {
  const model = useLab((s) => s.summary?.preprocess ?? null);
  const override = prepNorm(info.prep);
  const norm = override ?? model;
  return (
    <span className="muted" data-testid="image-dataset-summary" title={`sha256 of the files: ${info.contentSha256}\nidentity (files + fitting + normalisation): ${info.sha256}`}>
      {info.count} images{info.bad.length > 0 && <span className="bad"> · {info.bad.length} unreadable</span>}
      {info.labels.length > 0 && ` · ${info.labels.length} labels`} · fitted to {info.width}×{info.height} ({info.prep.fit})
      {norm && (
        <span data-testid="image-dataset-norm" data-override={override ? 'true' : 'false'}>
          {' '}· normalised with mean {triple(norm.mean)} std {triple(norm.std)} ({override ? 'override' : 'the model’s'})
        </span>
      )}{' '}
      · read in {formatMs(info.openMs)} · sha256 <span className="mono">{info.contentSha256.slice(0, 12)}…</span>
    </span>
  );
}
