/**
 * The exemplar slice over a fake engine: cache miss → index (chunk by chunk, partial views between
 * chunks) → save; reload → cache hit; cancel; lost index; try it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useLab } from '../../src/store';
import { setEngine } from '../../src/store/engine';
import { MAX_CACHED_INDEXES, cacheKey, memoryCache, setExemplarCache, type ExemplarCache } from '../../src/store/exemplarCache';
import { EXEMPLAR_K, FIRST_INDEX_CHUNK, INDEX_CHUNK, wantedIndexKey } from '../../src/store/exemplarSlice';
import { MAX_UNIT_SNAPSHOTS, setUnitSnapshots, unitSnapshotKey, type UnitSnapshot, type UnitSnapshotStore } from '../../src/store/unitSnapshot';
import { memoryCappedStore } from '../../src/worker/idb';
import { LayerIndex } from '../../src/engine/exemplars/layerIndex';
import type { DatasetInfo } from '../../src/engine/data/datasets';
import type { EngineRequest, UnitExemplars } from '../../src/worker/protocol';
import { cancellableEngine, summaryNamed, type CancellableHandler } from './fakeEngine';

const INFO = { id: 'scenes-test', count: 20, sha256: 'cd'.repeat(32) } as DatasetInfo;
const SUMMARY = summaryNamed('m', [['conv1', 4], ['conv2', 8]]);

function snapshot(layer = 'conv1') {
  const index = new LayerIndex(layer, 4, 20, EXEMPLAR_K);
  index.add(0, Float32Array.from({ length: 80 }, (_, i) => i % 7), new Float32Array(80));
  return index.snapshot();
}

function unitBody(layer: string, unit: number, done = 20, count = 20): UnitExemplars {
  return {
    modelSha256: SUMMARY.sha256, datasetSha256: INFO.sha256, layer, unit, done, count,
    stats: new LayerIndex(layer, 4, 20, 3).stats(0), top: [], bottom: [], concepts: [], labels: [], iou: null, description: 'x',
  };
}

/** An engine whose handler sees cancels (as an aborted signal) and may send progress. */
function engine(handler: CancellableHandler) {
  const { client, requests } = cancellableEngine(handler);
  setEngine(client);
  return requests;
}

const fail = (code: string, message: string) => Object.assign(new Error(message), { code });

/**
 * A worker that indexes `count` images a chunk per request (with a progress event halfway), keeps
 * what it did per layer, serves units and grids (partial ones only when asked), exports and imports.
 */
function goodWorker(opts: { lose?: number; count?: number } = {}): CancellableHandler {
  let lose = opts.lose ?? 0;
  const count = opts.count ?? 20;
  const done = new Map<string, number>();
  const indexed = (layer: string, partial = false) => {
    const n = done.get(layer) ?? 0;
    if (n === 0 || (n < count && !partial)) throw fail('bad-request', `${layer} is not indexed over scenes-test yet (index it first).`);
    return n;
  };
  return async (req, signal, progress) => {
    switch (req.kind) {
      case 'indexExemplars': {
        const layer = req.layers[0];
        const from = done.get(layer) ?? 0;
        const to = Math.min(count, from + (req.chunk ?? count));
        progress({ stage: 'index', fraction: 0.5, message: '', index: { done: Math.ceil((from + to) / 2), total: count, skipped: 0, imagesPerSecond: 100, etaSeconds: 0.1 } });
        await new Promise((r) => setTimeout(r, 5));
        if (signal.aborted) throw fail('cancelled', 'Indexing cancelled');
        done.set(layer, to);
        const layers = [{ layer, channels: 4, count, done: to, k: EXEMPLAR_K }];
        return { kind: 'indexExemplars', modelSha256: SUMMARY.sha256, datasetSha256: INFO.sha256, layers, skipped: [], resumedFrom: from, instant: false, ms: 12 };
      }
      case 'unitExemplars':
        if (lose > 0) {
          lose--;
          throw fail('bad-request', 'conv1 is not indexed over scenes-test yet (index it first).');
        }
        return { kind: 'unitExemplars', exemplars: unitBody(req.layer, req.unit, indexed(req.layer, req.partial), count) };
      case 'unitGrid':
        return { kind: 'unitGrid', layer: req.layer, done: indexed(req.layer, req.partial), count, units: [], thumbs: [] };
      case 'exportIndex':
        return { kind: 'exportIndex', modelSha256: SUMMARY.sha256, datasetSha256: INFO.sha256, index: snapshot(req.layer) };
      case 'importIndex':
        done.set(req.index.tensor, count);
        return { kind: 'importIndex', layer: { layer: req.index.tensor, channels: 4, count, done: count, k: EXEMPLAR_K } };
      case 'run':
        return {
          kind: 'run',
          result: { logits: { dims: [1, 10], data: new Float32Array(10) }, stats: {}, maps: { [`${req.maps![0].layer}#${req.maps![0].unit}`]: { dims: [1, 2, 2], data: Float32Array.from([0.5, 3, 1, -2]) } } },
        };
      default:
        throw fail('bad-request', `unexpected ${req.kind}`);
    }
  };
}

