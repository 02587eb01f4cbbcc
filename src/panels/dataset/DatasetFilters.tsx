/** One dropdown per dataset filter (class, colour, texture, background kind), each value with its count. */
import { FILTER_KEYS, FILTER_VALUES, type DatasetFilter, type FilterKey } from '../../engine/data/datasets';
import { useLab } from '../../store';

const LABELS: Record<FilterKey, { title: string; any: string; testid: string }> = {
  class: { title: 'Class', any: 'any class', testid: 'filter-class' },
  color: { title: 'Colour', any: 'any colour', testid: 'filter-color' },
  texture: { title: 'Texture', any: 'any texture', testid: 'filter-texture' },
  background: { title: 'Background', any: 'any background', testid: 'filter-background' },
};

export function DatasetFilters() {
  const filter = useLab((s) => s.datasetFilter);
  const counts = useLab((s) => s.datasetPage?.counts ?? null);
  const setFilter = useLab((s) => s.setDatasetFilter);
  const open = useLab((s) => s.datasetStatus === 'ready');
  return (
    <div className="dataset-filters">
      {FILTER_KEYS.map((key) => {
        const values = FILTER_VALUES[key] as readonly string[];
        const total = counts ? counts[key].reduce((a, b) => a + b, 0) : null;
        return (
          <label key={key}>
            <span className="muted">{LABELS[key].title}</span>
            <select
              data-testid={LABELS[key].testid}
              value={filter[key] ?? ''}
              disabled={!open}
              onChange={(e) => {
                const next: Record<string, string | undefined> = { ...filter, [key]: e.target.value || undefined };
                void setFilter(next as DatasetFilter);
              }}
            >
              <option value="">
                {LABELS[key].any}
                {total !== null ? ` (${total})` : ''}
              </option>
              {values.map((v, i) => (
                <option key={v} value={v}>
                  {v}
                  {counts ? ` (${counts[key][i]})` : ''}
                </option>
              ))}
            </select>
          </label>
        );
      })}
      {Object.keys(filter).length > 0 && (
        <button type="button" className="link" data-testid="filter-clear" disabled={!open} onClick={() => void setFilter({})}>
          Clear filters
        </button>
      )}
    </div>
  );
}
