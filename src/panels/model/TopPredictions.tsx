/** Top-5 classes of the last prediction as probability bars, with the time it took. */
import { useLab } from '../../store';
import { formatMs, formatPercent } from '../../ui/format';

export function TopPredictions() {
  const prediction = useLab((s) => s.prediction);
  const running = useLab((s) => s.running);
  const trueLabel = useLab((s) => s.trueLabel);
  if (running) return <div className="predictions muted">Running…</div>;
  if (!prediction || prediction.top.length === 0) return <div className="predictions muted">Pick a sample or upload an image.</div>;
  const best = prediction.top[0];
  const correct = trueLabel === null ? null : best.label === trueLabel;
  return (
    <div className="predictions">
      <div className="prediction-head">
        <span className={correct === null ? '' : correct ? 'good' : 'bad'}>
          <span data-testid="prediction-top">{best.label}</span>
        </span>
        {trueLabel !== null && <span className="muted">true: {trueLabel}</span>}
        <span className="muted" data-testid="prediction-ms">
          {formatMs(prediction.ms)}
        </span>
      </div>
      {prediction.top.map((t) => (
        <div key={t.index} className="prediction-row" data-testid="prediction-row">
          <span className="prediction-label" title={`class ${t.index}`}>
            {t.label}
          </span>
          <span className="bar">
            <span style={{ width: `${Math.max(0, Math.min(1, t.probability)) * 100}%` }} />
          </span>
          <span className="num">{formatPercent(t.probability)}</span>
        </div>
      ))}
    </div>
  );
}
