/** The embed card (`&embed=1`) of the Upscale panel: the comparison of the result against bicubic, with its metrics. */
import { useEffect } from 'react';
import { useLab } from '../../store';
import { CompareView } from './CompareView';
import { MetricsTable } from './MetricsTable';

export function UpscaleEmbed() {
  const result = useLab((s) => s.upResult);
  const running = useLab((s) => s.upRunning);
  const info = useLab((s) => s.upInfo);
  const input = useLab((s) => s.upInput);
  useEffect(() => {
    void useLab.getState().ensureUpscaler();
  }, []);
  const modelName = info?.name.replace(/\.onnx$/i, '') ?? 'model';
  if (!result) {
    return <div className="card muted">{running ? 'Upscaling…' : 'This link holds no image: an upscale comparison embeds from an experiment file (&exp=…) that carries its image.'}</div>;
  }
  return (
    <section className="panel upscale-panel embed-card" data-testid="embed-upscale">
      <div className="muted small">
        {input?.name ?? 'image'} · {result.input.width}×{result.input.height} → {result.output.width}×{result.output.height} · {modelName}
      </div>
      <CompareView model={result.output} bicubic={result.bicubic} modelName={modelName} />
      {result.metrics && <MetricsTable metrics={result.metrics} modelName={modelName} />}
    </section>
  );
}
