/** Op type counts of the graph as a horizontal bar chart, most frequent first. */
import { Bar, BarChart, Tooltip, XAxis, YAxis } from 'recharts';

const ROW_PX = 18;

export function OpHistogram({ ops }: { ops: Record<string, number> }) {
  const data = Object.entries(ops)
    .map(([op, count]) => ({ op, count }))
    .sort((a, b) => b.count - a.count || a.op.localeCompare(b.op));
  return (
    <div className="op-histogram" data-testid="op-histogram">
      <BarChart
        layout="vertical"
        width={320}
        height={Math.max(60, data.length * ROW_PX + 30)}
        data={data}
        margin={{ top: 4, right: 24, bottom: 4, left: 8 }}
      >
        <XAxis type="number" allowDecimals={false} tick={{ fontSize: 10, fill: '#9aa3ad' }} stroke="#4a525c" />
        <YAxis type="category" dataKey="op" width={120} tick={{ fontSize: 11, fill: '#c9d1d9' }} stroke="#4a525c" interval={0} />
        <Tooltip cursor={{ fill: 'rgba(255,255,255,0.05)' }} contentStyle={{ background: '#1c2128', border: '1px solid #30363d', fontSize: 12 }} />
        <Bar dataKey="count" fill="#4f8cc9" isAnimationActive={false} />
      </BarChart>
    </div>
  );
}
