/** Classify an image: built-in samples, an uploaded image, and the top-5 result. */
import { useLab } from '../../store';
import { DEFAULT_BUILTIN_ID, findBuiltin } from '../../store/builtins';
import { SampleGallery } from './SampleGallery';
import { TopPredictions } from './TopPredictions';
import { predictFile } from './predictFile';
import { RawImageCanvas } from '../../ui/RawImageCanvas';

export function PredictView() {
  const source = useLab((s) => s.source);
  const ready = useLab((s) => s.summary !== null);
  const input = useLab((s) => s.predictInput);
  const builtin = findBuiltin(source?.kind === 'builtin' ? source.id : DEFAULT_BUILTIN_ID)!;
  return (
    <section className="card predict">
      <h2>Predict</h2>
      <h3>Samples</h3>
      {source && source.kind !== 'builtin' && <div className="muted small">From {builtin.title}; their labels are its classes.</div>}
      <SampleGallery indexPath={builtin.samples} />
      <div className="upload-row">
        <label className={ready ? 'button' : 'button disabled'}>
          Upload image…
          <input
            type="file"
            accept="image/*"
            hidden
            disabled={!ready}
            data-testid="image-file-input"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void predictFile(file);
            }}
          />
        </label>
        {input?.kind === 'scene' && (
          <RawImageCanvas className="input-preview" image={input.image} title={`${input.dataset} #${input.index}: ${input.label}`} />
        )}
        {input && input.kind !== 'scene' && (
          <img className="input-preview" src={input.url} alt={input.kind === 'sample' ? input.label : input.name} />
        )}
      </div>
      <TopPredictions />
    </section>
  );
}
