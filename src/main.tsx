/** Entry point: mounts the app, starts the URL sync (which loads the model), exposes the store. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './app/App';
import { useLab } from './store';
import { startUrlSync } from './store/urlSync';
import { openExperimentUrl } from './store/experimentActions';
import { startPageOnOpen } from './store/shareSlice';
import { startCircuitSync } from './store/circuitSync';
import { reportUncaughtErrors } from './ui/globalErrors';
import './ui/app.css';

declare global {
  interface Window {
    /** The store hook, for end-to-end tests and the console: `__lab.getState()`. */
    __lab: typeof useLab;
  }
}

window.__lab = useLab;
reportUncaughtErrors();

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);

startCircuitSync(useLab);
// The start page greets a first visit to the bare lab (a shared link opens its view instead).
if (startPageOnOpen(location.hash)) useLab.getState().setStartOpen(true);
startUrlSync(useLab, window, (address) => openExperimentUrl(useLab, address));
