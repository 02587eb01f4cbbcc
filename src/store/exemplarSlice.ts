/**
 * Dataset exemplars of the selected layer and unit: the layer's index (from the page's cache, or
 * built by the worker with progress and cancel), the unit grid, the open unit's exemplars with
 * maps and concepts, and the "try it" image run through that unit. The index itself lives in the
 * worker; the store holds what the panel draws.
 *
 * Indexing is progressive: the worker indexes a chunk of images per request, and between chunks
 * the store asks for the unit and the grid over the images indexed so far (marked partial), so
 * the first exemplars show after the first chunk instead of after the whole dataset. The top-k
 * is exact over the images seen, so the last refresh equals a single full pass.
 */
import type { IndexProgress } from '../engine/exemplars/indexer';
import { mapRange } from '../engine/exemplars/maps';
import type { ModelSummary, Preprocess, RawImage, TensorF32 } from '../engine/types';
import { datasetPreprocess } from '../engine/data/imageDataset';
import { EngineError } from '../worker/client';
import type { GridEntry, UnitExemplars } from '../worker/protocol';
import { assetsBase } from './datasetSlice';
import { forgetCrashedEngine, getEngine } from './engine';
import { noticeFromError } from './errorNotice';
import { cacheKey, getExemplarCache } from './exemplarCache';
import { importIndexFile } from './exemplarIndexFile';
import { isFolderDataset } from './imageDatasetActions';
import { linkModelKey } from './modelSource';
import { getUnitSnapshots, unitSnapshotKey, type UnitViewRef } from './unitSnapshot';
import type { LabState, SliceCreator } from './types';
import { hasMap } from '../engine/onnx/tokens';

/** Exemplars per unit (top and bottom each), as MAIA shows. */
export const EXEMPLAR_K = 15;
/**
 * Images in the first indexing request (the first partial exemplars come after it) and in each
 * later one (each ends with a refresh of the unit view and the grid: a probed run over 30 images).
 */
export const FIRST_INDEX_CHUNK = 512;
export const INDEX_CHUNK = 1536;

export type ExemplarIndexStatus = 'idle' | 'checking' | 'indexing' | 'ready' | 'cancelled' | 'error';
/** Where the ready index came from: the page's IndexedDB cache, a fresh indexing pass, or the worker's memory. */
export type ExemplarIndexSource = 'cache' | 'indexed' | 'worker';
export type ExemplarCacheState = 'none' | 'saving' | 'saved' | 'failed';
export type GridSort = 'unit' | 'selectivity' | 'sparsity' | 'concept';

/**
 * Where the mask threshold comes from: a fraction of each image's own map maximum (MAIA-style), or
 * a fraction of the unit's best exemplar value (one threshold for every image of the unit).
 */
export interface ThresholdSetting {
  basis: 'image' | 'unit';
  fraction: number;
}

export interface ExemplarGrid {
  layer: string;
  /** Images indexed when the grid was computed, of `count` (done < count: partial). */
  done: number;
  count: number;
  units: GridEntry[];
  thumbs: Map<number, RawImage>;
}

export interface TryResult {
  name: string;
  /** The image as given (it runs through the model's own preprocessing). */
  image: RawImage;
  layer: string;
  unit: number;
  /** The unit's spatial max on this image (the exemplar ranking score). */
  value: number | null;
  /** The unit's map on this image, dims [h, w]; null for layers without a spatial map. */
  map: TensorF32 | null;
  ms: number;
}

