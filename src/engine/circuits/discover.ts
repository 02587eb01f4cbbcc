/**
 * discoverCircuit: a concept's example images and a target in, a `lab.circuit/1` circuit out.
 * Built downward from the target: the edges from every unit of a layer into the units kept
 * above (CLA or ablation weights), a unit's score = the sum of its edges into the kept units,
 * the top k per layer kept. Deterministic: no sampling, ties by unit index.
 */
import { imagesToTensor } from '../data/preprocess';
import { LabError } from '../errors';
import type { LoadedModel } from '../lab/loadedModel';
import { tensorShapes } from '../onnx/backward';
import type { Runtime } from '../runtime/types';
import type { Layer, RawImage } from '../types';
import { ablationMethod, type AblationContext } from './ablation';
import { agreement } from './agreement';
import { causalTests } from './causal';
import { claMethod, type EdgeContext, type EdgeMethod } from './edgeMethod';
import type { MaskedLayer } from './masked';
import { defaultCircuitLayers, resolveCircuitLayers } from './layers';
import { topK } from './rank';
import { classCount, resolveTarget, selectiveUnits } from './target';
import type { Circuit, CircuitEdge, CircuitImages, CircuitMethod, CircuitNode, CircuitRunOptions, CircuitSpec, UnitRef } from './types';

export const MAX_EXAMPLES = 64;

/** Bad concept images are refused before any run. */
export function checkImages(spec: CircuitSpec, images: CircuitImages): void {
  const n = images.discovery.length;
  if (n === 0) throw new LabError('bad-request', 'The concept has no example images: give a filter that matches some images, or upload or draw some.');
  if (n < 2) throw new LabError('bad-request', 'The concept has one example image; a circuit needs at least 2 (16 by default).');
  if (n > MAX_EXAMPLES) throw new LabError('bad-request', `The concept has ${n} example images; the limit is ${MAX_EXAMPLES}.`);
  if (!Number.isInteger(spec.k) || spec.k < 1) throw new LabError('bad-request', `k must be a whole number ≥ 1; got ${spec.k}.`);
  if (!Number.isInteger(spec.random) || spec.random < 0 || spec.random > 1000) throw new LabError('bad-request', `random takes 0..1000 baseline circuits; got ${spec.random}.`);
  if (images.heldOutLabels && images.heldOutLabels.length !== images.heldOut.length) {
    throw new LabError('bad-request', `${images.heldOut.length} held-out images but ${images.heldOutLabels.length} labels.`);
  }
}

/** The model's shapes at its preprocessing size (dynamic-size models are differentiated at that size). */
export async function modelShapes(runtime: Runtime, model: LoadedModel) {
  const { imageInput, preprocess } = model.summary;
  const fixed = imageInput.height !== null && imageInput.width !== null;
  return tensorShapes(runtime, model.model, fixed ? {} : { inputDims: { [imageInput.name]: [2, 3, preprocess.size[0], preprocess.size[1]] } });
}

export interface DiscoveryContext {
  runtime: Runtime;
  model: LoadedModel;
  layers: Layer[];
  input: ReturnType<typeof imagesToTensor>;
  edgeContext: EdgeContext;
}

export function openMethod(method: CircuitMethod, ctx: EdgeContext | AblationContext): Promise<EdgeMethod> {
  return method === 'cla' ? Promise.resolve(claMethod(ctx)) : ablationMethod(ctx);
}

const asMasked = (l: Layer): MaskedLayer => ({ tensor: l.tensor, channels: l.channels, rank: l.shape.length });

/** The ablation method's extra context: masks on the circuit layers, probes on them and a unit target's layer, means. */
export async function ablationContext(ctx: EdgeContext, model: LoadedModel, spec: CircuitSpec, images: CircuitImages, layers: Layer[], options: CircuitRunOptions): Promise<AblationContext> {
  const probeLayers = layers.map(asMasked);
  if (spec.target.kind === 'unit') {
    const t = spec.target;
    const layer = model.summary.layers.find((l) => l.tensor === t.layer || l.label === t.layer)!;
    probeLayers.push(asMasked(layer));
  }
  let means: Map<string, Float32Array> | undefined;
  if (spec.ablation === 'mean') means = await unitMeans(model, images, layers, options);
  return { ...ctx, maskLayers: layers.map(asMasked), probeLayers, means };
}

