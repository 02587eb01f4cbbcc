/**
 * Timing of backward graphs in onnxruntime-node (not a test):
 *
 *     npx tsx bench/gradients.ts [runs] [threads]
 *
 * Per model, batch 1, the sin input: the plain forward model, and gradient models (forward
 * outputs + target + d(target)/d(input)) for a logit target — with the default Conv backward and
 * with ConvTranspose for every Conv — and for a unit target at a middle layer. The sessions take
 * turns run by run (so load from other processes hits all alike); medians after 3 warm-ups.
 * threads: intra-op threads per session (default 1, the steadiest on a shared machine; 0 = all).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGradientModel, tensorShapes, type GradientOptions } from '../src/engine/onnx/backward';
import { decodeModel, encodeModel } from '../src/engine/onnx/model';
import { nodeRuntime } from '../src/engine/runtime/node';
import type { Session } from '../src/engine/runtime/types';
import { REPO_ROOT, fixturePath, sinInput } from '../tests/setup/fixturePaths';

const runs = Number(process.argv[2] ?? 15);
const threads = Number(process.argv[3] ?? 1);
const runtime = nodeRuntime();
const MODELS = [
  { name: 'placeholder-fmnist', path: join(REPO_ROOT, 'models/placeholder-fmnist.onnx'), input: 'image', dims: [1, 3, 64, 64], middle: '/stage2/block0/relu2/Relu_output_0' },
  { name: 'resnet18', path: fixturePath('resnet18.onnx'), input: 'input', dims: [1, 3, 224, 224], middle: '/layer3/layer3.1/relu_1/Relu_output_0' },
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`onnxruntime-node, ${threads || 'all'} thread(s), median of ${runs} runs`);
for (const m of MODELS) {
  const bytes = new Uint8Array(readFileSync(m.path));
  const model = decodeModel(bytes);
  const shapes = await tensorShapes(runtime, model);
  const feeds = { [m.input]: { dims: m.dims, data: sinInput(m.dims) } };
  const variants: Array<[string, Omit<GradientOptions, 'shapes' | 'wrt'> | null]> = [
    ['forward only', null],
    ['logit target', { target: { kind: 'logit', index: 0 } }],
    ['logit target, ConvTranspose for every Conv', { target: { kind: 'logit', index: 0 }, convAdjoint: 'convtranspose' }],
    ['unit target (middle layer)', { target: { kind: 'unit', tensor: m.middle, unit: 0, reduce: 'mean' } }],
  ];
  const sessions: Array<{ label: string; session: Session; note: string; times: number[] }> = [];
  for (const [label, options] of variants) {
    let note = '';
    let model2: Uint8Array = bytes;
    if (options) {
      const built = buildGradientModel(model, { ...options, wrt: ['input'], shapes });
      note = `${built.differentiated} nodes differentiated, ${built.model.graph.node.length - model.graph.node.length} added`;
      model2 = encodeModel(built.model);
    }
    const session = await runtime.createSession(model2, { threads });
    for (let i = 0; i < 3; i++) await session.run(feeds);
    sessions.push({ label, session, note, times: [] });
  }
  for (let r = 0; r < runs; r++) {
    for (const s of sessions) {
      const t = performance.now();
      await s.session.run(feeds);
      s.times.push(performance.now() - t);
    }
  }
  const forward = median(sessions[0].times);
  console.log(`${m.name}: forward ${forward.toFixed(1)} ms`);
  for (const s of sessions.slice(1)) {
    const ms = median(s.times);
    console.log(`  ${s.label}: forward+backward ${ms.toFixed(1)} ms = ${(ms / forward).toFixed(2)}× forward (${s.note})`);
  }
  for (const s of sessions) await s.session.release();
}