export interface ExemplarSlice {
  /** `${model sha}|${dataset sha}|${k}|${layer}` of the index below, or null. */
  exIndexKey: string | null;
  exIndexLayer: string | null;
  exIndexStatus: ExemplarIndexStatus;
  exIndexSource: ExemplarIndexSource | null;
  exProgress: IndexProgress | null;
  /** Milliseconds the last indexing pass took (null when it came from a cache). */
  exIndexMs: number | null;
  exError: string | null;
  exCacheState: ExemplarCacheState;
  exGrid: ExemplarGrid | null;
  exGridSort: GridSort;
  exUnit: UnitExemplars | null;
  exUnitLoading: boolean;
  exThreshold: ThresholdSetting;
  exTry: TryResult | null;
  exTryRunning: boolean;
  /** performance.now() (ms since the page started) when the first unit exemplars arrived. */
  exFirstExemplarsAt: number | null;
  /**
   * Set while `exUnit` is the unit's last complete view from the page's snapshot store (drawn
   * before the model is ready), not the worker's answer: the model summary it was drawn with and
   * when it was saved. The live view replaces it.
   */
  exSnapshot: { summary: ModelSummary; savedAt: number } | null;
  /** Snapshot key of the last complete unit view saved (a reload of its link draws it at once). */
  exViewSaved: string | null;
  /**
   * Brings the exemplar view in line with the selection: indexes the selected layer (cache first),
   * then fetches its grid and the selected unit. Safe to call often: it only asks for what is missing.
   */
  syncExemplars: () => Promise<void>;
  /** Stops the indexing in flight (the worker keeps what it did: the next sync resumes). */
  cancelExemplarIndex: () => void;
  /** Indexes again after a cancel or a failure. */
  resumeExemplarIndex: () => Promise<void>;
  setExemplarSort: (sort: GridSort) => void;
  setExemplarThreshold: (setting: ThresholdSetting) => void;
  /** Draws a linked unit's last complete view from the snapshot store, if it has one and nothing newer is shown. */
  restoreUnitView: (ref: UnitViewRef) => Promise<void>;
  /** Runs an image through the selected unit ("try it"). */
  tryExemplarImage: (image: RawImage, name: string) => Promise<void>;
  /** Imports an index file (`lab exemplars --out`); refused with a notice unless it fits the open model and dataset. */
  importIndexFile: (file: Blob, name: string) => Promise<void>;
}

type Get = () => LabState;
type Set = (partial: Partial<LabState>) => void;

let indexToken = 0;
let indexController: AbortController | null = null;
let gridToken = 0;
let unitToken = 0;
let tryToken = 0;
/** What the grid and unit requests in flight are for (`${index key}#${unit}`), so a sync does not ask twice. */
let pendingGrid: string | null = null;
let pendingUnit: string | null = null;

/** The index key the current selection needs, or null when something is missing. */
export function wantedIndexKey(s: LabState): string | null {
  if (!s.summary || !s.datasetInfo || s.datasetStatus !== 'ready' || !s.layer) return null;
  if (!s.summary.layers.some((l) => l.tensor === s.layer)) return null;
  return cacheKey(s.summary.sha256, s.datasetInfo.sha256, s.layer, EXEMPLAR_K);
}

function isNotIndexed(err: unknown): boolean {
  return err instanceof EngineError && err.code === 'bad-request' && /not indexed/.test(err.message);
}

function notify(get: Get, err: unknown, action: string): string | null {
  const notice = noticeFromError(err, action);
  if (notice) get().pushNotice(notice);
  return notice?.title ?? null;
}

async function saveToCache(get: Get, set: Set, key: string, layer: string): Promise<void> {
  const { datasetId } = get();
  if (!datasetId) return;
  set({ exCacheState: 'saving' });
  try {
    const body = await getEngine().request({ kind: 'exportIndex', datasetId, layer, assets: assetsBase() });
    const { index } = body;
    await getExemplarCache().put({
      key,
      modelSha256: body.modelSha256,
      datasetSha256: body.datasetSha256,
      layer: index.tensor,
      k: index.k,
      savedAt: Date.now(),
      index,
    });
    if (get().exIndexKey === key) set({ exCacheState: 'saved' });
  } catch (err) {
    forgetCrashedEngine(err);
    if (get().exIndexKey === key) set({ exCacheState: 'failed' });
    // A full or unavailable cache costs a re-index on reload, nothing more.
    console.warn('The exemplar index could not be cached:', err);
  }
}

