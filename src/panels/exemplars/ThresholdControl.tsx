/** How the masked exemplars are cut: a fraction of each image's map max, or of the unit's best value. */
import { useLab } from '../../store';

export function ThresholdControl() {
  const t = useLab((s) => s.exThreshold);
  const set = useLab((s) => s.setExemplarThreshold);
  return (
    <div className="threshold-control">
      <select data-testid="threshold-basis" aria-label="Threshold basis" value={t.basis} onChange={(e) => set({ ...t, basis: e.target.value as 'image' | 'unit' })}>
        <option value="image">× image max</option>
        <option value="unit">× unit best</option>
      </select>
      <input
        type="range"
        min={0.05}
        max={0.95}
        step={0.05}
        value={t.fraction}
        data-testid="threshold-fraction"
        aria-label="Threshold fraction"
        onChange={(e) => set({ ...t, fraction: Number(e.target.value) })}
      />
      <span className="mono small">{t.fraction.toFixed(2)}</span>
    </div>
  );
}
