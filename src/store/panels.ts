/** The panels of the lab, in tab order. */
export const PANELS = ['model', 'exemplars', 'circuits', 'upscale', 'agent'] as const;

export type PanelId = (typeof PANELS)[number];

export const DEFAULT_PANEL: PanelId = 'model';

export function isPanel(value: string): value is PanelId {
  return (PANELS as readonly string[]).includes(value);
}