let cache: ExemplarCache;

beforeEach(() => {
  setEngine(null);
  cache = memoryCache();
  setExemplarCache(cache);
  useLab.setState(useLab.getInitialState(), true);
  useLab.setState({ summary: SUMMARY, status: 'ready', datasetId: 'scenes-test', datasetInfo: INFO, datasetStatus: 'ready', panel: 'exemplars' });
});
afterEach(() => {
  setEngine(null);
  setExemplarCache(null);
});

describe('exemplar slice', () => {
  it('waits for a layer, then indexes with progress, shows the unit and grid, and caches the index', async () => {
    const requests = engine(goodWorker());
    await useLab.getState().syncExemplars();
    expect(requests).toEqual([]);
    useLab.setState({ layer: 'conv1', unit: 2 });
    const progress: number[] = [];
    const unsub = useLab.subscribe((s) => s.exProgress && progress.push(s.exProgress.done));
    await useLab.getState().syncExemplars();
    unsub();
    expect(requests.map((r) => r.kind)).toEqual(['indexExemplars', 'unitExemplars', 'unitGrid', 'exportIndex']);
    expect(requests[0]).toMatchObject({ datasetId: 'scenes-test', layers: ['conv1'], k: EXEMPLAR_K });
    expect(progress).toContain(10);
    const s = useLab.getState();
    expect(s).toMatchObject({ exIndexStatus: 'ready', exIndexSource: 'indexed', exIndexMs: 12, exCacheState: 'saved' });
    expect(s.exUnit).toMatchObject({ layer: 'conv1', unit: 2 });
    expect(s.exGrid?.layer).toBe('conv1');
    expect(s.exFirstExemplarsAt).not.toBeNull();
    const key = cacheKey(SUMMARY.sha256, INFO.sha256, 'conv1', EXEMPLAR_K);
    expect(wantedIndexKey(s)).toBe(key);
    expect((await cache.get(key))?.index.tensor).toBe('conv1');

    // Nothing more to ask; another unit asks only for it.
    await useLab.getState().syncExemplars();
    expect(requests).toHaveLength(4);
    useLab.getState().selectUnit(3);
    await useLab.getState().syncExemplars();
    expect(requests.map((r) => r.kind).slice(4)).toEqual(['unitExemplars']);
    expect(useLab.getState().exUnit?.unit).toBe(3);
  });

  it('indexes chunk by chunk, showing partial unit views and grids between chunks, then the complete ones', async () => {
    const count = FIRST_INDEX_CHUNK + INDEX_CHUNK + 100;
    useLab.setState({ datasetInfo: { ...INFO, count } });
    const requests = engine(goodWorker({ count }));
    useLab.setState({ layer: 'conv1', unit: 2 });
    const units: Array<[number, number]> = [];
    const grids: number[] = [];
    const unsub = useLab.subscribe((s, prev) => {
      if (s.exUnit && s.exUnit !== prev.exUnit) units.push([s.exUnit.done, s.exUnit.count]);
      if (s.exGrid && s.exGrid !== prev.exGrid) grids.push(s.exGrid.done);
    });
    await useLab.getState().syncExemplars();
    unsub();
    const asked = requests.map((r) => `${r.kind}${'chunk' in r ? `:${r.chunk}` : ''}${'partial' in r && r.partial ? ':partial' : ''}`);
    expect(asked).toEqual([
      `indexExemplars:${FIRST_INDEX_CHUNK}`, 'unitExemplars:partial', 'unitGrid:partial',
      `indexExemplars:${INDEX_CHUNK}`, 'unitExemplars:partial', 'unitGrid:partial',
      `indexExemplars:${INDEX_CHUNK}`, 'unitExemplars', 'unitGrid', 'exportIndex',
    ]);
    // Partial views came first (the first after one chunk), the complete one last.
    expect(units).toEqual([[FIRST_INDEX_CHUNK, count], [FIRST_INDEX_CHUNK + INDEX_CHUNK, count], [count, count]]);
    expect(grids).toEqual([FIRST_INDEX_CHUNK, FIRST_INDEX_CHUNK + INDEX_CHUNK, count]);
    // The indexing time adds up the chunks; the index is cached once, complete.
    expect(useLab.getState()).toMatchObject({ exIndexStatus: 'ready', exIndexSource: 'indexed', exIndexMs: 36, exCacheState: 'saved' });
    // Nothing more to ask.
    await useLab.getState().syncExemplars();
    expect(requests).toHaveLength(10);
  });

  it('a reload with the index cached imports it instead of indexing', async () => {
    await cache.put({ key: cacheKey(SUMMARY.sha256, INFO.sha256, 'conv1', EXEMPLAR_K), modelSha256: SUMMARY.sha256, datasetSha256: INFO.sha256, layer: 'conv1', k: EXEMPLAR_K, savedAt: 1, index: snapshot() });
    const requests = engine(goodWorker());
    useLab.setState({ layer: 'conv1', unit: 1 });
    await useLab.getState().syncExemplars();
    expect(requests.map((r) => r.kind)).toEqual(['importIndex', 'unitExemplars', 'unitGrid']);
    expect(useLab.getState()).toMatchObject({ exIndexStatus: 'ready', exIndexSource: 'cache', exCacheState: 'saved' });
    expect(useLab.getState().exUnit?.unit).toBe(1);
  });

  it('cancel stops indexing and waits; resume indexes again; another layer starts its own', async () => {
    const requests = engine(goodWorker());
    useLab.setState({ layer: 'conv1', unit: null });
    const run = useLab.getState().syncExemplars();
    await new Promise((r) => setTimeout(r, 1));
    expect(useLab.getState().exIndexStatus).toBe('indexing');
    useLab.getState().cancelExemplarIndex();
    await run;
    expect(useLab.getState().exIndexStatus).toBe('cancelled');
    await useLab.getState().syncExemplars(); // a cancelled index waits for the researcher
    expect(requests.filter((r) => r.kind === 'indexExemplars')).toHaveLength(1);
    await useLab.getState().resumeExemplarIndex();
    expect(useLab.getState().exIndexStatus).toBe('ready');
    expect(requests.map((r) => r.kind)).toEqual(['indexExemplars', 'indexExemplars', 'unitGrid', 'exportIndex']);
    useLab.getState().selectLayer('conv2');
    await useLab.getState().syncExemplars();
    expect(requests.at(-3)).toMatchObject({ kind: 'indexExemplars', layers: ['conv2'] });
    expect(useLab.getState().exGrid?.layer).toBe('conv2');
  });

  it('a worker that lost its index (a fresh worker) gets it again from the cache, then shows the unit', async () => {
    const requests = engine(goodWorker({ lose: 1 }));
    useLab.setState({ layer: 'conv1', unit: 0 });
    await useLab.getState().syncExemplars();
    expect(requests.map((r) => r.kind)).toEqual(['indexExemplars', 'unitExemplars', 'unitGrid', 'exportIndex', 'importIndex', 'unitExemplars']);
    expect(useLab.getState().exUnit?.unit).toBe(0);
    expect(useLab.getState().notices).toEqual([]);
  });

  it('tries an image on the open unit: value is the map max; a unit change runs it again', async () => {
    const requests = engine(goodWorker());
    useLab.setState({ layer: 'conv1', unit: 2 });
    const image = { width: 2, height: 2, channels: 3 as const, data: new Uint8Array(12) };
    await useLab.getState().tryExemplarImage(image, 'a.png');
    expect(requests.at(-1)).toMatchObject({ kind: 'run', layers: [], maps: [{ layer: 'conv1', unit: 2 }] });
    expect(useLab.getState().exTry).toMatchObject({ name: 'a.png', value: 3, unit: 2, map: { dims: [2, 2] } });
    useLab.getState().selectUnit(1);
    await useLab.getState().syncExemplars();
    expect(useLab.getState().exTry?.unit).toBe(1);
  });
});

