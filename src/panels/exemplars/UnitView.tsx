/**
 * One unit: its automatic description, statistics and histogram, concept association, the top-k
 * and bottom-k exemplars (each with its map as a heatmap and MAIA's masked version), and "try it".
 */
import { SavedUnitLabel } from '../agent/SavedUnitLabel';
import { useMemo } from 'react';
import { describeUnit, regionBoxIoU } from '../../engine/exemplars/concepts';
import { useLab } from '../../store';
import type { ExemplarItem, UnitExemplars } from '../../worker/protocol';
import { formatPercent } from '../../ui/format';
import { ConceptTable } from './ConceptTable';
import { ExemplarCard } from './ExemplarCard';
import { mapView, ruleOf, type MapView } from './mapViews';
import { ThresholdControl } from './ThresholdControl';
import { TryIt } from './TryIt';
import { AttributionView } from './AttributionView';
import { FeatureVis } from './FeatureVis';
import { UnitHistogram } from './UnitHistogram';
import { unitCardPng } from './unitCardPng';
import { saveBlob } from '../../ui/saveBlob';

/** The heat scale shared by every picture of the unit: 0 (or the lowest map value) to its best value. */
function heatScale(ex: UnitExemplars): { lo: number; hi: number } {
  let lo = 0;
  let hi = ex.stats.max;
  for (const it of [...ex.top, ...ex.bottom]) {
    if (!it.map) continue;
    for (const v of it.map.data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return { lo, hi };
}

function itemTitle(it: ExemplarItem): string {
  const f = it.facets;
  return `scene #${it.index}: ${it.value.toFixed(4)}${f ? ` · ${f.class}, ${f.color}, ${f.texture}, on ${f.background}` : ''}`;
}

/** Mean IoU of the top exemplars' regions (at the threshold in use) with their item boxes. */
function meanIoU(items: ExemplarItem[], views: MapView[]): number | null {
  const ious: number[] = [];
  items.forEach((it, i) => {
    const v = views[i];
    if (!v.up || v.threshold === null || !it.facets) return;
    const sx = v.image.width / it.image.width;
    const sy = v.image.height / it.image.height;
    const b = it.facets.bbox;
    const box = b ? ([Math.round(b[0] * sx), Math.round(b[1] * sy), Math.round(b[2] * sx), Math.round(b[3] * sy)] as [number, number, number, number]) : null;
    ious.push(regionBoxIoU(v.up, v.image.width, v.image.height, v.threshold, box));
  });
  return ious.length ? ious.reduce((a, b) => a + b, 0) / ious.length : null;
}

export function UnitView() {
  const ex = useLab((s) => s.exUnit);
  const unit = useLab((s) => s.unit);
  const layer = useLab((s) => s.layer);
  const loading = useLab((s) => s.exUnitLoading);
  const status = useLab((s) => s.exIndexStatus);
  const live = useLab((s) => s.summary);
  const snapshot = useLab((s) => s.exSnapshot);
  // Before the model is ready, a snapshot's own summary names the layer and sizes the maps.
  const summary = live ?? snapshot?.summary ?? null;
  const threshold = useLab((s) => s.exThreshold);
  const size = summary?.preprocess.size ?? [64, 64];
  const current = ex && ex.layer === layer && ex.unit === unit ? ex : null;
  const views = useMemo(() => {
    if (!current) return null;
    const scale = heatScale(current);
    const rule = ruleOf(threshold, current.stats.max);
    const make = (it: ExemplarItem) => mapView(it.image, it.map, size, scale, rule);
    return { top: current.top.map(make), bottom: current.bottom.map(make), scale, rule };
  }, [current, threshold, size[0], size[1]]); // eslint-disable-line react-hooks/exhaustive-deps
  const label = summary?.layers.find((l) => l.tensor === layer)?.label ?? layer;
  if (!current || !views) {
    return (
      <section className="card unit-view muted" data-testid="unit-view" data-state="loading">
        Unit {unit} of {label}: {status === 'ready' || loading ? 'loading its exemplars…' : 'waiting for the index…'}
      </section>
    );
  }
  const { stats } = current;
  const iou = meanIoU(current.top, views.top);
  const thresholdText =
    threshold.basis === 'image'
      ? `${threshold.fraction.toFixed(2)} × each image’s map max`
      : `${threshold.fraction.toFixed(2)} × the unit’s best (${(threshold.fraction * stats.max).toFixed(3)})`;
  return (
    <section className={loading ? 'card unit-view stale' : 'card unit-view'} data-testid="unit-view" data-state="ready" data-unit={current.unit}>
      <div className="unit-head">
        <h2>
          {label} · unit {current.unit}
        </h2>
        <span className="unit-description" data-testid="unit-description" title="automatic: attribute values over-represented among the top exemplars, and the mean IoU of their thresholded maps with the item box">
          {describeUnit(current.labels, iou)}
        </span>
        <SavedUnitLabel layer={current.layer} unit={current.unit} />
        <button
          type="button"
          className="small"
          data-testid="unit-png"
          title="The unit card (label, statistics, histogram, exemplars with their maps) as a PNG, for a paper"
          onClick={() =>
            void unitCardPng({ title: `${label} · unit ${current.unit}`, label: describeUnit(current.labels, iou), stats, top: views.top, bottom: views.bottom }).then((png) =>
              saveBlob(png, `unit-${current.unit}-${(label ?? 'layer').replace(/[^A-Za-z0-9._-]+/g, '_')}.png`),
            )
          }
        >
          PNG
        </button>
        {snapshot && (
          <span className="badge muted small" data-testid="unit-snapshot-badge" title="the unit's last complete view, kept by this browser; the live one replaces it when the model is ready">
            saved view
          </span>
        )}
      </div>
      <div className="unit-summary">
        <div>
          <dl className="facts" data-testid="unit-stats">
            <dt>mean</dt>
            <dd className="mono">{stats.mean.toFixed(4)}</dd>
            <dt>std</dt>
            <dd className="mono">{stats.std.toFixed(4)}</dd>
            <dt>min / max</dt>
            <dd className="mono">
              {stats.min.toFixed(3)} / {stats.max.toFixed(3)}
            </dd>
            <dt title="share of scenes where the unit's max is above 0">active on</dt>
            <dd className="mono">{formatPercent(stats.sparsity)}</dd>
            <dt title="of the top exemplars' regions with the item's box, at this threshold">box IoU</dt>
            <dd className="mono" data-testid="unit-iou">
              {iou === null ? '—' : iou.toFixed(3)}
            </dd>
          </dl>
          <ThresholdControl />
          <div className="muted small">Mask threshold: {thresholdText}</div>
        </div>
        <UnitHistogram stats={stats} />
        <ConceptTable concepts={current.concepts} labels={current.labels} />
      </div>
      <h3>Top {current.top.length} exemplars</h3>
      <div className="exemplar-row" data-testid="exemplars-top">
        {current.top.map((it, i) => (
          <ExemplarCard key={`t${it.index}`} view={views.top[i]} value={it.value} title={itemTitle(it)} testid="exemplar" rank={i + 1} classToken={it.classToken} />
        ))}
      </div>
      <h3>Bottom {current.bottom.length} exemplars</h3>
      <div className="exemplar-row" data-testid="exemplars-bottom">
        {current.bottom.map((it, i) => (
          <ExemplarCard key={`b${it.index}`} view={views.bottom[i]} value={it.value} title={itemTitle(it)} testid="exemplar-bottom" rank={i + 1} classToken={it.classToken} />
        ))}
      </div>
      {live && (
        <>
          <TryIt scale={views.scale} rule={views.rule} size={size} />
          <AttributionView scale={views.scale} rule={views.rule} size={size} />
          <FeatureVis />
        </>
      )}
    </section>
  );
}
