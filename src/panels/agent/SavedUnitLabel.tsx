/** The label a researcher saved for a unit (from the agent's description card), where a unit is shown. */
import { useLab } from '../../store';
import { unitLabelOf } from '../../store/agentSlice';

export function SavedUnitLabel({ layer, unit }: { layer: string; unit: number }) {
  const label = useLab((s) => unitLabelOf(s, layer, unit));
  if (!label) return null;
  return (
    <span className="badge small" data-testid="unit-saved-label" title="saved from the agent's description">
      {label}
    </span>
  );
}
