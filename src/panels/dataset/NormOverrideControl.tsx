/**
 * The image dataset's normalisation: three means and three stds (RGB, after /255), the model's
 * values until the researcher applies others. Applying fits the open dataset again (a new identity,
 * so exemplar indexes of the old normalisation are never reused); bad numbers are refused inline
 * and nothing is sent.
 */
import { useEffect, useState } from 'react';
import { useLab } from '../../store';
import { parseNormFields, type NormOverride } from '../../store/normOverride';

const CHANNELS = ['R', 'G', 'B'] as const;

function fieldsOf(norm: NormOverride): string[] {
  return [...norm.mean, ...norm.std].map(String);
}

export function NormOverrideControl() {
  const override = useLab((s) => s.datasetNorm);
  const model = useLab((s) => s.summary?.preprocess ?? null);
  const setNorm = useLab((s) => s.setDatasetNorm);
  const busy = useLab((s) => s.datasetStatus === 'loading');
  const shown = override ?? (model ? { mean: model.mean, std: model.std } : null);
  const [fields, setFields] = useState<string[]>(() => (shown ? fieldsOf(shown) : ['', '', '', '', '', '']));
  const [problem, setProblem] = useState<string | null>(null);
  const key = shown ? fieldsOf(shown).join('|') : '';
  // The fields follow the store when the override or the model changes (a link, a reset, another model).
  useEffect(() => {
    if (shown) setFields(fieldsOf(shown));
    setProblem(null);
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!model) return null;
  const apply = () => {
    const parsed = parseNormFields(fields.slice(0, 3), fields.slice(3));
    if (!parsed.ok) {
      setProblem(`Not applied: ${parsed.problem}.`);
      return;
    }
    setProblem(null);
    void setNorm(parsed.norm);
  };
  const input = (i: number) => {
    const which = i < 3 ? 'mean' : 'std';
    const ch = CHANNELS[i % 3];
    return (
      <input
        key={i}
        type="text"
        inputMode="decimal"
        size={6}
        aria-label={`${which} ${ch}`}
        aria-invalid={problem !== null && problem.includes(`${which} ${ch}`)}
        data-testid={`norm-${which}-${i % 3}`}
        placeholder={String((which === 'mean' ? model.mean : model.std)[i % 3])}
        value={fields[i]}
        onChange={(e) => {
          const next = [...fields];
          next[i] = e.target.value;
          setFields(next);
        }}
      />
    );
  };
  return (
    <form
      className="norm-override"
      data-testid="norm-override"
      aria-label="Normalisation (mean and std per channel)"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <span className="muted small" title="Per channel (R, G, B), after dividing the pixels by 255: (x − mean) / std">
        normalise
      </span>
      <span className="norm-group">
        <span className="muted small">mean</span>
        {[0, 1, 2].map(input)}
      </span>
      <span className="norm-group">
        <span className="muted small">std</span>
        {[3, 4, 5].map(input)}
      </span>
      <button type="submit" data-testid="norm-apply" disabled={busy}>
        Apply
      </button>
      <button
        type="button"
        data-testid="norm-reset"
        disabled={busy || override === null}
        title={`The model’s values: mean ${model.mean.join(', ')}, std ${model.std.join(', ')}`}
        onClick={() => {
          setProblem(null);
          setFields(fieldsOf({ mean: model.mean, std: model.std }));
          void setNorm(null);
        }}
      >
        Reset to model
      </button>
      {problem && (
        <div className="bad small norm-problem" role="alert" data-testid="norm-error">
          {problem}
        </div>
      )}
    </form>
  );
}
