/**
 * The fast paths to first exemplars, under Node with the built-in model over the first scenes of
 * the built-in dataset: progressive indexing (chunk requests with partial unit views between them)
 * converges to a single full pass, and a dataset remembered in the memo opens without rendering
 * its scenes, so a cached index shows a unit after rendering only that unit's exemplars.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { DatasetHost } from '../../src/worker/datasetHost';
import { memoryMemo, type DatasetMemo } from '../../src/worker/datasetMemo';
import { ExemplarHost } from '../../src/worker/exemplarHost';
import { EngineHandlers } from '../../src/worker/handlers';
import type { EngineRequest, EngineResponseBody, Progress } from '../../src/worker/protocol';
import { REPO_ROOT } from '../setup/fixturePaths';
import { ASSETS } from '../synth/banks';

const N = 260;
const MODEL = new Uint8Array(readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx')));
const L3 = '/stage3/block0/relu2/Relu_output_0'; // 64 units, 16×16
const signal = new AbortController().signal;
const none = () => undefined;
const readAsset = async (name: string) => new Uint8Array(readFileSync(join(ASSETS, name)));

function makeHandlers(count: number) {
  return new EngineHandlers(nodeRuntime(), { readAsset, datasetCount: count });
}

async function ask<K extends EngineRequest['kind']>(
  h: EngineHandlers,
  req: Extract<EngineRequest, { kind: K }>,
  progress: (p: Progress) => void = none,
): Promise<Extract<EngineResponseBody, { kind: K }>> {
  return (await h.handle(req, signal, progress)) as Extract<EngineResponseBody, { kind: K }>;
}

/** What a unit view ranks and counts, without images and maps. */
const ranking = (u: { stats: { top: unknown; bottom: unknown; mean: number; histogram: unknown } }) => ({
  top: u.stats.top,
  bottom: u.stats.bottom,
  mean: u.stats.mean,
  histogram: u.stats.histogram,
});

let model: LoadedModel;
const chunked = makeHandlers(N);
const single = makeHandlers(N);

beforeAll(async () => {
  model = await LoadedModel.open(nodeRuntime(), MODEL.slice(), 'placeholder');
  for (const h of [chunked, single]) await ask(h, { kind: 'loadModel', name: 'placeholder', bytes: MODEL.slice() });
});
afterAll(async () => {
  for (const h of [chunked, single]) await h.handle({ kind: 'releaseModel' }, signal, none);
  await model.release();
});

describe('progressive indexing', () => {
  it('indexes a chunk per request; partial views equal a single pass over the images so far; the last equals a full pass', async () => {
    const full = await ask(single, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L3], k: 15 });
    expect(full.layers[0].done).toBe(N);

    const dones: number[] = [];
    const partialUnits: Array<Extract<EngineResponseBody, { kind: 'unitExemplars' }>['exemplars']> = [];
    for (;;) {
      const body = await ask(chunked, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L3], k: 15, chunk: 100 });
      const { done, count } = body.layers[0];
      dones.push(done);
      if (done >= count) break;
      // A complete view is refused while indexing goes on; a partial one is served and says so.
      await expect(ask(chunked, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit: 3 })).rejects.toMatchObject({ code: 'bad-request' });
      const { exemplars } = await ask(chunked, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit: 3, partial: true });
      expect(exemplars).toMatchObject({ done, count: N });
      expect(exemplars.top).toHaveLength(15);
      partialUnits.push(exemplars);
      const grid = await ask(chunked, { kind: 'unitGrid', datasetId: 'scenes-test', layer: L3, partial: true });
      expect(grid).toMatchObject({ done, count: N });
    }
    expect(dones).toEqual([100, 200, N]);

    // The first partial view equals a single pass over a dataset of the first 100 scenes.
    const prefix = makeHandlers(100);
    await ask(prefix, { kind: 'loadModel', name: 'placeholder', bytes: MODEL.slice() });
    await ask(prefix, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L3], k: 15 });
    const first = (await ask(prefix, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit: 3 })).exemplars;
    await prefix.handle({ kind: 'releaseModel' }, signal, none);
    expect(ranking(partialUnits[0])).toEqual(ranking(first));
    expect(partialUnits[0].top.map((t) => t.facets)).toEqual(first.top.map((t) => t.facets));

    // The end of the chunks is the single pass: tables, rankings and the unit view.
    const a = await ask(chunked, { kind: 'exportIndex', datasetId: 'scenes-test', layer: L3 });
    const b = await ask(single, { kind: 'exportIndex', datasetId: 'scenes-test', layer: L3 });
    expect(a.index).toEqual(b.index);
    const ua = (await ask(chunked, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit: 3 })).exemplars;
    const ub = (await ask(single, { kind: 'unitExemplars', datasetId: 'scenes-test', layer: L3, unit: 3 })).exemplars;
    expect(ua).toMatchObject({ done: N, count: N });
    expect(ranking(ua)).toEqual(ranking(ub));
    expect(ua.description).toBe(ub.description);
    // Rankings move as chunks arrive (the partial views were not the final one from the start).
    expect(partialUnits.some((u) => JSON.stringify(u.stats.top) !== JSON.stringify(ua.stats.top))).toBe(true);
  });

  it('refuses a chunk that is not a whole number', async () => {
    await expect(ask(chunked, { kind: 'indexExemplars', datasetId: 'scenes-test', layers: [L3], chunk: 0 })).rejects.toMatchObject({ code: 'bad-request' });
  });
});

