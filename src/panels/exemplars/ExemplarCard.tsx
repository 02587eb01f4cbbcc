/**
 * One exemplar: the image with the unit's map as a heatmap, the masked image (MAIA), its value and
 * threshold, and for a token layer the unit's value on the class token.
 */
import { RgbaCanvas } from '../../ui/RgbaCanvas';
import { RawImageCanvas } from '../../ui/RawImageCanvas';
import { formatPercent } from '../../ui/format';
import type { MapView } from './mapViews';

export function ExemplarCard({
  view,
  value,
  title,
  testid,
  rank,
  classToken,
}: {
  view: MapView;
  value: number;
  title: string;
  testid: string;
  rank: number;
  /** A token layer's unit on the class token: kept out of the map, shown beside it. */
  classToken?: number[];
}) {
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
        {classToken?.map((v, k) => (
          <span key={k} className="mono small" data-testid="exemplar-cls" title="the unit on the class token (not part of the patch map)">
            cls {v.toFixed(2)}
          </span>
        ))}
        {view.threshold !== null && (
          <span className="muted small" title={`threshold ${view.threshold.toFixed(4)}; ${formatPercent(view.kept ?? 0)} of the pixels above it`}>
            thr {view.threshold.toFixed(2)} · {formatPercent(view.kept ?? 0)}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
