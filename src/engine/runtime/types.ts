/** The runtime contract: the only surface through which the engine reaches onnxruntime. */
import type { TensorF32 } from '../types';

export type BackendName = 'webgpu' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** WASM threads in use (1 when not cross-origin isolated). */
  threads: number;
  /** Why a preferred backend was not used (e.g. "WebGPU: no adapter"), or null. */
  fallbackReason: string | null;
}

export type Feed = Record<string, TensorF32>;

/** A run output: numeric data as float32, with onnxruntime's element type name ("float32", "int64"…). */
export type OutTensor = TensorF32 & { type: string };

export interface RunOptions {
  /** Output names to fetch; all when omitted. */
  outputs?: string[];
  signal?: AbortSignal;
}

/** An open inference session. `run` calls are queued: one at a time per session. */
export interface Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly backend: BackendInfo;
  run(feeds: Feed, options?: RunOptions): Promise<Record<string, OutTensor>>;
  release(): Promise<void>;
}

export interface SessionOptions {
  /** Preferred backends in order; the first that creates a session wins. */
  prefer?: BackendName[];
  threads?: number;
}

export interface Runtime {
  createSession(model: Uint8Array, options?: SessionOptions): Promise<Session>;
  /**
   * The backends and threads this runtime will be asked for, told before the first session:
   * onnxruntime-web fixes its build and thread count at first use.
   */
  configure?(options: SessionOptions): void;
}
