/**
 * Target (default, a class logit, the concept's most selective units, a unit), the layers the
 * circuit spans (the defaults are marked; any listed layer can be picked), k, method, reduce,
 * seed and the number of random baseline circuits.
 */
import { useMemo } from 'react';
import type { CircuitTarget } from '../../engine/circuits/types';
import { useLab } from '../../store';
import { shortLayer } from './graphSvg';

type TargetKind = 'default' | CircuitTarget['kind'];

function NumberField({ label, value, min, max, onChange, testid }: { label: string; value: number; min: number; max: number; onChange: (v: number) => void; testid: string }) {
  return (
    <label className="inline">
      <span className="muted small">{label}</span>
      <input type="number" min={min} max={max} value={value} data-testid={testid} onChange={(e) => onChange(Math.min(max, Math.max(min, Math.round(Number(e.target.value) || 0))))} />
    </label>
  );
}

export function CircuitSettings() {
  const draft = useLab((s) => s.circuitDraft);
  const setDraft = useLab((s) => s.setCircuitDraft);
  const summary = useLab((s) => s.summary);
  const known = useLab((s) => s.circuitDefaultLayers);
  const defaults = useMemo(() => (known && known.modelSha256 === summary?.sha256 ? known.layers : []), [known, summary]);
  const compare = useLab((s) => s.circuitCompare);
  const setCompare = useLab((s) => s.setCircuitCompare);
  const chosen = draft.layers ?? defaults;
  const spatial = useMemo(() => summary?.layers.filter((l) => l.shape.length === 4) ?? [], [summary]);
  const labels = summary?.labels ?? null;
  const classes = labels?.length ?? Number(summary?.outputs[0]?.shape.at(-1) ?? 0);
  const t = draft.target;
  const kind: TargetKind = t === null ? 'default' : t.kind;

  const setKind = (k: TargetKind) => {
    if (k === 'default') setDraft({ target: null });
    else if (k === 'logit') setDraft({ target: { kind: 'logit', index: 0 } });
    else if (k === 'selective') setDraft({ target: { kind: 'selective', count: 3 } });
    else if (k === 'unit') setDraft({ target: { kind: 'unit', layer: chosen[chosen.length - 1] ?? spatial[0]?.tensor ?? '', unit: 0 } });
  };
  const toggleLayer = (tensor: string) => {
    const set = new Set(chosen);
    if (set.has(tensor)) set.delete(tensor);
    else set.add(tensor);
    // Keep the model's order: input to output.
    setDraft({ layers: summary ? summary.layers.map((l) => l.tensor).filter((x) => set.has(x)) : [...set] });
  };

  return (
    <div className="circuit-settings" data-testid="circuit-settings">
      <label className="inline">
        <span className="muted small">target</span>
        <select value={kind} data-testid="circuit-target-kind" onChange={(e) => setKind(e.target.value as TargetKind)}>
          <option value="default">the concept’s class (default)</option>
          <option value="logit">a class logit</option>
          <option value="selective">most selective units</option>
          <option value="unit">a unit</option>
        </select>
        {t?.kind === 'logit' && (
          <select value={t.index} data-testid="circuit-target-logit" onChange={(e) => setDraft({ target: { kind: 'logit', index: Number(e.target.value) } })}>
            {Array.from({ length: Math.max(1, classes) }, (_, i) => (
              <option key={i} value={i}>
                {i} {labels?.[i] ?? ''}
              </option>
            ))}
          </select>
        )}
        {t?.kind === 'selective' && <input type="number" min={1} max={64} value={t.count} onChange={(e) => setDraft({ target: { kind: 'selective', count: Math.max(1, Math.min(64, Math.round(Number(e.target.value) || 1))) } })} />}
        {t?.kind === 'unit' && (
          <>
            <select value={t.layer} onChange={(e) => setDraft({ target: { ...t, layer: e.target.value } })}>
              {summary?.layers.map((l) => (
                <option key={l.tensor} value={l.tensor}>
                  {l.label}
                </option>
              ))}
            </select>
            <input type="number" min={0} value={t.unit} onChange={(e) => setDraft({ target: { ...t, unit: Math.max(0, Math.round(Number(e.target.value) || 0)) } })} />
          </>
        )}
      </label>
      <details className="circuit-layers">
        <summary>
          layers: {chosen.length} {draft.layers === null ? '(default: block outputs)' : ''}
          {draft.layers !== null && (
            <button type="button" className="link small" onClick={() => setDraft({ layers: null })}>
              reset
            </button>
          )}
        </summary>
        <div className="circuit-layer-list">
          {spatial.map((l) => (
            <label key={l.tensor} className="small" title={l.tensor}>
              <input type="checkbox" checked={chosen.includes(l.tensor)} onChange={() => toggleLayer(l.tensor)} />
              <span className="mono">{shortLayer(l.tensor)}</span> <span className="muted">{l.op} · {l.channels}</span>
              {defaults.includes(l.tensor) && <span className="muted"> ·default</span>}
            </label>
          ))}
        </div>
      </details>
      <div className="circuit-row">
        <NumberField label="k" value={draft.k} min={1} max={64} onChange={(k) => setDraft({ k })} testid="circuit-k" />
        <label className="inline">
          <span className="muted small">method</span>
          <select value={draft.method} data-testid="circuit-method" onChange={(e) => setDraft({ method: e.target.value as 'cla' | 'ablation' })}>
            <option value="cla">CLA (attribution)</option>
            <option value="ablation">ablation</option>
          </select>
        </label>
        <label className="inline">
          <span className="muted small">reduce</span>
          <select value={draft.reduce} onChange={(e) => setDraft({ reduce: e.target.value as 'mean' | 'max' })}>
            <option value="mean">mean</option>
            <option value="max">max</option>
          </select>
        </label>
        <NumberField label="seed" value={draft.seed} min={0} max={2 ** 32 - 1} onChange={(seed) => setDraft({ seed })} testid="circuit-seed" />
        <NumberField label="random" value={draft.random} min={0} max={200} onChange={(random) => setDraft({ random })} testid="circuit-random" />
        <label className="inline small" title="Also run the other method along the circuit: overlap of kept units and rank correlation of edge weights per layer">
          <input type="checkbox" checked={compare} onChange={(e) => setCompare(e.target.checked)} /> compare CLA and ablation
        </label>
      </div>
    </div>
  );
}
