/** The unit's distribution of per-image max over the dataset (recharts bars). */
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { UnitStats } from '../../engine/exemplars/layerIndex';

export function UnitHistogram({ stats }: { stats: UnitStats }) {
  const { edges, counts } = stats.histogram;
  const data = counts.map((count, i) => ({ x: (edges[i] + edges[i + 1]) / 2, count, from: edges[i], to: edges[i + 1] }));
  return (
    <div className="unit-histogram" data-testid="unit-histogram">
      <BarChart width={380} height={150} data={data} margin={{ top: 4, right: 8, bottom: 0, left: -12 }} barCategoryGap={1}>
        <CartesianGrid stroke="#2c323a" vertical={false} />
        <XAxis dataKey="x" tickFormatter={(v: number) => v.toFixed(1)} tick={{ fill: '#8b949e', fontSize: 10 }} stroke="#2c323a" minTickGap={16} />
        <YAxis scale="sqrt" tick={{ fill: '#8b949e', fontSize: 10 }} stroke="#2c323a" allowDecimals={false} />
        <Tooltip
          contentStyle={{ background: '#1b1f24', border: '1px solid #2c323a', fontSize: 11 }}
          labelFormatter={(_, payload) => {
            const p = payload?.[0]?.payload as { from: number; to: number } | undefined;
            return p ? `max in [${p.from.toFixed(3)}, ${p.to.toFixed(3)})` : '';
          }}
          formatter={(v) => [String(v), 'scenes']}
        />
        <Bar dataKey="count" fill="#4f8cc9" isAnimationActive={false} />
      </BarChart>
    </div>
  );
}
