/**
 * The browser runtime: onnxruntime-web inside the engine worker. WebGPU first when asked for,
 * WASM on any failure (the reason is kept and shown), threads when the page is cross-origin
 * isolated. Two builds of onnxruntime-web exist: the WebGPU one (asyncify WASM, which also runs
 * the WASM backend) and the plain WASM one (smaller, no asyncify overhead). A worker loads only
 * the build its first session needs; binaries are served from this build (Vite `?url`).
 */
/// <reference types="@webgpu/types" />
import type * as Ort from 'onnxruntime-web';
import { QueuedSession, RunCancelled, type OrtTensorCtor } from './session';
import type { TensorF32 } from '../types';
import type { BackendInfo, BackendName, GpuIo, GpuOutTensor, Runtime, Session, SessionOptions } from './types';

type OrtModule = typeof Ort;
export type OrtBuild = 'webgpu' | 'wasm';

let loaded: { build: OrtBuild; ort: OrtModule; threads: number } | null = null;

/** Loads one onnxruntime-web build and fixes its thread count (onnxruntime allows one init). */
async function loadOrt(build: OrtBuild, requestedThreads: number | undefined) {
  if (loaded) return loaded;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  const threads = isolated ? Math.max(1, Math.min(requestedThreads ?? cores, cores, 8)) : 1;
  let ort: OrtModule;
  if (build === 'webgpu') {
    const [mod, mjs, wasm] = await Promise.all([
      import('onnxruntime-web/webgpu'),
      import('onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url'),
      import('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url'),
    ]);
    ort = mod as unknown as OrtModule;
    ort.env.wasm.wasmPaths = { mjs: mjs.default, wasm: wasm.default };
  } else {
    const [mod, mjs, wasm] = await Promise.all([
      import('onnxruntime-web/wasm'),
      import('onnxruntime-web/ort-wasm-simd-threaded.mjs?url'),
      import('onnxruntime-web/ort-wasm-simd-threaded.wasm?url'),
    ]);
    ort = mod as unknown as OrtModule;
    ort.env.wasm.wasmPaths = { mjs: mjs.default, wasm: wasm.default };
  }
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false; // we already are in a worker
  ort.env.logLevel = 'error';
  loaded = { build, ort, threads };
  return loaded;
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

/**
 * A WebGPU session whose outputs stay in GPU buffers (`preferredOutputLocation: 'gpu-buffer'`),
 * on onnxruntime's own device (`ort.env.webgpu.device`), for GPU-resident output (see GpuIo). An
 * output's buffer is onnxruntime's: usable in our own passes until `dispose()`, which hands it back
 * to its cache (commands already submitted still see it; the queue runs in order). Runs in a row
 * with our render pass in between, each output disposed after it, matched CPU outputs (see
 * GPU_RESIDENT_FRAMES for the failure once blamed on this lifetime: the canvas, not these buffers).
 */
class WebGpuSession extends QueuedSession {
  readonly gpuIo: GpuIo;

  constructor(session: Ort.InferenceSession, ort: OrtModule, backend: BackendInfo, device: GPUDevice) {
    super(session, ort.Tensor as unknown as OrtTensorCtor, backend);
    const run = (name: string, input: TensorF32, output: string, signal?: AbortSignal) =>
      this.enqueue(async (): Promise<GpuOutTensor> => {
        const out = await this.session.run({ [name]: new ort.Tensor('float32', input.data, input.dims) }, [output]);
        const t = out[output];
        if (signal?.aborted || t.location !== 'gpu-buffer') {
          t.dispose();
          if (signal?.aborted) throw new RunCancelled();
          throw new Error(`onnxruntime gave the output on "${t.location}", not in a GPU buffer`);
        }
        return { buffer: t.gpuBuffer as GPUBuffer, dims: [...t.dims], dispose: () => t.dispose() };
      }, signal);
    this.gpuIo = { device, run };
  }
}

export function webRuntime(): Runtime {
  let intent: SessionOptions | null = null;
  return {
    externalData: true,
    configure(options: SessionOptions) {
      intent = options;
    },
    async createSession(model: Uint8Array, options: SessionOptions = {}): Promise<Session> {
      const prefer: BackendName[] = options.prefer?.length ? options.prefer : ['webgpu', 'wasm'];
      const reasons: string[] = [];
      // The WebGPU build is needed only when WebGPU will really be tried, by this session or,
      // as configured, by later ones (a CPU-only dry run comes before the real session).
      const askedForGpu = prefer.includes('webgpu') || (intent?.prefer ?? []).includes('webgpu');
      const gpuProblem = askedForGpu ? await webgpuUnavailable() : 'not requested';
      const wantsGpu = (intent?.prefer ?? prefer).includes('webgpu') && gpuProblem === null;
      const { ort, threads, build } = await loadOrt(wantsGpu ? 'webgpu' : 'wasm', intent?.threads ?? options.threads);
      for (const backend of prefer) {
        if (backend === 'webgpu') {
          const why = gpuProblem ?? (build === 'webgpu' ? null : 'the WASM-only build of onnxruntime is loaded in this worker');
          if (why) {
            reasons.push(`WebGPU: ${why}`);
            continue;
          }
        }
        try {
          const onGpu = backend === 'webgpu';
          const session = await ort.InferenceSession.create(model, {
            executionProviders: [onGpu ? 'webgpu' : 'wasm'],
            graphOptimizationLevel: 'all',
            logSeverityLevel: 3,
            ...(options.externalData?.length ? { externalData: options.externalData } : {}),
            ...(onGpu && options.gpuOutputs ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
          });
          const info = { name: onGpu ? ('webgpu' as const) : ('wasm' as const), threads, fallbackReason: reasons.length ? reasons.join('; ') : null };
          // After the first WebGPU session, the device getter resolves to the device onnxruntime uses.
          if (onGpu && options.gpuOutputs) return new WebGpuSession(session, ort, info, (await ort.env.webgpu.device) as GPUDevice);
          return new QueuedSession(session, ort.Tensor as unknown as OrtTensorCtor, info);
        } catch (err) {
          reasons.push(`${backend}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      throw new Error(`No backend could run this model. ${reasons.join('; ')}`);
    },
  };
}