/** Makes the index of the selected layer ready in the worker. */
async function ensureIndex(get: Get, set: Set, force = false): Promise<boolean> {
  const s = get();
  const key = wantedIndexKey(s);
  if (key === null) return false;
  if (s.exIndexKey === key && !force) {
    if (s.exIndexStatus === 'ready') return true;
    if (s.exIndexStatus !== 'idle') return false; // in flight, cancelled or failed: wait for the user
  }
  indexController?.abort();
  const controller = new AbortController();
  indexController = controller;
  const token = ++indexToken;
  const stale = () => token !== indexToken;
  const layer = s.layer!;
  const datasetId = s.datasetId!;
  const modelSha256 = s.summary!.sha256;
  const datasetSha256 = s.datasetInfo!.sha256;
  set({
    exIndexKey: key,
    exIndexLayer: layer,
    exIndexStatus: 'checking',
    exIndexSource: null,
    exProgress: null,
    exIndexMs: null,
    exError: null,
    exCacheState: 'none',
    ...(s.exGrid?.layer !== layer ? { exGrid: null } : {}),
    ...(s.exUnit && (s.exUnit.layer !== layer || s.exUnit.modelSha256 !== modelSha256) ? { exUnit: null, exSnapshot: null } : {}),
  });
  // 1. The page's cache.
  let cached;
  try {
    cached = await getExemplarCache().get(key);
  } catch (err) {
    console.warn('The exemplar cache could not be read:', err);
  }
  if (stale()) return false;
  if (cached) {
    try {
      await getEngine().request({ kind: 'importIndex', datasetId, modelSha256, datasetSha256, index: cached.index, assets: assetsBase() }, { signal: controller.signal });
      if (stale()) return false;
      indexController = null;
      set({ exIndexStatus: 'ready', exIndexSource: 'cache', exCacheState: 'saved' });
      return true;
    } catch (err) {
      forgetCrashedEngine(err);
      if (stale()) return false;
      if (err instanceof EngineError && err.code === 'cancelled') {
        set({ exIndexStatus: 'cancelled' });
        return false;
      }
      // An entry the worker refuses is dropped; index afresh.
      await getExemplarCache().delete(key).catch(() => undefined);
    }
  }
  // 2. Index in the worker, chunk by chunk (instant when it has the index already; resumes a cancelled one).
  set({ exIndexStatus: 'indexing' });
  let last = 0;
  let ms = 0;
  let instant = true;
  try {
    for (let chunk = FIRST_INDEX_CHUNK; ; chunk = INDEX_CHUNK) {
      const body = await getEngine().request(
        { kind: 'indexExemplars', datasetId, layers: [layer], k: EXEMPLAR_K, chunk, assets: assetsBase() },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (stale() || !p.index) return;
            const now = Date.now();
            if (now - last < 100 && p.index.done < p.index.total) return;
            last = now;
            set({ exProgress: p.index });
          },
        },
      );
      if (stale()) return false;
      ms += body.ms;
      instant &&= body.instant;
      const { done, count } = body.layers[0];
      if (done >= count) break;
      // Partial exemplars of the images indexed so far; the worker answers them before the next chunk.
      if (get().unit !== null) void loadUnit(get, set, true);
      void loadGrid(get, set, true);
    }
    indexController = null;
    set({ exIndexStatus: 'ready', exIndexSource: instant ? 'worker' : 'indexed', exIndexMs: instant ? null : ms });
    return true;
  } catch (err) {
    forgetCrashedEngine(err);
    if (stale()) return false;
    indexController = null;
    if (err instanceof EngineError && err.code === 'cancelled') {
      set({ exIndexStatus: 'cancelled' });
      return false;
    }
    set({ exIndexStatus: 'error', exError: notify(get, err, 'Indexing the exemplars') ?? 'Indexing failed' });
    return false;
  }
}

/** The pending-request key of a grid or unit view: partial ones differ from complete ones. */
const viewKey = (key: string | null, partial: boolean) => `${key}${partial ? '#partial' : ''}`;

async function loadGrid(get: Get, set: Set, partial = false): Promise<void> {
  const { exIndexLayer: layer, datasetId, exIndexKey: key } = get();
  if (!layer || !datasetId) return;
  const token = ++gridToken;
  pendingGrid = viewKey(key, partial);
  try {
    const body = await getEngine().request({ kind: 'unitGrid', datasetId, layer, partial, assets: assetsBase() });
    if (token === gridToken) pendingGrid = null;
    if (token !== gridToken || get().exIndexKey !== key) return;
    set({ exGrid: { layer, done: body.done, count: body.count, units: body.units, thumbs: new Map(body.thumbs.map((t) => [t.index, t.image])) } });
  } catch (err) {
    forgetCrashedEngine(err);
    if (token !== gridToken) return;
    pendingGrid = null;
    if (isNotIndexed(err)) {
      set({ exIndexStatus: 'idle' });
      return;
    }
    notify(get, err, 'Summarising the layer');
  }
}

