/** One exemplar: the image with the unit's map as a heatmap, the masked image (MAIA), its value and threshold. */
import { RgbaCanvas } from '../../ui/RgbaCanvas';
import { RawImageCanvas } from '../../ui/RawImageCanvas';
import { formatPercent } from '../../ui/format';
import type { MapView } from './mapViews';

export function ExemplarCard({ view, value, title, testid, rank }: { view: MapView; value: number; title: string; testid: string; rank: number }) {
  const { width, height } = view.image;
  return (
    <figure className="exemplar" data-testid={testid} data-rank={rank} title={title}>
      <div className="exemplar-pics">
        {view.overlay ? (
          <RgbaCanvas rgba={view.overlay} width={width} height={height} testid="exemplar-map" title="activation map (heat) over the image" />
        ) : (
          <RawImageCanvas image={view.image} />
        )}
        {view.masked && <RgbaCanvas rgba={view.masked} width={width} height={height} testid="exemplar-masked" title="outside the region above the threshold dimmed to 25%" />}
      </div>
      <figcaption>
        <span className="mono" data-testid="exemplar-value">
          {value.toFixed(3)}
        </span>
        {view.threshold !== null && (
          <span className="muted small" title={`threshold ${view.threshold.toFixed(4)}; ${formatPercent(view.kept ?? 0)} of the pixels above it`}>
            thr {view.threshold.toFixed(2)} · {formatPercent(view.kept ?? 0)}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
