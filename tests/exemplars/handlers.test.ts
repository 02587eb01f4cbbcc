/**
 * The worker's exemplar requests under Node, with the built-in model over the first 300 scenes of
 * the built-in dataset: indexing with progress, instant repeats, cancel and resume, unit views
 * with maps and concepts, the unit grid, and export/import of an index (the page's cache).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset, type SceneDataset } from '../../src/engine/data/datasets';
import type { LabError } from '../../src/engine/errors';
import { LoadedModel, MAX_PROBE_SESSIONS } from '../../src/engine/lab/loadedModel';
import { DatasetHost } from '../../src/worker/datasetHost';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { EngineHandlers } from '../../src/worker/handlers';
import type { EngineRequest, EngineResponseBody, Progress } from '../../src/worker/protocol';
import { REPO_ROOT } from '../setup/fixturePaths';
import { ASSETS, loadTestBanks } from '../synth/banks';

const N = 300;
const MODEL = new Uint8Array(readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx')));
const L3 = '/stage3/block0/relu2/Relu_output_0'; // 64 units, 16×16
const L2 = '/stage2/block0/relu2/Relu_output_0'; // 32 units, 32×32
const signal = new AbortController().signal;
const none = () => undefined;

function makeHandlers() {
  return new EngineHandlers(nodeRuntime(), {
    readAsset: async (name) => new Uint8Array(readFileSync(join(ASSETS, name))),
    datasetCount: N,
  });
}

async function ask<K extends EngineRequest['kind']>(
  h: EngineHandlers,
  req: Extract<EngineRequest, { kind: K }>,
  progress: (p: Progress) => void = none,
  s: AbortSignal = signal,
): Promise<Extract<EngineResponseBody, { kind: K }>> {
  return (await h.handle(req, s, progress)) as Extract<EngineResponseBody, { kind: K }>;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return `${(err as LabError).code}: ${(err as Error).message}`;
  }
  return 'no error';
}

const handlers = makeHandlers();
let ds: SceneDataset;
let reference: LoadedModel;

beforeAll(async () => {
  ds = await openDataset('scenes-test', loadTestBanks(), { count: N });
  reference = await LoadedModel.open(nodeRuntime(), MODEL.slice(), 'placeholder');
  await ask(handlers, { kind: 'loadModel', name: 'placeholder', bytes: MODEL.slice() });
});
afterAll(async () => {
  await handlers.handle({ kind: 'releaseModel' }, signal, none);
  await reference.release();
});

describe('indexExemplars', () => {
  it('indexes with progress (done, total, images/s, ETA); the tables equal direct runs; a repeat is instant', async () => {
    const seen: Progress[] = [];
    const body = await ask(handlers, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L3], k: 5 }, (p) => seen.push(p));
    expect(body).toMatchObject({ instant: false, resumedFrom: 0, skipped: [], datasetSha256: ds.info.sha256 });
    expect(body.layers).toEqual([{ layer: L3, channels: 64, count: N, done: N, k: 5 }]);
    const idx = seen.filter((p) => p.index);
    expect(idx.map((p) => p.index!.done)).toEqual([64, 128, 192, 256, 300]);
    expect(idx.every((p) => p.index!.total === N && p.index!.imagesPerSecond > 0)).toBe(true);
    expect(idx.at(-1)!.index!.etaSeconds).toBe(0);
    expect(idx.at(-1)!.fraction).toBe(1);
    console.log(`indexed ${N} scenes at ${idx.at(-1)!.index!.imagesPerSecond.toFixed(0)} images/s (Node)`);

    // Rows of the exported table equal a direct probed run on the same scenes.
    const exported = await ask(handlers, { kind: 'exportIndex', datasetId: 'scenes-test', layer: L3 });
    const images = Array.from({ length: 10 }, (_, i) => ds.image(i));
    const direct = await reference.run({ images, layers: [L3] });
    expect(Array.from(exported.index.max.subarray(0, 640))).toEqual(Array.from(direct.stats[L3].max.data));

    const again = await ask(handlers, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L3], k: 5 });
    expect(again).toMatchObject({ instant: true, ms: 0, resumedFrom: N });
  });

  it('a cancelled request keeps what it did; the next one resumes and ends as a fresh pass', async () => {
    const controller = new AbortController();
    const cancelled = ask(
      handlers,
      { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L2], k: 5 },
      (p) => (p.index?.done ?? 0) >= 128 && controller.abort(),
      controller.signal,
    );
    expect(await codeOf(cancelled)).toMatch(/^cancelled/);
    expect(await codeOf(ask(handlers, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L2, unit: 0 }))).toMatch(/bad-request: .*not indexed/);
    const dones: number[] = [];
    const resumed = await ask(handlers, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L2], k: 5 }, (p) => p.index && dones.push(p.index.done));
    expect(resumed.resumedFrom).toBe(128);
    expect(dones[0]).toBe(192);
    const fresh = makeHandlers();
    await ask(fresh, { kind: 'loadModel', name: 'placeholder', bytes: MODEL.slice() });
    await ask(fresh, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L2], k: 5 });
    const a = await ask(handlers, { kind: 'exportIndex', datasetId: 'scenes-test', layer: L2 });
    const b = await ask(fresh, { kind: 'exportIndex', datasetId: 'scenes-test', layer: L2 });
    expect(Array.from(a.index.max)).toEqual(Array.from(b.index.max));
    expect(Array.from(a.index.top.indices)).toEqual(Array.from(b.index.top.indices));
    await fresh.handle({ kind: 'releaseModel' }, signal, none);
  });

  it('refuses unknown layers and bad k', async () => {
    expect(await codeOf(ask(handlers, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: ['nope'] }))).toMatch(/bad-request: Unknown layer "nope"/);
    expect(await codeOf(ask(handlers, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L3], k: 0 }))).toMatch(/bad-request: k must/);
    expect(await codeOf(ask(handlers, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [] }))).toMatch(/bad-request/);
  });
});

describe('unitExemplars', () => {
  it('gives stats, top-k and bottom-k with images and full maps whose max is the ranking value, and concepts', async () => {
    const { exemplars: ex } = await ask(handlers, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit: 3 });
    expect(ex.unit).toBe(3);
    expect(ex.top).toHaveLength(5);
    expect(ex.bottom).toHaveLength(5);
    expect(ex.stats.histogram.counts).toHaveLength(32);
    expect(ex.stats.histogram.counts.reduce((a, b) => a + b, 0)).toBe(N);
    expect(ex.top.map((t) => t.value)).toEqual([...ex.top.map((t) => t.value)].sort((a, b) => b - a));
    expect(ex.top[0].value).toBeCloseTo(ex.stats.max, 6);
    for (const it of [...ex.top, ...ex.bottom]) {
      expect(it.image).toMatchObject({ width: 64, height: 64, channels: 3 });
      expect(Array.from(it.image.data)).toEqual(Array.from(ds.scene(it.index).pixels));
      expect(it.map!.dims).toEqual([16, 16]);
      expect(Math.max(...it.map!.data)).toBeCloseTo(it.value, 4);
      expect(it.facets).toMatchObject({ class: ds.facets[it.index].class, color: ds.facets[it.index].color });
    }
    expect(ex.concepts.length).toBeGreaterThan(0);
    for (const c of ex.concepts) expect(c.lift).toBeCloseTo(c.precision / c.baseRate, 6);
    expect(ex.iou).toBeGreaterThanOrEqual(0);
    expect(ex.iou).toBeLessThanOrEqual(1);
    expect(ex.description).toMatch(/IoU \d\.\d\d\)$/);
    console.log(`unit 3 of stage3.block0.relu2: ${ex.description}`);

    const fewer = await ask(handlers, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit: 3, k: 2 });
    expect(fewer.exemplars.top.map((t) => t.index)).toEqual(ex.top.slice(0, 2).map((t) => t.index));
    expect(await codeOf(ask(handlers, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit: 64 }))).toMatch(/bad-request: Unit 64 is out of range/);
  });
});

describe('unitGrid', () => {
  it('summarises every unit with its best exemplar thumbnail', async () => {
    const grid = await ask(handlers, { kind: 'unitGrid', datasetId: 'scenes-test', layer: L3 });
    expect(grid.units).toHaveLength(64);
    const { exemplars } = await ask(handlers, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit: 3, k: 1 });
    expect(grid.units[3].best).toEqual({ index: exemplars.top[0].index, value: exemplars.top[0].value });
    expect(grid.units[3].spark.reduce((a, b) => a + b, 0)).toBe(N);
    const thumbs = new Set(grid.thumbs.map((t) => t.index));
    for (const u of grid.units) {
      if (u.best) expect(thumbs.has(u.best.index)).toBe(true);
      expect(Number.isFinite(u.selectivity)).toBe(true);
      expect(Number.isFinite(u.conceptZ)).toBe(true);
    }
  });
});

describe('exportIndex / importIndex', () => {
  it('an exported index imported into a fresh worker serves the same unit view without indexing', async () => {
    const exported = await ask(handlers, { kind: 'exportIndex', datasetId: 'scenes-test', layer: L3 });
    const fresh = makeHandlers();
    await ask(fresh, { kind: 'loadModel', name: 'placeholder', bytes: MODEL.slice() });
    const snap = structuredClone(exported.index);
    const wrong = await codeOf(ask(fresh, { kind: 'importIndex', datasetId: 'scenes-test', modelSha256: 'f'.repeat(64), datasetSha256: exported.datasetSha256, index: snap }));
    expect(wrong).toMatch(/bad-request: .*another model/);
    const bad = await codeOf(ask(fresh, { kind: 'importIndex', datasetId: 'scenes-test', modelSha256: exported.modelSha256, datasetSha256: exported.datasetSha256, index: { ...snap, max: new Float32Array(4) } }));
    expect(bad).toMatch(/bad-request: The cached index cannot be used/);
    const imported = await ask(fresh, { kind: 'importIndex', datasetId: 'scenes-test', modelSha256: exported.modelSha256, datasetSha256: exported.datasetSha256, index: snap });
    expect(imported.layer).toEqual({ layer: L3, channels: 64, count: N, done: N, k: 5 });
    const instant = await ask(fresh, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L3], k: 5 });
    expect(instant.instant).toBe(true);
    const a = await ask(handlers, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit: 7 });
    const b = await ask(fresh, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit: 7 });
    expect(b.exemplars.stats).toEqual(a.exemplars.stats);
    expect(b.exemplars.description).toBe(a.exemplars.description);
    await fresh.handle({ kind: 'releaseModel' }, signal, none);
  });
});

describe('worker housekeeping', () => {
  it('two requests for a dataset being generated share one generation', async () => {
    const host = new DatasetHost(async (name) => new Uint8Array(readFileSync(join(ASSETS, name))), { count: 40 });
    const [a, b] = await Promise.all([host.get('scenes-test', undefined, signal, none), host.get('scenes-test', undefined, signal, none)]);
    expect(a).toBe(b);
    expect(a.count).toBe(40);
    expect(host.peek('scenes-test')).toBe(a);
  });

  it('keeps at most MAX_PROBE_SESSIONS probe sessions (one per open unit map), re-creating evicted ones', async () => {
    const images = [ds.image(0)];
    const first = await reference.run({ images, maps: [{ layer: L3, unit: 0 }] });
    for (let u = 1; u <= MAX_PROBE_SESSIONS + 2; u++) await reference.run({ images, maps: [{ layer: L3, unit: u }] });
    expect((reference as unknown as { probeSessions: Map<string, unknown> }).probeSessions.size).toBe(MAX_PROBE_SESSIONS);
    const again = await reference.run({ images, maps: [{ layer: L3, unit: 0 }] });
    expect(Array.from(again.maps[`${L3}#0`].data)).toEqual(Array.from(first.maps[`${L3}#0`].data));
  });
});