/** Each unit's mean activation over the contrast images (or, without them, all the concept's images): the value mean ablation sets. */
export async function unitMeans(model: LoadedModel, images: CircuitImages, layers: Layer[], options: CircuitRunOptions): Promise<Map<string, Float32Array>> {
  const pool = images.contrast.length > 0 ? images.contrast : [...images.discovery, ...images.heldOut];
  const acts = await layerActivations(model, pool, layers.map((l) => l.tensor), 'mean', options.batch ?? 16, options.signal);
  const out = new Map<string, Float32Array>();
  for (const l of layers) {
    const rows = acts.get(l.tensor)!;
    const m = new Float32Array(l.channels);
    for (let i = 0; i < pool.length; i++) for (let c = 0; c < l.channels; c++) m[c] += rows[i * l.channels + c] / pool.length;
    out.set(l.tensor, m);
  }
  return out;
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new LabError('cancelled', 'Cancelled');
}

/** Per layer a_n of every unit on the images ([N, C] rows), from one probed run. */
export async function layerActivations(model: LoadedModel, images: RawImage[], layers: string[], reduce: 'mean' | 'max', batch: number, signal?: AbortSignal): Promise<Map<string, Float32Array>> {
  const parts = new Map<string, Float32Array[]>(layers.map((l) => [l, []]));
  for (let i = 0; i < images.length; i += batch) {
    const r = await model.run({ images: images.slice(i, i + batch), layers, signal });
    for (const l of layers) parts.get(l)!.push(r.stats[l][reduce].data);
  }
  const out = new Map<string, Float32Array>();
  for (const [l, list] of parts) {
    const all = new Float32Array(list.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of list) (all.set(p, o), (o += p.length));
    out.set(l, all);
  }
  return out;
}

export interface CircuitGraph {
  target: Circuit['target'];
  nodes: CircuitNode[];
  edges: CircuitEdge[];
  /** Per layer (input to output): the kept units, and every unit's score (for curves and agreement). */
  kept: Map<string, number[]>;
  scores: Map<string, Float64Array>;
  /** Per layer pair (keyed by the lower layer): the full edge matrix [upper units × C_lower]. */
  matrices: Map<string, { upper: UnitRef[] | { logit: number }[]; upperTensor: string; weights: Float64Array }>;
}

/** The downward construction shared by both methods. */
export async function buildGraph(
  method: EdgeMethod,
  model: LoadedModel,
  spec: CircuitSpec,
  images: CircuitImages,
  layers: Layer[],
  options: CircuitRunOptions,
): Promise<CircuitGraph> {
  const { summary } = model;
  const resolved = resolveTarget(summary, spec.target, layers);
  const nodes: CircuitNode[] = [];
  const edges: CircuitEdge[] = [];
  const kept = new Map<string, number[]>();
  const scores = new Map<string, Float64Array>();
  const matrices: CircuitGraph['matrices'] = new Map();
  let upperTensor: string;
  let upperUnits: number[];
  let upperRefs: Array<UnitRef | { logit: number }>;
  let start = layers.length - 1;
  let target: Circuit['target'] = spec.target;
  const batch = options.batch ?? 16;
  if (resolved.kind === 'selective') {
    const last = layers[layers.length - 1];
    if (images.contrast.length < 2) throw new LabError('bad-request', 'A selective target needs at least 2 contrast images.');
    const acts = await layerActivations(model, [...images.discovery, ...images.contrast], [last.tensor], spec.reduce, batch, options.signal);
    const rows = acts.get(last.tensor)!;
    const split = images.discovery.length * last.channels;
    const count = (spec.target as { count: number }).count;
    const sel = selectiveUnits(rows.subarray(0, split), rows.subarray(split), last.channels, count);
    sel.units.forEach((unit, i) => nodes.push({ layer: last.tensor, unit, score: sel.scores[i] }));
    kept.set(last.tensor, sel.units);
    target = { kind: 'units', units: sel.units.map((unit) => ({ layer: last.tensor, unit })) };
    upperTensor = last.tensor;
    upperUnits = sel.units;
    upperRefs = sel.units.map((unit) => ({ layer: last.tensor, unit }));
    start = layers.length - 2;
  } else {
    upperTensor = resolved.tensor!;
    upperUnits = resolved.units;
    upperRefs = resolved.kind === 'logit' ? [{ logit: resolved.units[0] }] : [{ layer: upperTensor, unit: resolved.units[0] }];
  }
  const total = start + 1;
  for (let j = start; j >= 0; j--) {
    throwIfAborted(options.signal);
    const lower = layers[j];
    const w = await method.edges(upperTensor, upperUnits, lower.tensor, options.signal);
    const C = lower.channels;
    const score = new Float64Array(C);
    for (let u = 0; u < upperUnits.length; u++) for (let m = 0; m < C; m++) score[m] += w[u * C + m];
    const keep = topK(score, spec.k);
    scores.set(lower.tensor, score);
    kept.set(lower.tensor, keep);
    matrices.set(lower.tensor, { upper: upperRefs as UnitRef[], upperTensor, weights: w });
    for (const m of keep) {
      nodes.push({ layer: lower.tensor, unit: m, score: score[m] });
      upperRefs.forEach((to, u) => edges.push({ from: { layer: lower.tensor, unit: m }, to, weight: w[u * C + m] }));
    }
    upperTensor = lower.tensor;
    upperUnits = keep;
    upperRefs = keep.map((unit) => ({ layer: lower.tensor, unit }));
    options.onProgress?.({ stage: 'discovery', done: start - j + 1, total });
  }
  // Nodes input to output, by score within a layer.
  const order = new Map(layers.map((l, i) => [l.tensor, i]));
  nodes.sort((a, b) => order.get(a.layer)! - order.get(b.layer)! || b.score - a.score || a.unit - b.unit);
  return { target, nodes, edges, kept, scores, matrices };
}

