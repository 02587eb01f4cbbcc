/** What the loaded model is: identity, input, preprocessing, size, op histogram and layers. */
import type { ModelSummary } from '../../engine/types';
import { useLab } from '../../store';
import { formatBytes, formatCount } from '../../ui/format';
import { OpHistogram } from './OpHistogram';
import { LayerList } from './LayerList';

const PREPROCESS_SOURCE: Record<ModelSummary['preprocess']['source'], string> = {
  metadata: 'from the model metadata',
  'imagenet-default': 'ImageNet default: the model does not say',
  override: 'set by you',
};

function fmtVec(v: readonly number[]): string {
  return `[${v.map((x) => Number(x.toFixed(3))).join(', ')}]`;
}

function inputText(s: ModelSummary): string {
  const { name, channels, height, width } = s.imageInput;
  return `${name}: N×${channels}×${height ?? '?'}×${width ?? '?'}`;
}

export function ModelSummaryView() {
  const summary = useLab((s) => s.summary);
  const status = useLab((s) => s.status);
  if (!summary) {
    return <section className="card muted">{status === 'loading' ? 'Loading the model…' : 'No model loaded. Pick a built-in model, open an .onnx file, or give its address.'}</section>;
  }
  const p = summary.preprocess;
  return (
    <section className="card model-summary" data-testid="model-summary">
      <h2>{summary.name}</h2>
      <dl className="facts">
        <dt>SHA-256</dt>
        <dd className="mono" title={summary.sha256}>
          {summary.sha256.slice(0, 12)}
        </dd>
        <dt>Size</dt>
        <dd>{formatBytes(summary.bytes)}</dd>
        <dt>Producer</dt>
        <dd>{summary.producer || '—'}</dd>
        <dt>Opset</dt>
        <dd>{summary.opset}</dd>
        <dt>Image input</dt>
        <dd className="mono">{inputText(summary)}</dd>
        <dt>Preprocessing</dt>
        <dd>
          resize {p.size[0]}×{p.size[1]}, mean {fmtVec(p.mean)}, std {fmtVec(p.std)}{' '}
          <span className="muted">({PREPROCESS_SOURCE[p.source]})</span>
        </dd>
        <dt>Parameters</dt>
        <dd>
          <span data-testid="param-count" title={summary.parameters.toLocaleString('en-US')}>
            {formatCount(summary.parameters)}
          </span>
        </dd>
        <dt>Classes</dt>
        <dd>{summary.labels ? `${summary.labels.length} labelled` : `${summary.outputs[0]?.shape.at(-1) ?? '?'} (no names in metadata)`}</dd>
      </dl>
      <h3>Operators</h3>
      <OpHistogram ops={summary.ops} />
      <h3>Layers ({summary.layers.length})</h3>
      <LayerList layers={summary.layers} />
    </section>
  );
}
