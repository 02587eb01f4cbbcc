/** The panel switcher: one tab per panel, the active one marked. */
import { useLab } from '../store';
import { PANELS, type PanelId } from '../store/panels';

export const PANEL_TITLES: Record<PanelId, string> = {
  model: 'Model',
  exemplars: 'Exemplars',
  circuits: 'Circuits',
  upscale: 'Upscale',
  agent: 'Agent',
};

export function PanelTabs() {
  const panel = useLab((s) => s.panel);
  const setPanel = useLab((s) => s.setPanel);
  return (
    <nav className="tabs" role="tablist" aria-label="Panels">
      {PANELS.map((id) => (
        <button
          key={id}
          type="button"
          role="tab"
          aria-selected={panel === id}
          className={panel === id ? 'tab active' : 'tab'}
          data-testid={`tab-${id}`}
          onClick={() => setPanel(id)}
        >
          {PANEL_TITLES[id]}
        </button>
      ))}
    </nav>
  );
}
