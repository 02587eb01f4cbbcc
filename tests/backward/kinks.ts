/**
 * Aligning kink decisions between onnxruntime and torch before comparing gradients.
 *
 * Two float32 forward passes differ by ~1e-6, so a Relu (HardSwish, HardSigmoid) input within
 * that distance of its kink, or a MaxPool window whose two largest values are that close (the
 * smooth test input makes many), can be decided differently by onnxruntime and by torch: the
 * derivative then differs at that unit by its whole upstream gradient, which spreads to every
 * input pixel below it. That is not a VJP error. make_gradients.py lists every such near-kink
 * unit and near-tie window with torch's values; here we read onnxruntime's values there, and
 * where the decision differs we add a constant to that tensor at exactly those elements so that
 * onnxruntime decides as torch did: a kink input gets torch's value, and in a MaxPool window
 * torch's pick is raised just above onnxruntime's maximum (a change of ~1e-6 at a few dozen
 * elements). Gradients are then compared on the same piecewise-linear branch at the strict
 * tolerance.
 */
import { encodeModel, onnx, type Model } from '../../src/engine/onnx/model';
import { exposeTensors } from '../../src/engine/onnx/probes';
import type { TensorShapes } from '../../src/engine/onnx/backward';
import { makeNode } from '../../src/engine/onnx/graph';
import type { Runtime } from '../../src/engine/runtime/types';
import type { TensorF32 } from '../../src/engine/types';
import type { GradientRef } from './references';

/** One element set to torch's value (or, for a MaxPool window, just above the window's max). */
export interface Nudge {
  tensor: string;
  index: number;
  torch: number;
  ort: number;
}

export interface KinkReport {
  /** Elements to align: near-kink units and near-tie windows decided differently. */
  nudges: Nudge[];
  /** How many decisions differed (a tie window counts once). */
  flips: number;
  /** Max over listed elements of |onnxruntime − torch| / (the listing window): < 1 means the lists cover every possible flip. */
  margin: number;
  describe: string[];
}

const side = (v: number, k: number) => (v > k ? 1 : v < k ? -1 : 0);
/** First maximum in scan order, as both onnxruntime and torch pick. */
const firstMax = (values: number[]) => values.reduce((best, v, i) => (v > values[best] ? i : best), 0);

export async function findFlips(runtime: Runtime, model: Model, feeds: Record<string, TensorF32>, ref: GradientRef): Promise<KinkReport> {
  const tensors = [...new Set([...ref.kinks.map((k) => k.tensor), ...ref.ties.map((t) => t.tensor)])];
  const report: KinkReport = { nudges: [], flips: 0, margin: 0, describe: [] };
  if (tensors.length === 0) return report;
  const session = await runtime.createSession(encodeModel(exposeTensors(model, tensors)));
  try {
    const out = await session.run(feeds, { outputs: tensors });
    for (const k of ref.kinks) {
      const ort = out[k.tensor].data[k.index];
      report.margin = Math.max(report.margin, Math.abs(ort - k.value) / ref.windows[k.tensor]);
      if (side(ort, k.kink) !== side(k.value, k.kink)) {
        report.flips++;
        report.nudges.push({ tensor: k.tensor, index: k.index, torch: k.value, ort });
        report.describe.push(`${k.op} ${k.tensor}[${k.index}] ort ${ort.toExponential(2)} torch ${k.value.toExponential(2)}`);
      }
    }
    for (const t of ref.ties) {
      const ort = t.indices.map((i) => out[t.tensor].data[i]);
      ort.forEach((v, j) => (report.margin = Math.max(report.margin, Math.abs(v - t.values[j]) / ref.windows[t.tensor])));
      const picked = t.indices[firstMax(ort)];
      if (picked !== t.chosen) {
        // Make torch's pick the strict maximum in onnxruntime (torch's values may tie exactly).
        report.flips++;
        const j = t.indices.indexOf(t.chosen);
        const top = Math.max(...ort);
        report.nudges.push({ tensor: t.tensor, index: t.chosen, torch: top + Math.abs(top) * 2 ** -18, ort: ort[j] });
        report.describe.push(`MaxPool ${t.tensor} window [${t.indices.join(',')}] ort picks ${picked}, torch ${t.chosen}`);
      }
    }
    return report;
  } finally {
    await session.release();
  }
}

let alignment = 0;

/** A copy of the model whose nudged elements carry torch's values (batch-1 constants added). */
export function alignFlips(model: Model, shapes: TensorShapes, nudges: Nudge[]): { model: Model; shapes: TensorShapes } {
  if (nudges.length === 0) return { model, shapes };
  const graph = { ...model.graph, node: [...model.graph.node], initializer: [...model.graph.initializer] };
  const dims = { ...shapes.dims };
  for (const tensor of new Set(nudges.map((f) => f.tensor))) {
    const at = graph.node.findIndex((n) => n.output.includes(tensor));
    const producer = graph.node[at];
    const id = ++alignment;
    const raw = `${tensor}:before-alignment-${id}`;
    graph.node[at] = { ...producer, output: producer.output.map((o) => (o === tensor ? raw : o)) };
    const shape = [1, ...shapes.dims[tensor].slice(1)];
    const delta = new Float32Array(shape.reduce((p, x) => p * x, 1));
    for (const f of nudges) if (f.tensor === tensor) delta[f.index] = f.torch - f.ort;
    const name = `${tensor}:alignment-${id}`;
    graph.initializer.push(
      onnx.TensorProto.create({ name, dims: shape, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(delta) }) as never,
    );
    graph.node.splice(at + 1, 0, makeNode('Add', [raw, name], [tensor], `${tensor}/alignment-${id}`));
    dims[raw] = shapes.dims[tensor];
  }
  return { model: { ...model, graph }, shapes: { ...shapes, dims } };
}

/**
 * Aligns until onnxruntime decides every listed kink as torch does (an alignment upstream can
 * move values downstream by ~1e-7, so a second round may find more). Returns the aligned model
 * and shapes, the number of decisions aligned, and the coverage margin of the first round.
 */
export async function alignKinks(
  runtime: Runtime,
  model: Model,
  shapes: TensorShapes,
  feeds: Record<string, TensorF32>,
  ref: GradientRef,
): Promise<{ model: Model; shapes: TensorShapes; flips: number; margin: number; describe: string[]; rounds: number }> {
  let current = { model, shapes };
  let flips = 0;
  let margin = 0;
  const describe: string[] = [];
  for (let round = 0; round < 4; round++) {
    const report = await findFlips(runtime, current.model, feeds, ref);
    if (round === 0) margin = report.margin;
    if (report.flips === 0) return { ...current, flips, margin, describe, rounds: round };
    flips += report.flips;
    describe.push(...report.describe);
    current = alignFlips(current.model, current.shapes, report.nudges);
  }
  throw new Error(`Kink decisions still differ after 4 alignment rounds: ${describe.join('; ')}`);
}
