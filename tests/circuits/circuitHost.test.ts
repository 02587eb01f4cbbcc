/**
 * The worker's circuit requests under Node (the built-in scene model over the first 600 scenes):
 * the concept split is the CLI's, the circuit equals the engine's on the same images (tab = CLI),
 * every node gets a thumbnail (an indexed layer's from its top dataset exemplar), bad input gets a clear error and loses nothing, and edits change
 * every prediction until they are cleared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverCircuit } from '../../src/engine/circuits';
import { restOf, splitConcept } from '../../src/engine/circuits/concept';
import type { CircuitSpec } from '../../src/engine/circuits/types';
import { loadBanks, openDataset, type SceneDataset } from '../../src/engine/data/datasets';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { EngineHandlers } from '../../src/worker/handlers';
import type { EngineRequest, EngineResponseBody } from '../../src/worker/protocol';
import { REPO_ROOT } from '../setup/fixturePaths';

const N = 600;
const ASSETS = join(REPO_ROOT, 'assets');
const MODEL = new Uint8Array(readFileSync(join(REPO_ROOT, 'models/scenes-balanced.onnx')));
const L2 = '/stage2/block1/relu2/Relu_output_0';
const L3 = '/stage3/block2/relu2/Relu_output_0';
const signal = new AbortController().signal;
const none = () => undefined;

const handlers = new EngineHandlers(nodeRuntime(), { readAsset: async (name) => new Uint8Array(readFileSync(join(ASSETS, name))), datasetCount: N });
let ds: SceneDataset;

async function ask<K extends EngineRequest['kind']>(req: Extract<EngineRequest, { kind: K }>): Promise<Extract<EngineResponseBody, { kind: K }>> {
  return (await handlers.handle(req, signal, none)) as Extract<EngineResponseBody, { kind: K }>;
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
  return 'no error';
}

const spec = (over: Partial<CircuitSpec> = {}): CircuitSpec => ({
  concept: { kind: 'filter', filter: { class: 'coat' } },
  contrast: { kind: 'rest' },
  examples: 6,
  heldOut: 6,
  target: { kind: 'logit', index: 4 },
  layers: [L2, L3],
  k: 3,
  method: 'cla',
  reduce: 'mean',
  ablation: 'zero',
  random: 0,
  seed: 3,
  ...over,
});

const discover = (s: CircuitSpec, extra: Partial<Extract<EngineRequest, { kind: 'discoverCircuit' }>> = {}) =>
  ask<'discoverCircuit'>({ kind: 'discoverCircuit', spec: s, datasetId: 'scenes-test', ...extra });

describe('circuit host', () => {
  beforeAll(async () => {
    await ask({ kind: 'loadModel', name: 'scenes-balanced.onnx', bytes: MODEL.slice() });
    const banks = await loadBanks(async (name) => new Uint8Array(readFileSync(join(ASSETS, name))));
    ds = await openDataset('scenes-test', banks, { count: N });
  });
  afterAll(() => handlers.handle({ kind: 'releaseModel' }, signal, none));

  it('splits a filter concept as the CLI does and finds the engine’s circuit on those images, with thumbnails', async () => {
    const body = await discover(spec(), { autoTarget: true });
    const matching = ds.filter({ class: 'coat' });
    const split = splitConcept(matching, restOf(ds.count, matching), 6, 6);
    expect(body.circuit.examples).toEqual({ discovery: split.discovery, heldOut: split.heldOut });
    expect(new Set([...split.discovery, ...split.heldOut]).size).toBe(12);
    // The default target of a class filter is that class's logit (coat = 4 in the model's labels).
    expect(body.circuit.spec.target).toEqual({ kind: 'logit', index: 4 });
    expect(body.heldOutLabels).toEqual(split.heldOut.map(() => 4));
    // Tab = CLI: the engine on the images the CLI would pick gives the same graph.
    const model = await LoadedModel.open(nodeRuntime(), MODEL.slice(), 'scenes-balanced.onnx');
    try {
      const direct = await discoverCircuit(nodeRuntime(), model, spec(), {
        discovery: split.discovery.map((i) => ds.image(i)),
        heldOut: split.heldOut.map((i) => ds.image(i)),
        contrast: split.contrast.map((i) => ds.image(i)),
        heldOutLabels: split.heldOut.map(() => 4),
        indices: { discovery: split.discovery, heldOut: split.heldOut },
      });
      expect(body.circuit.nodes).toEqual(direct.nodes);
      expect(body.circuit.edges).toEqual(direct.edges);
    } finally {
      await model.release();
    }
    expect(body.thumbs.map((t) => t.id).sort()).toEqual(body.circuit.nodes.map((n) => `${n.layer}#${n.unit}`).sort());
    for (const t of body.thumbs) {
      expect(t.map?.dims).toEqual(t.id.startsWith(L2) ? [16, 16] : [8, 8]);
      expect(t.example).toBe(body.circuit.nodes.find((n) => `${n.layer}#${n.unit}` === t.id)!.topExample);
    }
    // The same request again: the same circuit.
    const again = await discover(spec(), { autoTarget: true });
    expect(again.circuit.nodes).toEqual(body.circuit.nodes);
  });

  it('draws prompt concepts from the scene generator, deterministically by seed', async () => {
    const s = spec({ concept: { kind: 'prompts', prompts: ['red sneaker on grass', 'blue sneaker against the sky'] }, target: { kind: 'logit', index: 7 }, examples: 4, heldOut: 4 });
    const a = await discover(s);
    const b = await discover(s);
    expect(a.discovery.length).toBe(4);
    expect(a.heldOutLabels).toEqual([7, 7, 7, 7]);
    expect(Buffer.from(a.discovery[0].data).equals(Buffer.from(b.discovery[0].data))).toBe(true);
    expect(Buffer.from(a.discovery[0].data).equals(Buffer.from(a.discovery[2].data))).toBe(false);
    const c = await discover({ ...s, seed: 4 });
    expect(Buffer.from(a.discovery[0].data).equals(Buffer.from(c.discovery[0].data))).toBe(false);
    expect(a.circuit.nodes).toEqual(b.circuit.nodes);
  });

  it('refuses bad input with a clear message and keeps the model usable', async () => {
    const counts = new Map<string, number>();
    for (const f of ds.facets) counts.set(`${f.class}|${f.color}|${f.texture}`, (counts.get(`${f.class}|${f.color}|${f.texture}`) ?? 0) + 1);
    const filterOf = (key: string) => {
      const [c, col, t] = key.split('|');
      return { class: c, color: col, texture: t } as never;
    };
    const one = [...counts].find(([, n]) => n === 1)![0];
    const classes = ['t-shirt', 'coat', 'bag'];
    const empty = classes.flatMap((c) => ['red', 'blue', 'white'].flatMap((col) => ['plain', 'dots'].map((t) => `${c}|${col}|${t}`))).find((k) => !counts.has(k))!;
    expect(await failure(discover(spec({ concept: { kind: 'filter', filter: filterOf(empty) } })))).toMatch(/bad-request: The concept has no images: no scene of scenes-test passes/);
    expect(await failure(discover(spec({ concept: { kind: 'filter', filter: filterOf(one) } })))).toMatch(/bad-request: .*one image/);
    expect(await failure(discover(spec({ concept: { kind: 'images', count: 1 } }), { images: [ds.image(0)] }))).toMatch(/one image/);
    expect(await failure(discover(spec({ concept: { kind: 'prompts', prompts: ['  '] } })))).toMatch(/no images: write at least one prompt/);
    expect(await failure(discover(spec({ layers: ['nope'] })))).toMatch(/bad-request: Unknown layer "nope"/);
    expect(await failure(discover(spec({ target: { kind: 'logit', index: 10 } })))).toMatch(/bad-request: .*10/);
    expect(await failure(discover(spec({ examples: 0 })))).toMatch(/from 1 to 64/);
    const p = await ask({ kind: 'predict', image: ds.image(1) });
    expect(p.prediction.probabilities).toHaveLength(10);
  });

  it('applies edits to every prediction and check, and restores the model when cleared', async () => {
    const body = await discover(spec({ random: 0 }));
    const image = ds.image(body.circuit.examples!.heldOut[0]);
    const before = (await ask({ kind: 'predict', image })).prediction.logits;
    const units = body.circuit.nodes.filter((n) => n.layer === L3);
    const set = await ask({ kind: 'setEdits', edits: units.map((n) => ({ kind: 'unit' as const, layer: n.layer, unit: n.unit, scale: 0 })) });
    expect(set.count).toBe(3);
    expect(set.sha256).toMatch(/^[0-9a-f]{64}$/);
    const after = (await ask({ kind: 'predict', image })).prediction.logits;
    expect(Math.max(...after.map((v, i) => Math.abs(v - before[i])))).toBeGreaterThan(1e-3);
    // The ablated circuit lowers the coat logit on the held-out coats.
    const check = await ask({ kind: 'checkEdits' });
    expect(check.edited).not.toBeNull();
    expect(check.edited!.targetLogit!).toBeLessThan(check.base.targetLogit!);
    // A bad edit is refused and the edits in force stay.
    expect(await failure(ask({ kind: 'setEdits', edits: [{ kind: 'unit', layer: L3, unit: 999, scale: 0 }] }))).toMatch(/unit 999 is out of range/);
    const still = (await ask({ kind: 'predict', image })).prediction.logits;
    expect(still).toEqual(after);
    await ask({ kind: 'setEdits', edits: [] });
    const restored = (await ask({ kind: 'predict', image })).prediction.logits;
    expect(restored).toEqual(before);
  });
  it('draws an indexed layer’s node thumbnails from its top dataset exemplar, the others from the concept', async () => {
    const before = await discover(spec());
    expect(before.thumbs.length).toBeGreaterThan(0);
    for (const t of before.thumbs) {
      expect(t.source).toBe('concept');
      expect(t.image).toBeUndefined();
    }
    const indexed = await ask({ kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L3] });
    expect(indexed.layers[0]).toMatchObject({ layer: L3, done: N, count: N });
    const after = await discover(spec());
    expect(after.circuit.nodes).toEqual(before.circuit.nodes);
    const l3 = after.thumbs.filter((t) => t.id.startsWith(`${L3}#`));
    expect(l3.length).toBe(3);
    for (const t of after.thumbs) {
      if (!t.id.startsWith(`${L3}#`)) {
        // L2 is not indexed: as before.
        expect(t).toEqual(before.thumbs.find((b) => b.id === t.id));
        continue;
      }
      const unit = Number(t.id.slice(L3.length + 1));
      const top = (await ask({ kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit })).exemplars.top[0];
      expect(t.source).toBe('exemplar');
      expect(t.example).toBe(top.index);
      expect(t.value).toBe(top.value);
      expect(Buffer.from(t.image!.data).equals(Buffer.from(top.image.data))).toBe(true);
      expect(Buffer.from(t.image!.data).equals(Buffer.from(ds.image(top.index).data))).toBe(true);
      expect(t.map?.dims).toEqual([8, 8]);
      expect(Array.from(t.map!.data)).toEqual(Array.from(top.map!.data));
    }
  });
});
