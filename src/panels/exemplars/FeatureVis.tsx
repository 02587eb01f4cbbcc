/**
 * Feature visualisation of the open unit: images optimised to maximise it (worker, live progress
 * with previews), each with the unit's activation on it (its spatial max, the exemplar ranking
 * score) against the best dataset exemplar's — a visualisation below that is a failed optimisation.
 * The objective is the unit's smooth spatial max (default: the exemplars' own score) or its mean (a
 * texture filling the image). Seed and objective are in the link; a link with a seed runs the
 * visualisation when the unit opens.
 */
import { useEffect, useRef } from 'react';
import { useLab } from '../../store';
import { FEATURE_OBJECTIVES, type FeatureObjective } from '../../engine/featvis/settings';
import { DEFAULT_FV_SEED } from '../../store/gradSlice';
import { formatMs } from '../../ui/format';
import { RawImageCanvas } from '../../ui/RawImageCanvas';

export function FeatureVis() {
  const layer = useLab((s) => s.layer);
  const unit = useLab((s) => s.unit);
  const sha = useLab((s) => s.summary?.sha256 ?? null);
  const best = useLab((s) => (s.exUnit && s.exUnit.layer === s.layer && s.exUnit.unit === s.unit ? s.exUnit.stats.max : null));
  const seed = useLab((s) => s.fvSeed);
  const objective = useLab((s) => s.fvObjective);
  const settings = useLab((s) => s.fvSettings);
  const status = useLab((s) => s.fvStatus);
  const progress = useLab((s) => s.fvProgress);
  const preview = useLab((s) => s.fvPreview);
  const result = useLab((s) => s.fvResult);
  const { runFeatureVis, cancelFeatureVis, setFvSeed, setFvObjective, setFvSettings } = useLab.getState();
  const current = result && result.modelSha256 === sha && result.layer === layer && result.unit === unit ? result : null;

  // A link with a seed reproduces its visualisation: run once per (model, unit, seed) it names.
  const autoRan = useRef<string | null>(null);
  useEffect(() => {
    if (seed === null || !sha || layer === null || unit === null || best === null) return;
    const key = `${sha}|${layer}#${unit}|${seed}|${objective}`;
    if (autoRan.current === key || status === 'running') return;
    if (current && current.seed === seed && current.objective === objective) return;
    autoRan.current = key;
    void runFeatureVis();
  }, [seed, objective, sha, layer, unit, best, status, current, runFeatureVis]);

  const shownSeed = seed ?? DEFAULT_FV_SEED;
  const top = current ? Math.max(...current.activation) : null;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return (
    <div className="featvis" data-testid="featvis" data-status={status}>
      <h3>Feature visualisation</h3>
      <div className="fv-controls">
        <label className="small">
          seed{' '}
          <input
            type="number"
            min={0}
            step={1}
            className="fv-seed"
            data-testid="featvis-seed"
            value={shownSeed}
            onChange={(e) => {
              const n = Number(e.target.value);
              if (Number.isSafeInteger(n) && n >= 0) setFvSeed(n);
            }}
          />
        </label>
        <select aria-label="Objective" data-testid="featvis-objective" value={objective} onChange={(e) => setFvObjective(e.target.value as FeatureObjective)}>
          {FEATURE_OBJECTIVES.map((o) => (
            <option key={o} value={o} title={OBJECTIVE_HINT[o]}>
              {o === 'max' ? 'smooth spatial max (default)' : 'spatial mean'}
            </option>
          ))}
        </select>
        <select aria-label="Samples" data-testid="featvis-samples" value={settings.samples} onChange={(e) => setFvSettings({ samples: Number(e.target.value) })}>
          {[1, 2, 4, 8].map((n) => (
            <option key={n} value={n}>
              {n} sample{n > 1 ? 's' : ''}
            </option>
          ))}
        </select>
        <select aria-label="Steps" data-testid="featvis-steps" value={settings.steps} onChange={(e) => setFvSettings({ steps: Number(e.target.value) })}>
          {[64, 128, 256, 512].map((n) => (
            <option key={n} value={n}>
              {n} steps
            </option>
          ))}
        </select>
        {status === 'running' ? (
          <button type="button" data-testid="featvis-cancel" onClick={cancelFeatureVis}>
            Cancel
          </button>
        ) : (
          <button type="button" data-testid="featvis-run" onClick={() => void runFeatureVis()} disabled={layer === null || unit === null}>
            Visualise unit {unit}
          </button>
        )}
        <span className="muted small">Adam on a decorrelated Fourier image, jitter/scale/rotation each step; the seed is in the link</span>
      </div>
      {status === 'running' && (
        <div className="fv-progress" data-testid="featvis-progress">
          <progress value={progress?.step ?? 0} max={progress?.steps ?? settings.steps} />
          <span className="mono small">
            step {progress?.step ?? 0} / {progress?.steps ?? settings.steps}
            {progress ? ` · objective (${objective}) ${mean(progress.values).toFixed(3)}` : ''}
          </span>
        </div>
      )}
      <div className="fv-row">
        {current
          ? current.images.map((img, i) => (
              <figure className="fv-fig" key={i} data-testid="featvis-image">
                <RawImageCanvas image={img} scale={img.width <= 96 ? 2 : 1} />
                <figcaption className="mono small" data-testid="featvis-activation" title="the unit's spatial max on this image (as exemplars are ranked)">
                  {current.activation[i].toFixed(3)}
                </figcaption>
              </figure>
            ))
          : status === 'running' &&
            preview?.map((img, i) => (
              <figure className="fv-fig preview" key={i} data-testid="featvis-preview">
                <RawImageCanvas image={img} scale={img.width <= 96 ? 2 : 1} />
              </figure>
            ))}
      </div>
      {current && top !== null && (
        <div className="fv-verdict small" data-testid="featvis-verdict" data-beats={best !== null && top > best ? 'true' : 'false'}>
          spatial max reached <strong className="mono" data-testid="featvis-reached">{top.toFixed(3)}</strong> (best of {current.images.length}; {current.objective} objective, seed{' '}
          {current.seed}, {current.steps} steps,{' '}
          {formatMs(current.ms)}) · best dataset exemplar{' '}
          <strong className="mono" data-testid="featvis-best-exemplar">
            {best === null ? '—' : best.toFixed(3)}
          </strong>
          {best !== null && (top > best ? ` · beats it ×${(top / Math.max(best, 1e-9)).toFixed(2)}` : ' · failed optimisation: below the best exemplar')}
        </div>
      )}
    </div>
  );
}

const OBJECTIVE_HINT: Record<FeatureObjective, string> = {
  max: "maximise a smooth maximum of the unit over the image (pre-ReLU): the score its exemplars are ranked by",
  mean: "maximise the unit's mean over the image (pre-ReLU): a pattern repeated over the whole image",
};
