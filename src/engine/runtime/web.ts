/**
 * The browser runtime: onnxruntime-web inside the engine worker. WebGPU first when asked for,
 * WASM on any failure (the reason is kept and shown), threads when the page is cross-origin
 * isolated. The WASM binary is served from this build (Vite `?url`), never from a CDN.
 */
import * as ort from 'onnxruntime-web/webgpu';
import wasmMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import wasmBinary from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { QueuedSession, type OrtTensorCtor } from './session';
import type { BackendName, Runtime, Session, SessionOptions } from './types';

let configuredThreads: number | null = null;

/** Threads are fixed at onnxruntime-web's first initialisation; later sessions share them. */
function configureWasm(requested: number | undefined): number {
  if (configuredThreads !== null) return configuredThreads;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  const threads = isolated ? Math.max(1, Math.min(requested ?? cores, cores, 8)) : 1;
  ort.env.wasm.wasmPaths = { mjs: wasmMjs, wasm: wasmBinary };
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false; // we already are in a worker
  ort.env.logLevel = 'error';
  configuredThreads = threads;
  return threads;
}

async function webgpuUnavailable(): Promise<string | null> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return 'this browser exposes no WebGPU (navigator.gpu is missing)';
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? null : 'no WebGPU adapter is available';
  } catch (err) {
    return `WebGPU adapter request failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export function webRuntime(): Runtime {
  return {
    async createSession(model: Uint8Array, options: SessionOptions = {}): Promise<Session> {
      const threads = configureWasm(options.threads);
      const prefer: BackendName[] = options.prefer?.length ? options.prefer : ['webgpu', 'wasm'];
      const reasons: string[] = [];
      for (const backend of prefer) {
        if (backend === 'webgpu') {
          const why = await webgpuUnavailable();
          if (why) {
            reasons.push(`WebGPU: ${why}`);
            continue;
          }
        }
        try {
          const session = await ort.InferenceSession.create(model, {
            executionProviders: [backend === 'webgpu' ? 'webgpu' : 'wasm'],
            graphOptimizationLevel: 'all',
            logSeverityLevel: 3,
          });
          return new QueuedSession(session, ort.Tensor as unknown as OrtTensorCtor, {
            name: backend === 'webgpu' ? 'webgpu' : 'wasm',
            threads,
            fallbackReason: reasons.length ? reasons.join('; ') : null,
          });
        } catch (err) {
          reasons.push(`${backend}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      throw new Error(`No backend could run this model. ${reasons.join('; ')}`);
    },
  };
}
