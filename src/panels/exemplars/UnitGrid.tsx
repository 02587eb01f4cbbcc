/** Every unit of the indexed layer: best exemplar, activation distribution, selectivity; click to open. */
import { useMemo } from 'react';
import { useLab } from '../../store';
import { RawImageCanvas } from '../../ui/RawImageCanvas';
import { formatPercent } from '../../ui/format';
import { GRID_SORTS, sortUnits } from './gridSort';
import { Sparkline } from './Sparkline';

export function UnitGrid() {
  const grid = useLab((s) => s.exGrid);
  const status = useLab((s) => s.exIndexStatus);
  const sort = useLab((s) => s.exGridSort);
  const setSort = useLab((s) => s.setExemplarSort);
  const selected = useLab((s) => s.unit);
  const selectUnit = useLab((s) => s.selectUnit);
  const units = useMemo(() => (grid ? sortUnits(grid.units, sort) : []), [grid, sort]);
  if (!grid) return status === 'ready' ? <div className="muted">Summarising the units…</div> : null;
  return (
    <div className="unit-grid-wrap">
      <div className="ex-toolbar">
        <span className="muted small">
          {grid.units.length} units
          {grid.done < grid.count && <span data-testid="grid-partial"> · partial: over the first {grid.done} of {grid.count} images</span>}
        </span>
        <label className="small">
          <span className="muted">Sort by </span>
          <select data-testid="grid-sort" value={sort} onChange={(e) => setSort(e.target.value as typeof sort)}>
            {GRID_SORTS.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="unit-grid" data-testid="unit-grid">
        {units.map((u) => {
          const thumb = u.best ? grid.thumbs.get(u.best.index) : undefined;
          return (
            <button
              key={u.unit}
              type="button"
              className={u.unit === selected ? 'unit-tile selected' : 'unit-tile'}
              data-testid="unit-tile"
              data-unit={u.unit}
              title={`unit ${u.unit}: best ${u.best ? u.best.value.toFixed(3) : '—'} on scene #${u.best?.index ?? '—'}; mean ${u.mean.toFixed(3)}, std ${u.std.toFixed(3)}; active on ${formatPercent(u.sparsity)}; selectivity ${u.selectivity.toFixed(2)}${u.label ? `; ${u.label}` : ''}`}
              onClick={() => selectUnit(u.unit)}
            >
              <span className="unit-tile-head">
                <strong>#{u.unit}</strong>
                <span className="muted">{u.selectivity.toFixed(1)}σ</span>
              </span>
              {thumb ? <RawImageCanvas image={thumb} /> : <span className="unit-tile-empty" />}
              <Sparkline counts={u.spark} />
              <span className="unit-tile-label">{u.label ?? ' '}</span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
