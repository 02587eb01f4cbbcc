/** The app shell: header (model bar, backend), panel tabs, notices, the active panel, drop overlay. */
import { useLab } from './store';
import { ModelBar } from './panels/model/ModelBar';
import { ModelPanel } from './panels/model/ModelPanel';
import { ExemplarsPanel } from './panels/exemplars/ExemplarsPanel';
import { UpscalePanel } from './panels/upscale/UpscalePanel';
import { CircuitsPanel } from './panels/circuits/CircuitsPanel';
import { AgentPanel } from './panels/agent/AgentPanel';
import { BackendBadge } from './ui/BackendBadge';
import { DropOverlay } from './ui/DropOverlay';
import { Notices } from './ui/Notices';
import { PanelTabs } from './ui/PanelTabs';
import { PlaceholderPanel } from './ui/PlaceholderPanel';

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
  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">interp·lab</div>
        <ModelBar />
        <BackendBadge />
      </header>
      <PanelTabs />
      <Notices />
      <main className="app-main">
        <ActivePanel />
      </main>
      <DropOverlay />
    </div>
  );
}
