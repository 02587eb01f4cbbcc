/** Orders of the unit grid. */
import type { GridSort } from '../../store/exemplarSlice';
import type { GridEntry } from '../../worker/protocol';

export const GRID_SORTS: ReadonlyArray<{ id: GridSort; title: string }> = [
  { id: 'unit', title: 'unit index' },
  { id: 'selectivity', title: 'selectivity (high first)' },
  { id: 'sparsity', title: 'sparsity (least often active first)' },
  { id: 'concept', title: 'concept strength (high first)' },
];

export function sortUnits(units: readonly GridEntry[], sort: GridSort): GridEntry[] {
  const out = [...units];
  const by = (f: (u: GridEntry) => number) => out.sort((a, b) => f(b) - f(a) || a.unit - b.unit);
  if (sort === 'selectivity') by((u) => u.selectivity);
  else if (sort === 'sparsity') by((u) => -u.sparsity);
  else if (sort === 'concept') by((u) => (Number.isFinite(u.conceptZ) ? u.conceptZ : 1e9));
  else out.sort((a, b) => a.unit - b.unit);
  return out;
}
