/**
 * The agent's backend: kind, base URL, model (with the backend's model list), key (in memory;
 * remembered in this browser only when asked), "sees images", tool mode, seed and round cap.
 * "Test connection" reads `/v1/models` through react-query, like the lab's other remote reads.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { createClient } from '../../engine/agent/clients';
import { useLab } from '../../store';
import { BACKEND_KINDS } from '../../store/agentSettings';

function useModelList(attempt: number) {
  const backend = useLab((s) => s.agentBackend);
  return useQuery({
    // the key is read when the query runs, never put in the query key (the cache is inspectable)
    queryKey: ['agent-models', backend.kind, backend.baseUrl ?? '', attempt],
    enabled: attempt > 0 && backend.kind !== 'offline',
    retry: false,
    staleTime: Infinity,
    queryFn: async ({ signal }) => {
      const apiKey = useLab.getState().agentKey;
      const client = createClient({ ...backend, ...(apiKey ? { apiKey } : {}) }, { retry: { maxAttempts: 1 } });
      return (await client.listModels?.(signal)) ?? [];
    },
  });
}

export function BackendSettingsCard({ disabled }: { disabled: boolean }) {
  const backend = useLab((s) => s.agentBackend);
  const key = useLab((s) => s.agentKey);
  const remember = useLab((s) => s.agentRememberKey);
  const seed = useLab((s) => s.agentSeed);
  const rounds = useLab((s) => s.agentRounds);
  const { setAgentBackend, setAgentKey, setAgentRememberKey, setAgentSeed, setAgentRounds } = useLab.getState();
  const [attempt, setAttempt] = useState(0);
  const models = useModelList(attempt);
  const remote = backend.kind !== 'offline';
  return (
    <section className="card agent-settings" data-testid="agent-settings">
      <h3>Backend</h3>
      <label>
        kind{' '}
        <select value={backend.kind} disabled={disabled} data-testid="agent-backend-kind" onChange={(e) => setAgentBackend({ kind: e.target.value as (typeof BACKEND_KINDS)[number] })}>
          {BACKEND_KINDS.map((k) => (
            <option key={k} value={k}>
              {k === 'offline' ? 'offline (no model)' : k === 'openai' ? 'OpenAI-compatible' : 'Anthropic'}
            </option>
          ))}
        </select>
      </label>
      {remote && (
        <>
          <label>
            base URL{' '}
            <input type="text" value={backend.baseUrl ?? ''} placeholder={backend.kind === 'openai' ? 'https://api.openai.com' : 'https://api.anthropic.com'} disabled={disabled} data-testid="agent-base-url" onChange={(e) => setAgentBackend({ baseUrl: e.target.value || undefined })} />
          </label>
          <label>
            model{' '}
            <input type="text" list="agent-model-list" value={backend.model ?? ''} disabled={disabled} data-testid="agent-model" onChange={(e) => setAgentBackend({ model: e.target.value || undefined })} />
            <datalist id="agent-model-list">{models.data?.map((m) => <option key={m} value={m} />)}</datalist>
          </label>
          <label>
            API key{' '}
            <input type="password" autoComplete="off" value={key} disabled={disabled} data-testid="agent-key" onChange={(e) => setAgentKey(e.target.value)} />
          </label>
          <label className="small">
            <input type="checkbox" checked={remember} data-testid="agent-remember-key" onChange={(e) => setAgentRememberKey(e.target.checked)} /> remember the key in this browser
          </label>
          <label className="small">
            <input type="checkbox" checked={backend.seesImages} disabled={disabled} data-testid="agent-sees-images" onChange={(e) => setAgentBackend({ seesImages: e.target.checked })} /> the model sees images
          </label>
          <label>
            tool calls{' '}
            <select value={backend.toolMode ?? 'native'} disabled={disabled} data-testid="agent-tool-mode" onChange={(e) => setAgentBackend({ toolMode: e.target.value as 'native' | 'json-in-text' })}>
              <option value="native">native</option>
              <option value="json-in-text">JSON in text</option>
            </select>
          </label>
          <div className="agent-test">
            <button type="button" data-testid="agent-test-connection" disabled={models.isFetching} onClick={() => setAttempt((n) => n + 1)}>
              Test connection
            </button>{' '}
            <span className="small" data-testid="agent-connection">
              {models.isFetching ? 'connecting…' : models.isError ? `✗ ${models.error instanceof Error ? models.error.message : String(models.error)}` : models.data ? `✓ ${models.data.length} model(s)` : ''}
            </span>
          </div>
        </>
      )}
      <label>
        seed <input type="number" min={0} step={1} value={seed} disabled={disabled} data-testid="agent-seed" onChange={(e) => setAgentSeed(Number(e.target.value))} />
      </label>
      <label>
        rounds <input type="number" min={1} max={200} step={1} value={rounds} disabled={disabled} data-testid="agent-rounds" onChange={(e) => setAgentRounds(Number(e.target.value))} />
      </label>
    </section>
  );
}