export async function discoverCircuit(
  runtime: Runtime,
  model: LoadedModel,
  spec: CircuitSpec,
  images: CircuitImages,
  options: CircuitRunOptions = {},
): Promise<Circuit> {
  const started = performance.now();
  checkImages(spec, images);
  const { summary } = model;
  const layers = resolveCircuitLayers(summary, spec.layers.length ? spec.layers : defaultCircuitLayers(model.model, summary));
  for (const l of layers) {
    if (spec.k > l.channels) throw new LabError('bad-request', `k = ${spec.k} is more than the ${l.channels} units of ${l.label}.`);
  }
  if (spec.target.kind === 'logit' && classCount(summary) === 0) throw new LabError('bad-request', 'The model output has no class axis for a logit target.');
  resolveTarget(summary, spec.target, layers);
  options.onProgress?.({ stage: 'examples', done: 0, total: 1 });
  const shapes = await modelShapes(runtime, model);
  const ctx: EdgeContext = {
    runtime,
    model: model.model,
    shapes,
    inputName: summary.imageInput.name,
    input: imagesToTensor(images.discovery, summary.preprocess),
    reduce: spec.reduce,
    rows: options.batch ?? 16,
    session: options.session,
  };
  const contextFor = async (m: CircuitMethod) => (m === 'ablation' ? ablationContext(ctx, model, spec, images, layers, options) : ctx);
  const method = await openMethod(spec.method, await contextFor(spec.method));
  let graph: CircuitGraph;
  try {
    graph = await buildGraph(method, model, spec, images, layers, options);
  } finally {
    await method.release();
  }
  let agreed: Circuit['agreement'];
  if (options.compare) {
    const otherName: CircuitMethod = spec.method === 'cla' ? 'ablation' : 'cla';
    const other = await openMethod(otherName, await contextFor(otherName));
    try {
      agreed = await agreement(other, graph, layers, spec.k, options.signal);
    } finally {
      await other.release();
    }
  }
  // The example that drives each kept unit most.
  const acts = await layerActivations(model, images.discovery, layers.map((l) => l.tensor), spec.reduce, options.batch ?? 16, options.signal);
  for (const node of graph.nodes) {
    const rows = acts.get(node.layer)!;
    const C = layers.find((l) => l.tensor === node.layer)!.channels;
    let best = 0;
    for (let i = 1; i < images.discovery.length; i++) if (rows[i * C + node.unit] > rows[best * C + node.unit]) best = i;
    node.topExample = best;
  }
  let causal: Awaited<ReturnType<typeof causalTests>> | undefined;
  if (images.heldOut.length > 0) {
    const means = spec.ablation === 'mean' ? await unitMeans(model, images, layers, options) : undefined;
    const targetClass = spec.target.kind === 'logit' ? spec.target.index : null;
    causal = await causalTests(runtime, model, spec, images, layers, graph.nodes, targetClass, means, options);
  }
  const circuit: Circuit = {
    schema: 'lab.circuit/1',
    model: { name: summary.name, sha256: summary.sha256 },
    ...(options.dataset ? { dataset: options.dataset } : {}),
    spec: { ...spec, layers: spec.layers.length ? spec.layers : layers.map((l) => l.tensor) },
    target: graph.target,
    layers: layers.map((l) => l.tensor),
    nodes: graph.nodes,
    edges: graph.edges,
    ...(images.indices ? { examples: images.indices } : {}),
    ...(agreed ? { agreement: agreed } : {}),
    ...(causal ? { causal: causal.causal, cleanAccuracy: causal.cleanAccuracy, curve: causal.curve } : {}),
    ms: 0,
  };
  circuit.ms = Math.round(performance.now() - started);
  return circuit;
}
