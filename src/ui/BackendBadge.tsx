/** The backend the model runs on ("WASM · 2 threads", "WebGPU"), why not WebGPU, and the preference picker. */
import { useLab } from '../store';
import { BACKEND_PREFERENCES, type BackendPreference } from '../store/backendPreference';
import type { BackendInfo } from '../engine/runtime/types';

function backendText(backend: BackendInfo | null): string {
  if (!backend) return 'no backend yet';
  if (backend.name === 'webgpu') return 'WebGPU';
  if (backend.name === 'wasm') return `WASM · ${backend.threads} thread${backend.threads === 1 ? '' : 's'}`;
  return 'CPU';
}

const PREFERENCE_TITLES: Record<BackendPreference, string> = { auto: 'Auto', wasm: 'WASM', webgpu: 'WebGPU' };

export function BackendBadge() {
  const backend = useLab((s) => s.backend);
  const note = useLab((s) => s.backendNote);
  const preference = useLab((s) => s.backendPreference);
  const setPreference = useLab((s) => s.setBackendPreference);
  const reason = backend?.fallbackReason ?? note;
  return (
    <div className="backend">
      <span className={`badge ${backend?.name ?? 'none'}`} data-testid="backend" title={reason ?? undefined}>
        {backendText(backend)}
      </span>
      {reason && (
        <span className="backend-reason" data-testid="backend-reason" title={reason}>
          {reason}
        </span>
      )}
      <label className="backend-pref" title="Backend preference (reloads the model)">
        <span>Backend</span>
        <select value={preference} onChange={(e) => void setPreference(e.target.value as BackendPreference)}>
          {BACKEND_PREFERENCES.map((p) => (
            <option key={p} value={p}>
              {PREFERENCE_TITLES[p]}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
