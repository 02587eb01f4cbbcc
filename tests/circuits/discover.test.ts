/**
 * discoverCircuit on the built-in model: deterministic, internally consistent (a node's score is
 * the sum of its edges into the kept units above), ablation weights equal to direct masked runs
 * (plain one-mask sessions, one ablation per run), seeded random baselines, and clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverCircuit } from '../../src/engine/circuits';
import { ablationMethod, type AblationContext } from '../../src/engine/circuits/ablation';
import { randomCircuits } from '../../src/engine/circuits/causal';
import { restOf, splitConcept } from '../../src/engine/circuits/concept';
import { modelShapes } from '../../src/engine/circuits/discover';
import type { Circuit, CircuitImages } from '../../src/engine/circuits/types';
import type { SceneDataset } from '../../src/engine/data/datasets';
import { imagesToTensor } from '../../src/engine/data/preprocess';
import type { LoadedModel } from '../../src/engine/lab/loadedModel';
import { addMasks, maskInput } from '../../src/engine/onnx/masks';
import { encodeModel } from '../../src/engine/onnx/model';
import { addProbes, probeOutput } from '../../src/engine/onnx/probes';
import { openScenes, openScenesModel, runtime, spec } from './helpers';

let model: LoadedModel;
let scenes: SceneDataset;
let images: CircuitImages;

beforeAll(async () => {
  [model, scenes] = await Promise.all([openScenesModel(), openScenes()]);
  const coats = scenes.filter({ class: 'coat' });
  const split = splitConcept(coats, restOf(scenes.count, coats), 4, 4);
  const load = (idx: number[]) => idx.map((i) => scenes.image(i));
  images = { discovery: load(split.discovery), heldOut: load(split.heldOut), contrast: load(split.contrast), heldOutLabels: split.heldOut.map(() => 4), indices: split };
}, 120_000);
afterAll(() => model?.release());

const layer = (c: Circuit, i: number) => c.layers[i];

describe('discoverCircuit (CLA)', () => {
  let first: Circuit;
  it('finds k units per layer, with scores = the sum of their edges into the kept units above', async () => {
    first = await discoverCircuit(runtime, model, spec(), images, { batch: 8 });
    expect(first.layers).toHaveLength(6);
    for (const l of first.layers) expect(first.nodes.filter((n) => n.layer === l)).toHaveLength(3);
    for (const n of first.nodes) {
      const out = first.edges.filter((e) => e.from.layer === n.layer && e.from.unit === n.unit);
      expect(out.length).toBeGreaterThan(0);
      expect(n.score).toBeCloseTo(out.reduce((a, e) => a + e.weight, 0), 10);
      expect(n.score).toBeGreaterThan(0);
    }
    // The top layer's edges go to the logit; the others to kept units of the next layer.
    const top = first.edges.filter((e) => e.from.layer === layer(first, 5));
    expect(top.every((e) => 'logit' in e.to && e.to.logit === 4)).toBe(true);
    const mid = first.edges.filter((e) => e.from.layer === layer(first, 2));
    const kept3 = new Set(first.nodes.filter((n) => n.layer === layer(first, 3)).map((n) => n.unit));
    expect(mid.every((e) => 'layer' in e.to && e.to.layer === layer(first, 3) && kept3.has(e.to.unit))).toBe(true);
    expect(first.causal?.necessity.n).toBe(3);
    expect(first.curve).toHaveLength(3);
  });

  it('is deterministic: the same spec and images give the same circuit and baselines', async () => {
    const again = await discoverCircuit(runtime, model, spec(), images, { batch: 5 });
    expect({ ...again, ms: 0 }).toEqual({ ...first, ms: 0 });
  });

  it('seeds the random baselines: another seed, other random circuits, same circuit', async () => {
    const sizes = new Map(first.layers.map((l) => [l, 3]));
    const ls = model.summary.layers.filter((l) => first.layers.includes(l.tensor));
    expect(randomCircuits(ls, sizes, 4, 7, 1)).toEqual(randomCircuits(ls, sizes, 4, 7, 1));
    expect(randomCircuits(ls, sizes, 4, 8, 1)).not.toEqual(randomCircuits(ls, sizes, 4, 7, 1));
    const other = await discoverCircuit(runtime, model, spec({ seed: 8, random: 6 }), images, { batch: 8 });
    expect(other.nodes).toEqual(first.nodes);
    const again = await discoverCircuit(runtime, model, spec({ seed: 8, random: 6 }), images, { batch: 8 });
    expect(again.causal).toEqual(other.causal);
  });

  it('takes a max reduce, a unit target and a selective target', async () => {
    const l = model.summary.layers.find((x) => x.label === 'stage3.block2.relu2')!;
    const layers = ['stage2.block1.relu2', 'stage3.block0.relu2'];
    const unit = await discoverCircuit(runtime, model, spec({ target: { kind: 'unit', layer: l.tensor, unit: 99 }, layers, reduce: 'max', random: 0 }), images);
    expect(unit.edges.filter((e) => 'layer' in e.to && e.to.layer === l.tensor)).toHaveLength(3);
    expect(unit.causal?.necessity.n).toBe(0);
    const sel = await discoverCircuit(runtime, model, spec({ target: { kind: 'selective', count: 2 }, layers, random: 0 }), images);
    expect(sel.target.kind).toBe('units');
    expect(sel.nodes.filter((n) => n.layer === sel.layers[1])).toHaveLength(2);
  });
});

describe('ablation weights', () => {
  it('equal direct masked runs (one zeroed unit per run, a plain mask session)', async () => {
    const lower = model.summary.layers.find((x) => x.label === 'stage3.block2.relu2')!;
    const upperUnit = model.summary.layers.find((x) => x.label === 'stage2.block1.relu2')!;
    const below = model.summary.layers.find((x) => x.label === 'stage2.block0.relu2')!;
    const asMasked = (l: typeof lower) => ({ tensor: l.tensor, channels: l.channels, rank: 4 });
    const input = imagesToTensor(images.discovery, model.summary.preprocess);
    const ctx: AblationContext = {
      runtime, model: model.model, shapes: await modelShapes(runtime, model), inputName: model.summary.imageInput.name, input, reduce: 'mean', rows: 7,
      maskLayers: [asMasked(below), asMasked(upperUnit), asMasked(lower)], probeLayers: [asMasked(upperUnit), asMasked(lower)],
    };
    const method = await ablationMethod(ctx);
    const logitW = await method.edges('logits', [4, 2], lower.tensor);
    const unitW = await method.edges(upperUnit.tensor, [7], below.tensor);
    await method.release();

    const direct = async (masked: typeof lower, read: (out: Record<string, { data: Float32Array }>) => Float32Array, units: number[]) => {
      const m = addProbes(addMasks(model.model, [asMasked(masked)]), { layers: [{ tensor: upperUnit.tensor, rank: 4 }] });
      const s = await runtime.createSession(encodeModel(m));
      const run = async (off: number | null) => {
        const mask = new Float32Array(masked.channels).fill(1);
        if (off !== null) mask[off] = 0;
        return read(await s.run({ [ctx.inputName]: input, [maskInput(masked.tensor)]: { dims: [1, masked.channels, 1, 1], data: mask } }));
      };
      const clean = await run(null);
      const C = clean.length / input.dims[0];
      const out: number[][] = [];
      for (const m of units) {
        const abl = await run(m);
        out.push(Array.from({ length: C }, (_, n) => { let w = 0; for (let b = 0; b < input.dims[0]; b++) w += (clean[b * C + n] - abl[b * C + n]) / input.dims[0]; return w; }));
      }
      await s.release();
      return out;
    };
    const probeUnits = [0, 13, 99, 127];
    const viaLogits = await direct(lower, (o) => o.logits.data, probeUnits);
    probeUnits.forEach((m, i) => {
      expect(logitW[0 * lower.channels + m]).toBeCloseTo(viaLogits[i][4], 4);
      expect(logitW[1 * lower.channels + m]).toBeCloseTo(viaLogits[i][2], 4);
    });
    const viaProbe = await direct(below, (o) => o[probeOutput.mean(upperUnit.tensor)].data, [3, 50]);
    [3, 50].forEach((m, i) => expect(unitW[m]).toBeCloseTo(viaProbe[i][7], 4));
    expect(Math.max(...Array.from(logitW).map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('runs as a discovery method and reports where it agrees with CLA', async () => {
    const c = await discoverCircuit(runtime, model, spec({ method: 'ablation', random: 0 }), images, { batch: 64, compare: true });
    expect(c.nodes).toHaveLength(18);
    expect(c.agreement).toHaveLength(6);
    for (const a of c.agreement!) {
      expect(a.overlap).toBeGreaterThanOrEqual(0);
      expect(a.overlap).toBeLessThanOrEqual(1);
      expect(Math.abs(a.spearman)).toBeLessThanOrEqual(1);
    }
  });
});

describe('bad input', () => {
  const fails = async (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as { code: string; message: string });
  it('refuses empty and one-image concepts, and concepts with no images', async () => {
    expect(await fails(discoverCircuit(runtime, model, spec(), { ...images, discovery: [] }))).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/no example images/) });
    expect(await fails(discoverCircuit(runtime, model, spec(), { ...images, discovery: images.discovery.slice(0, 1) }))).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/one example image/) });
    expect(() => splitConcept([], [1, 2], 16, 16)).toThrow(/matches no images/);
    expect(() => splitConcept([5], [1, 2], 16, 16)).toThrow(/matches one image/);
  });
  it('names the range of an out-of-range target, and unknown layers', async () => {
    expect(await fails(discoverCircuit(runtime, model, spec({ target: { kind: 'logit', index: 10 } }), images))).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/0\.\.9/) });
    expect(await fails(discoverCircuit(runtime, model, spec({ target: { kind: 'unit', layer: 'stage2.block0.relu2', unit: 64 } }), images))).toMatchObject({ message: expect.stringMatching(/0\.\.63/) });
    expect(await fails(discoverCircuit(runtime, model, spec({ layers: ['nope'] }), images))).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/Unknown layer "nope"/) });
  });
  it('names the op without a backward rule; the ablation method still works there', async () => {
    const { decodeModel } = await import('../../src/engine/onnx/model');
    const { LoadedModel } = await import('../../src/engine/lab/loadedModel');
    const m = decodeModel(encodeModel(model.model));
    m.graph.node.find((n) => n.name === '/stage3/block1/relu1/Relu')!.opType = 'Softplus';
    const soft = await LoadedModel.open(runtime, encodeModel(m), 'softplus.onnx');
    try {
      const layers = ['stage3.block0.relu2', 'stage3.block1.relu2'];
      const err = await fails(discoverCircuit(runtime, soft, spec({ layers, random: 0 }), images));
      expect(err).toMatchObject({ code: 'unsupported-op', message: expect.stringMatching(/Softplus.*ablation method/s) });
      const abl = await discoverCircuit(runtime, soft, spec({ layers, random: 0, method: 'ablation' }), images, { batch: 64 });
      expect(abl.nodes).toHaveLength(6);
    } finally {
      await soft.release();
    }
  });
});
