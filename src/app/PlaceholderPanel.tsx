/** A panel that is planned but not built: one sentence on what will live there. */
import type { PanelId } from '../store/panels';

const PLANNED: Record<Exclude<PanelId, 'model' | 'exemplars' | 'upscale' | 'circuits'>, string> = {
  agent:
    'An interpretability agent that runs experiments on a unit and writes down what it detects will live here; this panel is not built yet.',
};

export function PlaceholderPanel({ panel }: { panel: Exclude<PanelId, 'model' | 'exemplars' | 'upscale' | 'circuits'> }) {
  return (
    <section className="panel placeholder" data-testid={`panel-${panel}`}>
      <p>{PLANNED[panel]}</p>
    </section>
  );
}
