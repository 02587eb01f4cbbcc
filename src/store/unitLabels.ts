/**
 * Labels the researcher saved for units ("save as the unit's label" on the agent's description
 * card), keyed by model sha256, layer tensor and unit, kept in localStorage so Exemplars' unit
 * view and circuits graphs show them on later visits.
 */
const STORAGE = 'lab.unitLabels';

export type UnitLabels = Record<string, string>;

export function unitLabelKey(modelSha256: string, layer: string, unit: number): string {
  return `${modelSha256}|${layer}|${unit}`;
}

export function loadUnitLabels(): UnitLabels {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE);
    const doc: unknown = raw ? JSON.parse(raw) : {};
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return {};
    return Object.fromEntries(Object.entries(doc).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

export function saveUnitLabels(labels: UnitLabels): void {
  try {
    if (typeof localStorage !== 'undefined') localStorage.setItem(STORAGE, JSON.stringify(labels));
  } catch {
    // a full or blocked storage keeps the labels for this visit only
  }
}