describe('exemplar cache (memory stand-in)', () => {
  it('keys by model, dataset, k and layer, and drops the oldest entries beyond the cap', async () => {
    expect(cacheKey('a', 'b', 'L', 15)).not.toBe(cacheKey('a', 'b', 'L', 16));
    expect(cacheKey('a', 'b', 'L', 15)).not.toBe(cacheKey('a', 'c', 'L', 15));
    const c = memoryCache();
    for (let i = 0; i < MAX_CACHED_INDEXES + 3; i++) {
      await c.put({ key: `k${i}`, modelSha256: 'a', datasetSha256: 'b', layer: 'L', k: 15, savedAt: i, index: snapshot() });
    }
    const keys = await c.keys();
    expect(keys).toHaveLength(MAX_CACHED_INDEXES);
    expect(keys).not.toContain('k0');
    expect(await c.get(`k${MAX_CACHED_INDEXES + 2}`)).toBeDefined();
    await c.delete('k5');
    expect(await c.get('k5')).toBeUndefined();
  });
});

describe('unit view snapshots (the first paint of a linked unit)', () => {
  const REF = { model: 'm', dataset: 'scenes-test', norm: null, layer: 'conv1', unit: 2 };
  const LOADED = { summary: SUMMARY, status: 'ready' as const, source: { kind: 'builtin' as const, id: 'm' }, datasetId: 'scenes-test', datasetInfo: INFO, datasetStatus: 'ready' as const };
  let views: UnitSnapshotStore;
  beforeEach(() => {
    views = memoryCappedStore<UnitSnapshot>(MAX_UNIT_SNAPSHOTS);
    setUnitSnapshots(views);
    useLab.setState({ source: LOADED.source });
  });
  afterEach(() => setUnitSnapshots(null));

  /** A revisit: a fresh store with the link's selection and nothing loaded yet. */
  function revisit(): void {
    useLab.setState(useLab.getInitialState(), true);
    useLab.setState({ panel: 'exemplars', layer: REF.layer, unit: REF.unit, datasetId: 'scenes-test' });
  }

  it('keeps a complete view under its link; a revisit draws it before the model is ready; the live view replaces it', async () => {
    engine(goodWorker());
    useLab.setState({ layer: 'conv1', unit: 2 });
    await useLab.getState().syncExemplars();
    await vi.waitFor(() => expect(useLab.getState().exViewSaved).toBe(unitSnapshotKey(REF)));
    const saved = await views.get(unitSnapshotKey(REF));
    expect(saved?.unit).toMatchObject({ layer: 'conv1', unit: 2, done: 20, count: 20 });
    expect(saved?.summary.sha256).toBe(SUMMARY.sha256);

    revisit();
    await useLab.getState().restoreUnitView({ ...REF, unit: 3 }); // nothing kept for unit 3
    expect(useLab.getState().exUnit).toBeNull();
    await useLab.getState().restoreUnitView(REF);
    const drawn = useLab.getState();
    expect(drawn.summary).toBeNull();
    expect(drawn.exUnit).toMatchObject({ layer: 'conv1', unit: 2, modelSha256: SUMMARY.sha256 });
    expect(drawn.exSnapshot?.summary.name).toBe('m');

    // The model and dataset are ready: the worker's own view is still asked for and replaces it.
    const requests = engine(goodWorker());
    useLab.setState(LOADED);
    await useLab.getState().syncExemplars();
    expect(requests.map((r) => r.kind)).toEqual(['importIndex', 'unitExemplars', 'unitGrid']);
    expect(useLab.getState().exSnapshot).toBeNull();
    expect(useLab.getState().exUnit).not.toBe(drawn.exUnit);
    expect(useLab.getState().exUnit).toMatchObject({ layer: 'conv1', unit: 2 });
  });

  it('a snapshot of a model that has since changed is never shown beside the new model', async () => {
    const old = { ...SUMMARY, sha256: 'ee'.repeat(32) };
    await views.put({ key: unitSnapshotKey(REF), savedAt: 1, summary: old, unit: { ...unitBody('conv1', 2), modelSha256: old.sha256 } });
    // Drawn while nothing is loaded ...
    revisit();
    await useLab.getState().restoreUnitView(REF);
    expect(useLab.getState().exSnapshot?.summary.sha256).toBe(old.sha256);
    // ... and dropped as soon as the loaded model turns out to differ, before the worker answers.
    engine(goodWorker());
    useLab.setState(LOADED);
    const seen: Array<string | null> = [];
    const unsub = useLab.subscribe((s) => seen.push(s.exUnit?.modelSha256 ?? null));
    await useLab.getState().syncExemplars();
    unsub();
    expect(seen[0]).toBeNull();
    expect(useLab.getState().exSnapshot).toBeNull();
    expect(useLab.getState().exUnit?.modelSha256).toBe(SUMMARY.sha256);
    // Nor is it drawn when the other model finished loading first.
    await vi.waitFor(() => expect(useLab.getState().exViewSaved).toBe(unitSnapshotKey(REF))); // the live view, saved
    await views.put({ key: unitSnapshotKey(REF), savedAt: 2, summary: old, unit: { ...unitBody('conv1', 2), modelSha256: old.sha256 } });
    revisit();
    useLab.setState({ summary: SUMMARY });
    await useLab.getState().restoreUnitView(REF);
    expect(useLab.getState().exUnit).toBeNull();
  });

  it('a partial live view (the index built again) does not replace a complete snapshot; the complete one does', async () => {
    const count = FIRST_INDEX_CHUNK + 10;
    const info = { ...INFO, count };
    await views.put({ key: unitSnapshotKey(REF), savedAt: 1, summary: SUMMARY, unit: unitBody('conv1', 2, count, count) });
    revisit();
    await useLab.getState().restoreUnitView(REF);
    const requests = engine(goodWorker({ count }));
    useLab.setState({ ...LOADED, datasetInfo: info });
    const shown: Array<[number, boolean]> = [];
    const unsub = useLab.subscribe((s, prev) => s.exUnit !== prev.exUnit && s.exUnit && shown.push([s.exUnit.done, s.exSnapshot !== null]));
    await useLab.getState().syncExemplars();
    unsub();
    expect(requests.map((r) => r.kind)).toContain('indexExemplars');
    expect(shown).toEqual([[count, false]]);
  });

  it('keys by model, dataset, mean/std, layer and unit', () => {
    const keys = new Set([
      unitSnapshotKey(REF),
      unitSnapshotKey({ ...REF, model: 'other' }),
      unitSnapshotKey({ ...REF, dataset: 'other' }),
      unitSnapshotKey({ ...REF, norm: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } }),
      unitSnapshotKey({ ...REF, layer: 'conv2' }),
      unitSnapshotKey({ ...REF, unit: 3 }),
    ]);
    expect(keys.size).toBe(6);
  });
});
