/** The sample images of a built-in model with their true labels; clicking one classifies it. */
import { useLab } from '../../store';
import { useSamples } from './useSamples';
import { predictSample } from './predictFile';

export function SampleGallery({ indexPath }: { indexPath: string }) {
  const { data, error, isPending } = useSamples(indexPath);
  const ready = useLab((s) => s.summary !== null);
  const input = useLab((s) => s.predictInput);
  if (isPending) return <div className="muted">Loading samples…</div>;
  if (error) return <div className="muted">Samples are not available: {error.message}</div>;
  if (data.length === 0) return <div className="muted">No samples.</div>;
  return (
    <div className="gallery">
      {data.map((s, i) => (
        <button
          key={s.file}
          type="button"
          className={input?.kind === 'sample' && input.index === i ? 'sample selected' : 'sample'}
          data-testid={`sample-${i}`}
          disabled={!ready}
          title={`${s.label} (test #${s.testIndex})`}
          onClick={() => void predictSample(s, i)}
        >
          <img src={s.url} alt={s.label} width={48} height={48} loading="lazy" />
          <span>{s.label}</span>
        </button>
      ))}
    </div>
  );
}
