/** `&embed=1`: the active panel's card alone, without the app's chrome, with a link back to the full view. */
import { useLab } from '../store';
import { ExemplarsEmbed } from '../panels/exemplars/ExemplarsPanel';
import { UpscaleEmbed } from '../panels/upscale/UpscaleEmbed';
import { CircuitsEmbed } from '../panels/circuits/CircuitsPanel';
import { AgentEmbed } from '../panels/agent/AgentEmbed';
import { PANEL_TITLES } from './PanelTabs';
import { Notices } from '../ui/Notices';

function EmbedCard() {
  const panel = useLab((s) => s.panel);
  if (panel === 'exemplars') return <ExemplarsEmbed />;
  if (panel === 'upscale') return <UpscaleEmbed />;
  if (panel === 'circuits') return <CircuitsEmbed />;
  if (panel === 'agent') return <AgentEmbed />;
  return <div className="card muted">The {PANEL_TITLES[panel]} panel has no embed card.</div>;
}

/** The full view's address: this page's link without embed=1. */
function fullViewHref(hash: string): string {
  return hash.replace(/&embed=1(?=&|$)/, '');
}

export function EmbedView() {
  const panel = useLab((s) => s.panel);
  // Subscribed so the link follows the view (the hash is written from the store).
  useLab((s) => `${s.layer}|${s.unit}|${s.upChoice}`);
  return (
    <div className="app embed" data-testid="embed">
      <div className="embed-head small">
        <span className="brand">interp·lab</span> · {PANEL_TITLES[panel]}
        <a className="embed-full" href={fullViewHref(location.hash)} target="_blank" rel="noopener noreferrer" data-testid="embed-full">
          Open the full view ↗
        </a>
      </div>
      <Notices />
      <EmbedCard />
    </div>
  );
}
