/**
 * The causal tests of the circuit on held-out examples, against random circuits of the same size
 * per layer: a table (effect, random mean ± sd, z, p) and a chart of effect vs random.
 */
import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { CausalResults as Causal, CausalTest } from '../../engine/circuits/types';
import { useLab } from '../../store';

const TESTS: Array<{ key: keyof Causal; title: string; what: string }> = [
  { key: 'necessity', title: 'Necessity', what: 'drop in held-out accuracy when the circuit is ablated' },
  { key: 'sufficiency', title: 'Sufficiency', what: 'drop when only the circuit is kept in its layers' },
  { key: 'specificity', title: 'Specificity', what: 'the ablation’s drop on the other classes' },
];

const fmt = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

export function CausalResults() {
  const causal = useLab((s) => s.circuit?.causal ?? null);
  const random = useLab((s) => s.circuit?.spec.random ?? 0);
  const agreement = useLab((s) => s.circuit?.agreement ?? null);
  const curve = useLab((s) => s.circuit?.curve ?? null);
  const clean = useLab((s) => s.circuit?.cleanAccuracy ?? null);
  if (!causal) return <p className="muted small">No causal tests with this circuit{random === 0 ? ' (random = 0 skips them)' : ''}.</p>;
  const rows = TESTS.map((t) => ({ ...t, test: causal[t.key] as CausalTest }));
  const chart = rows.map((r) => ({ name: r.title, circuit: r.test.effect, random: r.test.randomMean, sd: r.test.randomSd }));
  return (
    <div className="circuit-causal" data-testid="circuit-causal">
      <table className="small">
        <thead>
          <tr>
            <th>test</th>
            <th>effect</th>
            <th>random mean ± sd</th>
            <th>z</th>
            <th>p</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} title={r.what} data-testid={`causal-${r.key}`}>
              <td>{r.title}</td>
              <td className="mono">{fmt(r.test.effect)}</td>
              <td className="mono">
                {fmt(r.test.randomMean)} ± {fmt(r.test.randomSd)}
              </td>
              <td className="mono">{fmt(r.test.z, 2)}</td>
              <td className="mono">{fmt(r.test.p)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <BarChart width={320} height={160} data={chart} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
        <XAxis dataKey="name" fontSize={10} />
        <YAxis fontSize={10} />
        <Tooltip />
        <Legend wrapperStyle={{ fontSize: 10 }} />
        <Bar dataKey="circuit" fill="#7fc6ff" isAnimationActive={false} />
        <Bar dataKey="random" fill="#888" isAnimationActive={false}>
          <ErrorBar dataKey="sd" width={4} stroke="#ccc" />
        </Bar>
      </BarChart>
      <p className="muted small">
        Effects are drops in held-out accuracy of the target class{clean !== null ? ` (clean accuracy ${(clean * 100).toFixed(1)}%)` : ''} against {random} random circuits with the same units per layer.
      </p>
      {curve && curve.length > 0 && (
        <LineChart width={320} height={170} data={curve} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} data-testid="circuit-curve">
          <CartesianGrid strokeDasharray="3 3" opacity={0.3} />
          <XAxis dataKey="k" fontSize={10} label={{ value: 'k ablated per layer', position: 'insideBottom', fontSize: 10, offset: -2 }} />
          <YAxis fontSize={10} domain={[0, 1]} />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 10 }} />
          <Line dataKey="circuit" name="circuit" stroke="#7fc6ff" dot isAnimationActive={false} />
          <Line dataKey="randomMean" name="random" stroke="#aaa" strokeDasharray="4 3" dot isAnimationActive={false} />
        </LineChart>
      )}
      {agreement && (
        <table className="small" data-testid="circuit-agreement">
          <thead>
            <tr>
              <th>layer</th>
              <th>CLA ∩ ablation</th>
              <th>Spearman ρ</th>
            </tr>
          </thead>
          <tbody>
            {agreement.map((a) => (
              <tr key={a.layer}>
                <td className="mono">{a.layer}</td>
                <td className="mono">{fmt(a.overlap, 2)}</td>
                <td className="mono">{fmt(a.spearman, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
