/**
 * Attribution map of one image for the open unit (its spatial sum) or a class logit: gradient ×
 * input or integrated gradients, shown beside the unit's activation map, signed or absolute, with
 * its scale and (integrated gradients) the completeness check Σ attribution ≈ f(x) − f(baseline).
 */
import { useEffect, useMemo, useState } from 'react';
import { attributionOverlay, pixelMap, scaleEnd, type MapMode } from '../../engine/attribution/pixelMap';
import { resizeImage } from '../../engine/exemplars/maps';
import { useLab } from '../../store';
import { attributionKey, type AttributionSettings } from '../../store/gradSlice';
import { formatMs, formatPercent } from '../../ui/format';
import { RgbaCanvas } from '../../ui/RgbaCanvas';
import { AttributionLegend } from './AttributionLegend';
import { mapView, type MapView } from './mapViews';
import type { ThresholdRule } from '../../engine/exemplars/maps';

export function AttributionView({ scale, rule, size }: { scale: { lo: number; hi: number }; rule: ThresholdRule; size: [number, number] }) {
  const settings = useLab((s) => s.attrSettings);
  const set = useLab((s) => s.setAttribution);
  const sync = useLab((s) => s.syncAttribution);
  const key = useLab(attributionKey);
  const attr = useLab((s) => s.attr);
  const running = useLab((s) => s.attrRunning);
  const progress = useLab((s) => s.attrProgress);
  const ex = useLab((s) => s.exUnit);
  const tryImage = useLab((s) => s.exTry);
  const labels = useLab((s) => s.summary?.labels ?? null);
  const classes = useLab((s) => s.summary?.outputs[0]?.shape.at(-1));
  const [mode, setMode] = useState<MapMode>('signed');

  useEffect(() => {
    if (key) void sync();
  }, [key, sync]);

  const current = attr && attr.key === key ? attr : null;
  // The unit's activation map of the same image, for comparison.
  const activation: MapView | null = useMemo(() => {
    const which = settings.image;
    if (which.kind === 'try') return tryImage ? mapView(tryImage.image, tryImage.map, size, scale, rule) : null;
    const it = ex?.top[which.rank - 1];
    return it ? mapView(it.image, it.map, size, scale, rule) : null;
  }, [settings.image, ex, tryImage, size, scale, rule]);
  const drawn = useMemo(() => {
    if (!current) return null;
    const [H, W] = current.result.map.dims;
    const map = mode === 'signed' ? current.result.map.data : pixelMap({ dims: [1, 1, H, W], data: current.result.map.data }, 'absolute').data;
    const end = scaleEnd(map);
    return { W, H, end, overlay: attributionOverlay(resizeImage(current.image, W, H), map, end, mode) };
  }, [current, mode]);

  const nClasses = typeof classes === 'number' ? classes : 0;
  const update = (patch: Partial<AttributionSettings>) => set(patch);
  const r = current?.result;
  return (
    <div className="attribution" data-testid="attribution" data-state={current ? 'ready' : running ? 'running' : 'idle'}>
      <h3>Attribution</h3>
      <div className="attr-controls">
        <select aria-label="Image" data-testid="attr-image" value={settings.image.kind === 'try' ? 'try' : String(settings.image.rank)} onChange={(e) => update({ image: e.target.value === 'try' ? { kind: 'try' } : { kind: 'exemplar', rank: Number(e.target.value) } })}>
          {(ex?.top ?? []).map((_, i) => (
            <option key={i} value={String(i + 1)}>
              top exemplar #{i + 1}
            </option>
          ))}
          {tryImage && <option value="try">try-it image ({tryImage.name})</option>}
        </select>
        <select aria-label="Target" data-testid="attr-target" value={settings.target.kind === 'unit' ? 'unit' : String(settings.target.index)} onChange={(e) => update({ target: e.target.value === 'unit' ? { kind: 'unit' } : { kind: 'logit', index: Number(e.target.value) } })}>
          <option value="unit">unit (spatial sum)</option>
          {Array.from({ length: nClasses }, (_, i) => (
            <option key={i} value={String(i)}>
              logit: {labels?.[i] ?? `class ${i}`}
            </option>
          ))}
        </select>
        <select aria-label="Method" data-testid="attr-method" value={settings.method} onChange={(e) => update({ method: e.target.value as AttributionSettings['method'] })}>
          <option value="grad-input">gradient × input</option>
          <option value="integrated-gradients">integrated gradients</option>
        </select>
        {settings.method === 'integrated-gradients' && (
          <>
            <select aria-label="Baseline" data-testid="attr-baseline" value={settings.baseline} onChange={(e) => update({ baseline: e.target.value as AttributionSettings['baseline'] })}>
              <option value="blur">blurred baseline</option>
              <option value="black">black baseline</option>
            </select>
            <select aria-label="Steps" data-testid="attr-steps" value={settings.steps} onChange={(e) => update({ steps: Number(e.target.value) })}>
              {[16, 32, 64].map((n) => (
                <option key={n} value={n}>
                  {n} steps
                </option>
              ))}
            </select>
          </>
        )}
        <select aria-label="Map" data-testid="attr-mode" value={mode} onChange={(e) => setMode(e.target.value as MapMode)}>
          <option value="signed">signed</option>
          <option value="absolute">absolute</option>
        </select>
        {running && (
          <span className="muted small" data-testid="attr-running">
            computing{progress !== null ? ` ${formatPercent(progress)}` : ''}…
          </span>
        )}
      </div>
      <div className="attr-row">
        {activation?.overlay && (
          <figure className="attr-fig">
            <RgbaCanvas rgba={activation.overlay} width={activation.image.width} height={activation.image.height} title="the unit's activation map" />
            <figcaption className="muted small">activation map</figcaption>
          </figure>
        )}
        {drawn && r && (
          <>
            <figure className="attr-fig">
              <RgbaCanvas rgba={drawn.overlay} width={drawn.W} height={drawn.H} testid="attribution-map" title={`${r.method === 'grad-input' ? 'gradient × input' : 'integrated gradients'}, summed over colour channels`} />
              <figcaption className="muted small">{r.method === 'grad-input' ? 'gradient × input' : `integrated gradients (${r.baseline}, ${r.steps} steps)`}</figcaption>
            </figure>
            <div className="attr-facts">
              <AttributionLegend end={drawn.end} mode={mode} />
              <dl className="facts">
                <dt data-testid="attribution-target">{r.target.kind === 'unit' ? 'unit (sum)' : `logit ${labels?.[r.target.index] ?? r.target.index}`}</dt>
                <dd className="mono" data-testid="attribution-value">
                  {r.value.toFixed(3)}
                </dd>
                {r.baselineValue !== null && (
                  <>
                    <dt>at baseline</dt>
                    <dd className="mono">{r.baselineValue.toFixed(3)}</dd>
                  </>
                )}
                <dt>Σ attribution</dt>
                <dd className="mono" data-testid="attribution-sum">
                  {r.sum.toFixed(3)}
                </dd>
                {r.completenessError !== null && (
                  <>
                    <dt title="|Σ attribution − (f(x) − f(baseline))| / |f(x) − f(baseline)|">completeness gap</dt>
                    <dd className="mono" data-testid="attribution-gap">
                      {formatPercent(r.completenessError)}
                    </dd>
                  </>
                )}
                <dt>time</dt>
                <dd className="mono">
                  {formatMs(r.ms)} <span className="muted" data-testid="attribution-backend">on {r.backend === 'webgpu' ? 'WebGPU' : r.backend.toUpperCase()}</span>
                </dd>
              </dl>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
