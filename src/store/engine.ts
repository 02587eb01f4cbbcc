/**
 * The store's one connection to the engine worker. Created lazily on first use; tests inject
 * their own EngineClient (e.g. over a fake worker) with `setEngine`.
 */
import { EngineClient, EngineError } from '../worker/client';
import type { BackendName } from '../engine/runtime/types';

let client: EngineClient | null = null;
/** How a fresh engine is made: a module worker in the app; tests may swap in another factory. */
let factory: () => EngineClient = () => EngineClient.spawn();
/** The backend list last sent with `configure` (as a key), or null when not configured yet. */
let configuredKey: string | null = null;

/** The engine client, spawning the worker on first use. Throws an EngineError when it cannot start. */
export function getEngine(): EngineClient {
  if (!client) {
    try {
      client = factory();
    } catch (err) {
      throw new EngineError('internal', `Could not start the engine worker: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return client;
}

/** Replaces the engine (tests), or drops it with null so the next use spawns a fresh worker. */
export function setEngine(next: EngineClient | null): void {
  if (client && client !== next) client.terminate();
  client = next;
  configuredKey = null;
}

/** Replaces how fresh engines are made (tests), or restores the worker factory with null. */
export function setEngineFactory(next: (() => EngineClient) | null): void {
  factory = next ?? (() => EngineClient.spawn());
}

/** True once an engine exists (so a test can assert that none was ever spawned). */
export function hasEngine(): boolean {
  return client !== null;
}

/**
 * Sends `configure` when the backend list differs from what the worker last received. A worker
 * that was configured before is replaced by a fresh one: onnxruntime-web fixes its build and
 * thread count at first use, so another backend needs another worker (the model is reloaded).
 */
export async function ensureConfigured(prefer: BackendName[]): Promise<void> {
  const key = prefer.join(',');
  if (key === configuredKey) return;
  if (configuredKey !== null) setEngine(null);
  await getEngine().request({ kind: 'configure', prefer });
  configuredKey = key;
}

/** A crashed worker answers nothing more: forget it so the next request starts a new one. */
export function forgetCrashedEngine(err: unknown): void {
  if (err instanceof EngineError && err.code === 'internal' && /worker crashed|could not start/i.test(err.message)) {
    const dead = client;
    client = null;
    configuredKey = null;
    dead?.terminate();
  }
}