async function loadUnit(get: Get, set: Set, partial = false): Promise<void> {
  const { exIndexLayer: layer, datasetId, unit, exIndexKey: key } = get();
  if (!layer || !datasetId || unit === null) return;
  const token = ++unitToken;
  pendingUnit = viewKey(`${key}#${unit}`, partial);
  set({ exUnitLoading: true });
  try {
    const { exemplars } = await getEngine().request({ kind: 'unitExemplars', datasetId, layer, unit, k: EXEMPLAR_K, partial, assets: assetsBase() });
    if (token !== unitToken) return;
    pendingUnit = null;
    if (get().exIndexKey !== key) return;
    const complete = exemplars.done >= exemplars.count;
    // A valid snapshot is a complete view: a partial live one (an index built again) does not replace it.
    const shownNow = get().exUnit;
    if (!complete && get().exSnapshot && shownNow?.layer === exemplars.layer && shownNow.unit === exemplars.unit) {
      set({ exUnitLoading: false });
      return;
    }
    set({ exUnit: exemplars, exSnapshot: null, exUnitLoading: false, exFirstExemplarsAt: get().exFirstExemplarsAt ?? performance.now() });
    if (complete) void saveUnitView(get, set, exemplars);
  } catch (err) {
    forgetCrashedEngine(err);
    if (token !== unitToken) return;
    pendingUnit = null;
    set({ exUnitLoading: false });
    // A fresh worker (after a backend change) lost its indexes: index again (from the cache).
    if (isNotIndexed(err)) {
      set({ exIndexStatus: 'idle' });
      return;
    }
    notify(get, err, `Showing unit ${unit}`);
  }
}

/** What the link of the open model and dataset names of this unit view; null when it cannot be linked. */
function viewRef(s: LabState, ex: UnitExemplars): UnitViewRef | null {
  const model = linkModelKey(s.source);
  if (!model || !s.datasetId || isFolderDataset(s.datasetId)) return null;
  return { model, dataset: s.datasetId, norm: s.datasetNorm, layer: ex.layer, unit: ex.unit };
}

async function saveUnitView(get: Get, set: Set, ex: UnitExemplars): Promise<void> {
  const s = get();
  const ref = viewRef(s, ex);
  if (!ref || !s.summary || s.summary.sha256 !== ex.modelSha256) return;
  const key = unitSnapshotKey(ref);
  try {
    await getUnitSnapshots().put({ key, savedAt: Date.now(), summary: s.summary, unit: ex });
    set({ exViewSaved: key });
  } catch (err) {
    // A full or unavailable store costs the instant revisit, nothing more.
    console.warn('The unit view could not be kept for revisits:', err);
  }
}

async function restoreUnitView(get: Get, set: Set, ref: UnitViewRef): Promise<void> {
  let snap;
  try {
    snap = await getUnitSnapshots().get(unitSnapshotKey(ref));
  } catch (err) {
    console.warn('The unit view store could not be read:', err);
  }
  const s = get();
  if (!snap || s.exUnit || s.layer !== ref.layer || s.unit !== ref.unit) return;
  // A model that finished loading first decides: its own view comes from the worker.
  if (s.summary && s.summary.sha256 !== snap.summary.sha256) return;
  set({ exUnit: snap.unit, exSnapshot: { summary: snap.summary, savedAt: snap.savedAt } });
}

/** Drops a snapshot that the loaded model or the opened dataset shows to be out of date. */
function dropStaleSnapshot(get: Get, set: Set): void {
  const s = get();
  const snap = s.exSnapshot;
  if (!snap || !s.exUnit) return;
  const modelChanged = s.summary !== null && s.summary.sha256 !== s.exUnit.modelSha256;
  const datasetChanged = s.datasetStatus === 'ready' && s.datasetInfo !== null && s.datasetInfo.sha256 !== s.exUnit.datasetSha256;
  if (modelChanged || datasetChanged) set({ exUnit: null, exSnapshot: null });
}

/** The open image dataset's mean/std override, when it has one (try-it images are normalised like its images). */
function tryPreprocess(s: LabState): Preprocess | undefined {
  const info = s.datasetInfo;
  return s.summary && info?.kind === 'images' ? datasetPreprocess(s.summary.preprocess, info.prep) : undefined;
}

