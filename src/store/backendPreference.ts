/**
 * The researcher's backend preference and the ordered backend list it becomes for the engine.
 * 'auto' uses WebGPU only where a real (non-fallback) GPU adapter exists; software WebGPU
 * (SwiftShader) is far slower than WASM, so it is skipped.
 */
import type { BackendName } from '../engine/runtime/types';

export const BACKEND_PREFERENCES = ['auto', 'wasm', 'webgpu'] as const;

export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

export function isBackendPreference(value: string): value is BackendPreference {
  return (BACKEND_PREFERENCES as readonly string[]).includes(value);
}

export interface BackendPlan {
  prefer: BackendName[];
  /** Why 'auto' did not pick WebGPU, when it did not; null otherwise. */
  note: string | null;
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; architecture?: string; description?: string; vendor?: string };
}
interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

/** Looks at the browser's WebGPU support; never throws. */
export async function detectWebGpu(): Promise<{ ok: boolean; reason: string | null }> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return { ok: false, reason: 'WebGPU is not available in this browser' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ok: false, reason: 'WebGPU: no GPU adapter' };
    const info = adapter.info ?? {};
    const text = `${info.architecture ?? ''} ${info.description ?? ''} ${info.vendor ?? ''}`.toLowerCase();
    if (adapter.isFallbackAdapter || info.isFallbackAdapter || text.includes('swiftshader')) {
      return { ok: false, reason: 'WebGPU runs in software emulation here (slower than WASM)' };
    }
    return { ok: true, reason: null };
  } catch (err) {
    return { ok: false, reason: `WebGPU: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export async function planBackends(pref: BackendPreference): Promise<BackendPlan> {
  if (pref === 'wasm') return { prefer: ['wasm'], note: null };
  if (pref === 'webgpu') return { prefer: ['webgpu', 'wasm'], note: null };
  const webgpu = await detectWebGpu();
  return webgpu.ok ? { prefer: ['webgpu', 'wasm'], note: null } : { prefer: ['wasm'], note: webgpu.reason };
}
