/**
 * Whole-model gradients against PyTorch autograd (tests/fixtures/make_gradients.py): the built-in
 * model and every torchvision fixture, a logit target and a unit target at a middle layer, w.r.t.
 * the input and, where the references name one, an intermediate layer too (resnet18,
 * ShuffleNetV2, MNASNet, ConvNeXt-T; a token layer of the small ViT, an NHWC stage of the small
 * Swin, a block of the small MaxViT). Full tensors are compared:
 * max |a − b| / max |b| < 1e-4, after aligning the few kink units where the two float32 forward
 * passes fall on different sides (./kinks.ts; their number is bounded and logged).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGradientModel, tensorShapes, type TensorShapes } from '../../src/engine/onnx/backward';
import { decodeModel, encodeModel, type Model } from '../../src/engine/onnx/model';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { relError } from '../engine/helpers';
import { REPO_ROOT, sinInput } from '../setup/fixturePaths';
import { alignKinks } from './kinks';
import { GRADIENT_MODELS, readGradient, readGradientRef } from './references';

const runtime = nodeRuntime();
const TOLERANCE = 1e-4;
/**
 * More aligned decisions than this would suggest a forward mismatch rather than float32 rounding.
 * The smooth "sin" input makes neighbouring activations nearly equal, so MaxPool windows often
 * hold near-ties: up to ~80 of the ~10⁴ listed windows are decided differently (squeezenet1_0).
 */
const MAX_FLIPS = 120;

describe.each(GRADIENT_MODELS)('%s gradients match PyTorch autograd', (name) => {
  const ref = readGradientRef(name);
  const input = { dims: ref.input.shape, data: sinInput(ref.input.shape) };
  const feeds = { [ref.input.name]: input };
  let model: Model;
  let shapes: TensorShapes;
  let baseLogits: Float32Array;

  beforeAll(async () => {
    const bytes = new Uint8Array(readFileSync(join(REPO_ROOT, ref.model)));
    const original = decodeModel(bytes);
    const base = await runtime.createSession(bytes);
    try {
      baseLogits = (await base.run(feeds))[original.graph.output[0].name].data;
    } finally {
      await base.release();
    }
    const aligned = await alignKinks(runtime, original, await tensorShapes(runtime, original), feeds, ref);
    console.log(
      `[gradients] ${name}: ${ref.kinks.length} near-kink units and ${ref.ties.length} MaxPool near-ties listed ` +
        `(max |ort − torch| there ${aligned.margin.toFixed(3)} of the listing window); ${aligned.flips} decided differently` +
        (aligned.flips ? ` (${summarize(aligned.describe)}; ${aligned.rounds} rounds)` : ''),
    );
    // The lists cover every element whose decision could differ, and flips stay rare.
    expect(aligned.margin).toBeLessThan(0.5);
    expect(aligned.flips).toBeLessThanOrEqual(MAX_FLIPS);
    ({ model, shapes } = aligned);
  }, 120_000); // ConvNeXt-T (114 MB) loads, dry-runs and aligns for several seconds on a busy 2-core machine

  it.each(ref.cases.map((c) => [c.id, c] as const))('%s target', async (_id, c) => {
    const wrt = c.wrt.map((w) => w.name);
    const built = buildGradientModel(model, { target: c.target, wrt, shapes });
    const session = await runtime.createSession(encodeModel(built.model));
    try {
      const out = await session.run(feeds);
      // The forward outputs are (up to the kink alignment) the model's, and the target is torch's.
      expect(relError(baseLogits, out[built.outputs.forward[0]].data)).toBeLessThan(1e-5);
      expect(Math.abs(out[built.outputs.target].data[0] - c.targetValue)).toBeLessThan(1e-4 * Math.max(1, Math.abs(c.targetValue)));
      for (const w of c.wrt) {
        const got = out[built.outputs.grads[w.name]];
        expect(got.dims).toEqual(w.shape);
        const err = relError(readGradient(w), got.data);
        console.log(`[gradients] ${name} ${c.id} d/d(${w.name}) rel err ${err.toExponential(2)} (max |g| ${w.maxAbs.toExponential(2)})`);
        expect(err).toBeLessThan(TOLERANCE);
      }
    } finally {
      await session.release();
    }
  });
});

/** "Relu ×3, MaxPool ×14" from the per-decision descriptions. */
function summarize(describe: string[]): string {
  const counts = new Map<string, number>();
  for (const d of describe) counts.set(d.split(' ')[0], (counts.get(d.split(' ')[0]) ?? 0) + 1);
  return [...counts].map(([op, n]) => `${op} ×${n}`).join(', ');
}
