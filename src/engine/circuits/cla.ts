/**
 * Cross-layer attribution between two layers: for units n of the upper tensor and every unit m
 * of the lower one,
 *   w(m→n) = mean_x Σ_{h,w} |A_m(x)[h,w]| · |∂a_n(x)/∂A_m(x)[h,w]|
 * with a_n the spatial mean (or max) of unit n (a logit is its own a_n).
 *
 * One gradient session per layer pair serves every upper unit: its target is a 'rows' target —
 * per-row channel weights fed as an input — so the batch holds each example once per upper unit
 * (row (u, x) carries the one-hot of unit u) and a single backward pass gives ∂a_n/∂A for all of
 * them. The |A|·|∂a/∂A| product and its spatial sum are computed inside the graph, so a run
 * returns [rows, C_lower] instead of full maps. Only the segment between the two layers is
 * replicated (./segment): one forward run of the whole model per image gives the lower layer
 * (and any side input), which the gradient session then takes as its input.
 */
import { asLabError, sessionError } from '../errors';
import { buildGradientModel, type Reduce, type TensorShapes } from '../onnx/backward';
import { floatValueInfo, freshNamer, int64Initializer, makeNode } from '../onnx/graph';
import { modelSession } from '../lab/modelSession';
import { opsetVersion, type Model } from '../onnx/model';
import type { Runtime, Session, SessionOptions } from '../runtime/types';
import { exposeTensors } from '../onnx/probes';
import type { TensorF32 } from '../types';
import { segmentModel } from './segment';

const WEIGHTS = 'cla:weights';
const EDGES = 'cla:edges';

export interface ClaPair {
  readonly upper: string;
  readonly lower: string;
  /** Channels of the upper and lower tensors. */
  readonly upperChannels: number;
  readonly lowerChannels: number;
  /**
   * Edge weights [units.length × lowerChannels] (row u: the edges into upper unit units[u]),
   * averaged over the images of `input` ([B,3,H,W], already normalised). `rowsPerRun` caps
   * the rows (image × unit) of one run.
   */
  edges(input: TensorF32, units: number[], rowsPerRun: number, signal?: AbortSignal, onRun?: () => void): Promise<Float64Array>;
  release(): Promise<void>;
}

/** Appends Σ_{h,w} |lower|·|grad| as the output EDGES ([N, C_lower]). */
function addEdgeOutput(model: Model, lower: string, grad: string, rank: number): void {
  const graph = model.graph;
  const fresh = freshNamer(graph);
  const absA = fresh('cla/abs_act');
  const absG = fresh('cla/abs_grad');
  const prod = rank > 2 ? fresh('cla/prod') : EDGES;
  graph.node.push(
    makeNode('Abs', [lower], [absA], fresh('cla/Abs_act')),
    makeNode('Abs', [grad], [absG], fresh('cla/Abs_grad')),
    makeNode('Mul', [absA, absG], [prod], fresh('cla/Mul')),
  );
  if (rank > 2) {
    const axes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
    if (opsetVersion(model) >= 13) {
      const axesName = fresh('cla_axes');
      graph.initializer.push(int64Initializer(axesName, axes));
      graph.node.push(makeNode('ReduceSum', [prod, axesName], [EDGES], fresh('cla/ReduceSum'), { keepdims: 0 }));
    } else {
      graph.node.push(makeNode('ReduceSum', [prod], [EDGES], fresh('cla/ReduceSum'), { axes, keepdims: 0 }));
    }
  }
  graph.output.push(floatValueInfo(EDGES, ['N', null]));
}

export async function openClaPair(
  runtime: Runtime,
  model: Model,
  shapes: TensorShapes,
  upper: string,
  lower: string,
  reduce: Reduce,
  inputName: string,
  session: SessionOptions = {},
): Promise<ClaPair> {
  const segment = segmentModel(model, lower, upper, shapes.dims);
  const built = buildGradientModel(segment.model, { target: { kind: 'rows', tensor: upper, weights: WEIGHTS, reduce }, wrt: [lower], shapes });
  const lowerDims = shapes.dims[lower];
  addEdgeOutput(built.model, lower, built.outputs.grads[lower], lowerDims.length);
  const feedsNeeded = [lower, ...segment.sides];
  let s: Session;
  let prefix: Session;
  try {
    s = await modelSession(runtime, built.model, session);
    prefix = await modelSession(runtime, exposeTensors(model, feedsNeeded.filter((t) => t !== inputName)), session);
  } catch (err) {
    throw sessionError(err);
  }
  const upperChannels = shapes.dims[upper][1];
  const lowerChannels = lowerDims[1];
  return {
    upper,
    lower,
    upperChannels,
    lowerChannels,
    async edges(input, units, rowsPerRun, signal, onRun) {
      const B = input.dims[0];
      const step = Math.max(1, rowsPerRun);
      // The segment's inputs for every image, from forward runs of the whole model.
      const fed = new Map<string, TensorF32>();
      const parts = new Map<string, Float32Array[]>(feedsNeeded.map((t) => [t, []]));
      const per0 = input.data.length / B;
      for (let b0 = 0; b0 < B; b0 += step) {
        const n = Math.min(step, B - b0);
        const x = { dims: [n, ...input.dims.slice(1)], data: input.data.subarray(b0 * per0, (b0 + n) * per0) };
        const outs = feedsNeeded.filter((t) => t !== inputName);
        const res = outs.length ? await prefix.run({ [inputName]: x }, { outputs: outs, signal }).catch((e) => { throw asLabError(e); }) : {};
        for (const t of feedsNeeded) parts.get(t)!.push(t === inputName ? x.data : res[t].data);
      }
      for (const t of feedsNeeded) fed.set(t, { dims: [B, ...shapes.dims[t].slice(1)], data: concat(parts.get(t)!) });
      const rows = units.length * B;
      const sums = new Float64Array(units.length * lowerChannels);
      for (let r0 = 0; r0 < rows; r0 += step) {
        const n = Math.min(step, rows - r0);
        const feeds: Record<string, TensorF32> = {};
        for (const [t, v] of fed) {
          const per = v.data.length / B;
          const x = new Float32Array(n * per);
          for (let i = 0; i < n; i++) {
            const b = (r0 + i) % B;
            x.set(v.data.subarray(b * per, (b + 1) * per), i * per);
          }
          feeds[t] = { dims: [n, ...v.dims.slice(1)], data: x };
        }
        const w = new Float32Array(n * upperChannels);
        for (let i = 0; i < n; i++) w[i * upperChannels + units[Math.floor((r0 + i) / B)]] = 1;
        feeds[WEIGHTS] = { dims: [n, upperChannels], data: w };
        const out = await s.run(feeds, { outputs: [EDGES], signal }).catch((e) => {
          throw asLabError(e);
        });
        const e = out[EDGES].data;
        for (let i = 0; i < n; i++) {
          const u = Math.floor((r0 + i) / B);
          for (let m = 0; m < lowerChannels; m++) sums[u * lowerChannels + m] += e[i * lowerChannels + m];
        }
        onRun?.();
      }
      for (let i = 0; i < sums.length; i++) sums[i] /= B;
      return sums;
    },
    release: async () => {
      await Promise.all([s.release(), prefix.release()]);
    },
  };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