async function runTry(get: Get, set: Set, image: RawImage, name: string): Promise<void> {
  const { layer, unit, summary, pushNotice } = get();
  if (!summary || layer === null || unit === null) {
    pushNotice({ level: 'warning', title: 'Pick a layer and a unit first', hint: 'Click a unit in the grid, then drop the image again.' });
    return;
  }
  const info = summary.layers.find((l) => l.tensor === layer);
  if (!info) return;
  const spatial = hasMap(info);
  const token = ++tryToken;
  set({ exTryRunning: true });
  const t0 = performance.now();
  try {
    const { result } = await getEngine().request({
      kind: 'run',
      images: [image],
      layers: spatial ? [] : [layer],
      maps: spatial ? [{ layer, unit }] : [],
      // normalised like the dataset's images, so the value compares with the exemplars'
      preprocess: tryPreprocess(get()),
    });
    if (token !== tryToken) return;
    const full = result.maps[`${layer}#${unit}`];
    const map = full ? { dims: full.dims.slice(1), data: full.data } : null;
    const value = map ? mapRange(map.data).max : (result.stats[layer]?.max.data[unit] ?? null);
    set({ exTry: { name, image, layer, unit, value, map, ms: performance.now() - t0 }, exTryRunning: false });
  } catch (err) {
    forgetCrashedEngine(err);
    if (token !== tryToken) return;
    set({ exTryRunning: false });
    notify(get, err, 'Trying the image');
  }
}

async function sync(get: Get, set: Set, depth: number): Promise<void> {
  dropStaleSnapshot(get, set);
  const ready = await ensureIndex(get, set);
  if (!ready) return;
  const s = get();
  const key = s.exIndexKey!;
  const justIndexed = s.exIndexSource === 'indexed' && s.exCacheState === 'none';
  // A partial grid or unit view (shown while indexing) is replaced by the complete one.
  const gridShown = s.exGrid && s.exGrid.layer === s.exIndexLayer && s.exGrid.done >= s.exGrid.count;
  const wantsGrid = !gridShown && pendingGrid !== key;
  const unitKey = `${key}#${s.unit}`;
  // A snapshot is not the worker's answer: the live view is still asked for.
  const shown = s.exUnit && !s.exSnapshot ? viewKey(`${cacheKey(s.exUnit.modelSha256, s.exUnit.datasetSha256, s.exUnit.layer, EXEMPLAR_K)}#${s.exUnit.unit}`, s.exUnit.done < s.exUnit.count) : null;
  const wantsUnit = s.unit !== null && shown !== unitKey && pendingUnit !== unitKey;
  // The unit first: it is what the researcher asked for (the worker answers in order).
  const jobs: Array<Promise<void>> = [];
  if (wantsUnit) jobs.push(loadUnit(get, set));
  if (wantsGrid) jobs.push(loadGrid(get, set));
  if (justIndexed) jobs.push(saveToCache(get, set, key, s.exIndexLayer!));
  const t = s.exTry;
  if (t && s.unit !== null && !s.exTryRunning && (t.layer !== s.layer || t.unit !== s.unit)) jobs.push(runTry(get, set, t.image, t.name));
  await Promise.all(jobs);
  // A worker that lost its index (a fresh worker after a backend change) sent us back to 'idle'.
  if (depth === 0 && get().exIndexStatus === 'idle' && get().exIndexKey === key) await sync(get, set, 1);
}

export const createExemplarSlice: SliceCreator<ExemplarSlice> = (set, get) => ({
  exIndexKey: null,
  exIndexLayer: null,
  exIndexStatus: 'idle',
  exIndexSource: null,
  exProgress: null,
  exIndexMs: null,
  exError: null,
  exCacheState: 'none',
  exGrid: null,
  exGridSort: 'unit',
  exUnit: null,
  exUnitLoading: false,
  exThreshold: { basis: 'image', fraction: 0.5 },
  exTry: null,
  exTryRunning: false,
  exFirstExemplarsAt: null,
  exSnapshot: null,
  exViewSaved: null,

  syncExemplars: () => sync(get, set, 0),

  cancelExemplarIndex: () => {
    if (!indexController) return;
    indexController.abort();
  },

  resumeExemplarIndex: async () => {
    if (!(await ensureIndex(get, set, true))) return;
    await get().syncExemplars();
  },

  setExemplarSort: (sort) => set({ exGridSort: sort }),
  setExemplarThreshold: (setting) => {
    const fraction = Number.isFinite(setting.fraction) ? Math.min(1, Math.max(0, setting.fraction)) : 0.5;
    set({ exThreshold: { basis: setting.basis === 'unit' ? 'unit' : 'image', fraction } });
  },
  restoreUnitView: (ref) => restoreUnitView(get, set, ref),
  tryExemplarImage: (image, name) => runTry(get, set, image, name),
  importIndexFile: (file, name) => importIndexFile(get, set, file, name, EXEMPLAR_K),
});
