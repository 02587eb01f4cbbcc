/**
 * The agent's backend settings as the page keeps them: everything but the key goes into the
 * store (and the link: kind and model name only); the key stays in memory unless the researcher
 * opts in to remember it, and only then is it written to localStorage.
 */
import type { BackendKind, BackendSettings } from '../engine/agent/types';

export const BACKEND_KINDS: readonly BackendKind[] = ['offline', 'openai', 'anthropic'];
export const KEY_STORAGE = 'lab.agent.apiKey';
export const DEFAULT_AGENT_ROUNDS = 25;
export const MAX_AGENT_ROUNDS = 200;
export const MAX_AGENT_SEED = 2 ** 31 - 1;

export type AgentBackendView = Omit<BackendSettings, 'apiKey'>;

export const DEFAULT_AGENT_BACKEND: AgentBackendView = { kind: 'offline', seesImages: false, toolMode: 'native' };

export function isBackendKind(v: string): v is BackendKind {
  return (BACKEND_KINDS as readonly string[]).includes(v);
}

/** The remembered key, when the researcher opted in (any storage failure is as good as none). */
export function rememberedKey(): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

/** Writes the key when remembering, and removes it otherwise. */
export function storeKey(key: string, remember: boolean): void {
  try {
    if (typeof localStorage === 'undefined') return;
    if (remember && key) localStorage.setItem(KEY_STORAGE, key);
    else localStorage.removeItem(KEY_STORAGE);
  } catch {
    // private mode or a full storage: the key stays in memory
  }
}
