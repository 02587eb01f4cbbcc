/**
 * One circuit-discovery measurement, the same code under onnxruntime-node and in a browser worker
 * (bench/browser/circuitWorker.ts): a class of the built-in scenes as the concept (the first
 * scenes of scenes-test of that class, split as the tab splits them), CLA over `layers` evenly
 * spaced block outputs, k per layer — once without causal tests (discovery alone) and once with
 * `random` baselines on held-out images.
 */
import { loadBanks, openDataset, type AssetRead } from '../src/engine/data/datasets';
import { defaultCircuitLayers, discoverCircuit, makeSpec, restOf, splitConcept } from '../src/engine/circuits';
import type { CircuitNode, CircuitRunOptions } from '../src/engine/circuits/types';
import { LoadedModel } from '../src/engine/lab/loadedModel';
import type { Runtime } from '../src/engine/runtime/types';

export interface CircuitJob {
  modelUrl: string;
  /** Class name of the concept; the target is that class's logit, or the model's top class when the model has other labels. */
  concept: string;
  examples: number;
  layers: number;
  k: number;
  random: number;
  threads: number;
  /** Scenes of scenes-test to draw the concept from (the first ones). */
  pool: number;
}

export interface CircuitJobResult {
  backend: string;
  threads: number;
  layers: string[];
  /** Discovery alone (no held-out images: no causal tests), and discovery + causal tests with `random` baselines. */
  discoveryMs: number;
  withBaselinesMs: number;
  nodes: CircuitNode[];
  necessity?: { effect: number; randomMean: number; z: number; p: number };
}

export async function runCircuitJob(runtime: Runtime, modelBytes: Uint8Array, read: AssetRead, job: CircuitJob): Promise<CircuitJobResult> {
  const model = await LoadedModel.open(runtime, modelBytes, job.modelUrl, { session: { prefer: ['wasm', 'cpu'], threads: job.threads } });
  try {
    const ds = await openDataset('scenes-test', await loadBanks(read), { count: job.pool, cacheScenes: 0 });
    const matching = ds.filter({ class: job.concept as never });
    const split = splitConcept(matching, restOf(ds.count, matching), job.examples, job.examples);
    const load = (idx: number[]) => idx.map((i) => ds.image(i));
    const images = { discovery: load(split.discovery), heldOut: load(split.heldOut), contrast: load(split.contrast) };
    const labels = model.summary.labels;
    let index = labels ? labels.indexOf(job.concept) : -1;
    if (index < 0) {
      // Not a model of these classes (ResNet-18): its top class on the first example.
      const logits = await model.logits(images.discovery.slice(0, 1));
      index = logits.data.indexOf(Math.max(...logits.data));
    }
    const layers = defaultCircuitLayers(model.model, model.summary, job.layers);
    const spec = makeSpec({ kind: 'filter', filter: { class: job.concept as never } }, { kind: 'logit', index }, { examples: job.examples, heldOut: job.examples, layers, k: job.k, random: job.random });
    const options: CircuitRunOptions = { batch: 16, session: { prefer: ['wasm', 'cpu'], threads: job.threads } };
    // Warm-up: the first session creation pays for onnxruntime's start.
    await discoverCircuit(runtime, model, { ...spec, layers: layers.slice(-1) }, { ...images, heldOut: [] }, options);
    let t0 = performance.now();
    const alone = await discoverCircuit(runtime, model, spec, { ...images, heldOut: [] }, options);
    const discoveryMs = performance.now() - t0;
    t0 = performance.now();
    const full = await discoverCircuit(runtime, model, spec, images, options);
    const withBaselinesMs = performance.now() - t0;
    const n = full.causal?.necessity;
    return {
      backend: model.backend.name,
      threads: model.backend.threads,
      layers,
      discoveryMs,
      withBaselinesMs,
      nodes: alone.nodes,
      ...(n ? { necessity: { effect: n.effect, randomMean: n.randomMean, z: n.z, p: n.p } } : {}),
    };
  } finally {
    await model.release();
  }
}
