/**
 * UpscalerJS's `@upscalerjs/esrgan-slim` 3x in TensorFlow.js (WASM backend), shared by the Node
 * and browser sides of bench/upscale.ts. The package is an RDN (idealo ISR, C1-D2-G4-G064) Keras
 * layers model whose UpscalerJS definition declares inputRange [0, 255] and outputRange [0, 255]
 * (packages/shared/src/esrgan/esrgan.js, 'rdn' branch): pixels go in as bytes, unnormalized, and
 * come out on the same scale; UpscalerJS clips to the output range. No patching here: one call per
 * image, as UpscalerJS does without `patchSize`.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { RawImage } from '../../src/engine/types';

export const ESRGAN_SLIM_SCALE = 3;

/** The parts of a TF.js layers-model `model.json` the loader needs. */
export interface LayersModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

export interface TfInfo {
  version: string;
  backend: string;
  threads: number;
  simd: boolean;
  /** Whether the threaded build was loaded (needs SharedArrayBuffer: cross-origin isolation). */
  multithread: boolean;
}

/**
 * Selects TF.js's WASM backend. `wasmDir` (a URL prefix ending in '/') is where the page serves
 * the backend's .wasm files; Node finds them beside the package. Threads need cross-origin
 * isolation in a page; `threads` <= 0 lets TF.js choose.
 */
export async function initTfWasm(options: { wasmDir?: string; threads?: number } = {}): Promise<TfInfo> {
  if (options.wasmDir) setWasmPaths(options.wasmDir);
  if (options.threads && options.threads > 0) setThreadsCount(options.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js could not start its WASM backend');
  await tf.ready();
  const env = tf.env();
  return {
    version: tf.version.tfjs,
    backend: tf.getBackend(),
    // XNNPACK's pool size (1 in the single-threaded builds).
    threads: getThreadsCount(),
    simd: (await env.getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean,
    multithread: (await env.getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean,
  };
}

/** Loads the layers model from its model.json and the concatenated weight shards. */
export function loadEsrganSlim(json: LayersModelJson, weights: ArrayBuffer): Promise<tf.LayersModel> {
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData: weights }));
}

/** The model on an RGB(A) image: bytes in, RGB bytes out (clipped to [0, 255] and rounded). */
export async function esrganUpscale(model: tf.LayersModel, img: RawImage): Promise<RawImage> {
  const { width: w, height: h, channels: c } = img;
  const pixels = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    pixels[i * 3] = img.data[i * c];
    pixels[i * 3 + 1] = img.data[i * c + 1];
    pixels[i * 3 + 2] = img.data[i * c + 2];
  }
  const out = tf.tidy(() => {
    const y = model.predict(tf.tensor4d(pixels, [1, h, w, 3])) as tf.Tensor4D;
    return y.clipByValue(0, 255).round();
  });
  const [, H, W] = out.shape;
  const data = Uint8Array.from(await out.data());
  out.dispose();
  return { width: W, height: H, channels: 3, data };
}

/** A timing closure: one forward pass on a fixed h×w input, waiting for the result's bytes. */
export function esrganFrameRunner(model: tf.LayersModel, width: number, height: number): { run: () => Promise<void>; dispose: () => void } {
  const input = tf.tensor4d(new Float32Array(width * height * 3).map((_, i) => 128 + 100 * Math.sin(i * 0.001)), [1, height, width, 3]);
  return {
    run: async () => {
      const y = model.predict(input) as tf.Tensor;
      await y.data();
      y.dispose();
    },
    dispose: () => input.dispose(),
  };
}
