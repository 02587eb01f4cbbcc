/**
 * The app shell: header (model bar, backend, examples), panel tabs with the share bar, notices, the
 * start page or the active panel, drop overlay; or, with `&embed=1`, the panel's card alone.
 */
import { useLab } from '../store';
import { ModelBar } from '../panels/model/ModelBar';
import { ModelPanel } from '../panels/model/ModelPanel';
import { ExemplarsPanel } from '../panels/exemplars/ExemplarsPanel';
import { UpscalePanel } from '../panels/upscale/UpscalePanel';
import { CircuitsPanel } from '../panels/circuits/CircuitsPanel';
import { AgentPanel } from '../panels/agent/AgentPanel';
import { BackendBadge } from '../ui/BackendBadge';
import { DropOverlay } from './DropOverlay';
import { Notices } from '../ui/Notices';
import { PanelTabs } from './PanelTabs';
import { PlaceholderPanel } from './PlaceholderPanel';
import { ShareBar } from './ShareBar';
import { EmbedView } from './EmbedView';
import { StartPage } from './StartPage';

function ActivePanel() {
  const panel = useLab((s) => s.panel);
  if (panel === 'model') return <ModelPanel />;
  if (panel === 'exemplars') return <ExemplarsPanel />;
  if (panel === 'upscale') return <UpscalePanel />;
  if (panel === 'circuits') return <CircuitsPanel />;
  if (panel === 'agent') return <AgentPanel />;
  return <PlaceholderPanel panel={panel} />;
}

export function App() {
  const embed = useLab((s) => s.embed);
  const startOpen = useLab((s) => s.startOpen);
  if (embed) return <EmbedView />;
  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">interp·lab</div>
        <ModelBar />
        <BackendBadge />
        <button type="button" className="header-examples" data-testid="open-start" onClick={() => useLab.getState().setStartOpen(!startOpen)}>
          Examples
        </button>
      </header>
      <div className="tabs-row">
        <PanelTabs />
        <ShareBar />
      </div>
      <Notices />
      <main className="app-main">
        {startOpen && <StartPage />}
        <ActivePanel />
      </main>
      <DropOverlay />
    </div>
  );
}