describe('remembered datasets (the cached path)', () => {
  it('a dataset in the memo opens without rendering; a cached index then renders only the unit’s exemplars', async () => {
    const memo: DatasetMemo = memoryMemo();
    const first = new DatasetHost(readAsset, { count: N, memo });
    const stages: string[] = [];
    const generated = await first.get('scenes-test', undefined, signal, (p) => stages.push(p.message));
    expect(generated.rendered).toBe(N);
    expect(stages.some((m) => m.startsWith('Generating scenes'))).toBe(true);

    // A later visit (a fresh worker) with the same memo: same hash and facets, nothing rendered.
    const later = new DatasetHost(readAsset, { count: N, memo });
    const seen: string[] = [];
    const ds = await later.get('scenes-test', undefined, signal, (p) => seen.push(p.message));
    expect(seen.some((m) => m.startsWith('Generating scenes'))).toBe(false);
    expect(ds.rendered).toBe(0);
    expect(ds.info.sha256).toBe(generated.info.sha256);
    expect(ds.facets).toEqual(generated.facets);
    expect(ds.page({ class: 'sneaker' }, 0, 8).items.map((it) => it.index)).toEqual(generated.page({ class: 'sneaker' }, 0, 8).items.map((it) => it.index));

    // Another count is another recipe: generated, not taken from the memo.
    const other = await new DatasetHost(readAsset, { count: 50, memo }).get('scenes-test', undefined, signal, none);
    expect(other.rendered).toBe(50);

    // The page's cached index goes in; the unit view renders its 15 + 15 exemplars, not the dataset.
    const indexer = new ExemplarHost();
    await indexer.index(model, generated, { layers: [L3] }, signal, none);
    const { index } = indexer.export(model, generated, L3);
    const host = new ExemplarHost();
    host.import(model, ds, { modelSha256: model.summary.sha256, datasetSha256: ds.info.sha256, index });
    const before = ds.rendered;
    const unit = await host.unit(model, ds, { layer: L3, unit: 3 }, signal);
    expect(unit.top).toHaveLength(15);
    expect(ds.rendered - before).toBeLessThanOrEqual(30);
    const expected = await indexer.unit(model, generated, { layer: L3, unit: 3 }, signal);
    expect(ranking(unit)).toEqual(ranking(expected));
    expect(unit.top.map((t) => Array.from(t.image.data.subarray(0, 64)))).toEqual(expected.top.map((t) => Array.from(t.image.data.subarray(0, 64))));
  });

  it('a memo that fails to answer costs a generation, nothing more', async () => {
    const broken: DatasetMemo = {
      get: async () => {
        throw new Error('quota');
      },
      put: async () => {
        throw new Error('quota');
      },
    };
    const ds = await new DatasetHost(readAsset, { count: 40, memo: broken }).get('scenes-test', undefined, signal, none);
    expect(ds.rendered).toBe(40);
    expect(ds.info.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
