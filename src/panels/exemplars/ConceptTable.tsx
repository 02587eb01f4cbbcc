/** Attribute values over-represented among the unit's top exemplars: share in the top-k, base rate, lift. */
import type { Association } from '../../engine/exemplars/concepts';
import { formatPercent } from '../../ui/format';

const KEY_TITLES: Record<Association['key'], string> = { class: 'class', color: 'colour', texture: 'texture', background: 'background' };

export function ConceptTable({ concepts, labels }: { concepts: Association[]; labels: Association[] }) {
  if (concepts.length === 0) return null;
  const isLabel = (a: Association) => labels.some((l) => l.key === a.key && l.value === a.value);
  return (
    <table className="dense concept-table" data-testid="concept-table">
      <thead>
        <tr>
          <th>attribute</th>
          <th>value</th>
          <th className="num" title="share of the top exemplars with this value">in top-k</th>
          <th className="num" title="share of the whole dataset with this value">base</th>
          <th className="num">lift</th>
          <th className="num" title="binomial z against the base rate">z</th>
        </tr>
      </thead>
      <tbody>
        {concepts.slice(0, 8).map((a) => (
          <tr key={`${a.key}:${a.value}`} className={isLabel(a) ? 'selected' : undefined}>
            <td className="muted">{KEY_TITLES[a.key]}</td>
            <td>{a.value}</td>
            <td className="num">
              {formatPercent(a.precision)} ({a.count})
            </td>
            <td className="num">{formatPercent(a.baseRate)}</td>
            <td className="num">{Number.isFinite(a.lift) ? `${a.lift.toFixed(1)}×` : '∞'}</td>
            <td className="num">{Number.isFinite(a.z) ? a.z.toFixed(1) : '∞'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
