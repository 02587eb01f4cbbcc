/// <reference types="@webgpu/types" />
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

/** An output left on the GPU by a `GpuIo` run: valid until `dispose` (onnxruntime reuses the buffer). */
export interface GpuOutTensor {
  buffer: GPUBuffer;
  dims: number[];
  dispose(): void;
}

/**
 * GPU-resident output (onnxruntime-web's WebGPU EP, a session opened with `gpuOutputs`): the
 * float32 output stays in a buffer of onnxruntime's own device, so a frame needs no readback.
 * The input comes from the CPU (it is small). A run fed by `Tensor.fromGpuBuffer` once left the
 * device destroyed ("Device was destroyed") in headless chromium — while frames were also drawn on
 * a WebGPU canvas, which alone loses the device there (see GPU_RESIDENT_FRAMES), so the input path
 * itself is unproven either way.
 */
export interface GpuIo {
  readonly device: GPUDevice;
  /** One queued run: `input` (float32, CPU) fed as `name`; `output` stays on the GPU. */
  run(name: string, input: TensorF32, output: string, signal?: AbortSignal): Promise<GpuOutTensor>;
}

/** An open inference session. `run` calls are queued: one at a time per session. */
export interface Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly backend: BackendInfo;
  /** Present only where inputs and outputs can stay on the GPU (see SessionOptions.gpuOutputs). */
  readonly gpuIo?: GpuIo;
  run(feeds: Feed, options?: RunOptions): Promise<Record<string, OutTensor>>;
  release(): Promise<void>;
}

export interface SessionOptions {
  /** Preferred backends in order; the first that creates a session wins. */
  prefer?: BackendName[];
  threads?: number;
  /**
   * On WebGPU, leave outputs on the GPU and offer `Session.gpuIo` (`run` still returns CPU data,
   * downloaded). Ignored by the other backends.
   */
  gpuOutputs?: boolean;
  /** Files the model's external data refers to, by path (only where `Runtime.externalData`). */
  externalData?: Array<{ path: string; data: Uint8Array }>;
}

export interface Runtime {
  createSession(model: Uint8Array, options?: SessionOptions): Promise<Session>;
  /** Whether sessions take `SessionOptions.externalData` (weights by reference, see onnx/weightRefs). */
  readonly externalData?: boolean;
  /**
   * The backends and threads this runtime will be asked for, told before the first session:
   * onnxruntime-web fixes its build and thread count at first use.
   */
  configure?(options: SessionOptions): void;
}
