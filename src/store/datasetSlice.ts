/**
 * The dataset being browsed: which built-in dataset, its info (count, vocabularies, content hash),
 * the filter, the gallery page on show, and generation progress. The scenes are generated and
 * kept in the engine worker; the store holds one page of them.
 */
import {
  DEFAULT_DATASET_ID,
  checkFilter,
  findDataset,
  type DatasetFilter,
  type DatasetInfo,
  type DatasetItem,
  type FacetCounts,
} from '../engine/data/datasets';
import { CLASSES } from '../engine/synth/vocabulary';
import type { SliceCreator, LabState } from './types';
import { forgetCrashedEngine, getEngine } from './engine';
import { noticeFromError } from './errorNotice';
import { ENGINE_STOPPED, EngineError } from '../worker/client';
import { pageBase } from './modelSource';
import type { LoadProgress } from './modelSlice';
import type { ImageDatasetInfo, ImagePage } from '../engine/data/imageDataset';
import type { FitMode } from '../engine/data/imageFit';
import { isImageInfo, openImageFolder, openManifest, refitImages, setImageNorm, showImagePage } from './imageDatasetActions';
import type { NormOverride } from './normOverride';
import { datasetProblem } from './url';

/** Scenes per gallery page. */
export const DATASET_PAGE_SIZE = 48;

export type DatasetStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface DatasetPageView {
  /** Scenes passing the filter. */
  total: number;
  offset: number;
  items: DatasetItem[];
  /** Per filter value, the scenes passing the other filters (for the dropdowns). */
  counts: FacetCounts;
}

/** The part of the dataset view a link holds. */
export interface DatasetView {
  datasetId: string | null;
  datasetFilter: DatasetFilter;
  /** Offset of the page on show (a multiple of DATASET_PAGE_SIZE). */
  datasetOffset: number;
  /** The researcher's mean/std for image datasets (null: the model's), remembered for the next one. */
  datasetNorm: NormOverride | null;
}

export interface DatasetSlice extends DatasetView {
  /** A built-in scene dataset's info, or an image dataset's (kind 'images': folder or manifest). */
  datasetInfo: DatasetInfo | ImageDatasetInfo | null;
  /** The page of an image dataset on show (built-in scenes use datasetPage). */
  imagePage: ImagePage | null;
  /** How an image dataset's images are fitted to the model's input. */
  datasetFit: FitMode;
  /** Opens a local folder's images (paths relative to the folder; subfolders are labels). */
  openImageFolder: (name: string, files: Array<{ path: string; file: Blob }>) => Promise<void>;
  /** Opens a URL manifest of images (an http(s) address or a relative .json path). */
  openManifest: (url: string) => Promise<void>;
  /** Fits an open image dataset again with another mode (remembered for the next one). */
  setDatasetFit: (fit: FitMode) => Promise<void>;
  /** Overrides the model's mean/std for image datasets (null: back to the model's), fitting an open one again. */
  setDatasetNorm: (norm: NormOverride | null) => Promise<void>;
  setImagePage: (offset: number) => Promise<void>;
  datasetStatus: DatasetStatus;
  /** Generation progress while the worker generates the dataset. */
  datasetProgress: LoadProgress | null;
  datasetError: string | null;
  datasetPage: DatasetPageView | null;
  datasetPageLoading: boolean;
  /**
   * Opens a built-in dataset (generating it in the worker), then shows a page. A different
   * dataset starts unfiltered at page 1 unless `view` says otherwise; the same one keeps its view.
   */
  openDataset: (id: string, view?: Partial<Pick<DatasetView, 'datasetFilter' | 'datasetOffset'>>) => Promise<void>;
  /** Replaces the filter (unknown values are refused with a notice) and goes back to page 1. */
  setDatasetFilter: (filter: DatasetFilter) => Promise<void>;
  /** Shows the page holding scene `offset` of the filtered set. */
  setDatasetPage: (offset: number) => Promise<void>;
  /** Filter and page at once (the URL sync), fetching one page. */
  setDatasetView: (view: Partial<Pick<DatasetView, 'datasetFilter' | 'datasetOffset'>>) => Promise<void>;
  /** Sets the view without side effects (the URL sync at startup, before anything is open). */
  applyDatasetView: (view: Partial<DatasetView>) => void;
  /** Classifies one scene of the page with the loaded model, its class as the true label. */
  predictScene: (item: DatasetItem) => Promise<void>;
}

type Get = () => LabState;
type Set = (partial: Partial<LabState>) => void;

let openToken = 0;
let pageToken = 0;

/** The address of the generator's assets folder (assets/ beside the page). */
export function assetsBase(): string {
  return new URL('assets/', pageBase()).href;
}

function pageOffset(offset: number): number {
  if (!Number.isFinite(offset) || offset < 0) return 0;
  return Math.floor(offset / DATASET_PAGE_SIZE) * DATASET_PAGE_SIZE;
}

function sameFilter(a: DatasetFilter, b: DatasetFilter): boolean {
  return a.class === b.class && a.color === b.color && a.texture === b.texture && a.background === b.background;
}

/** Drops keys whose value is undefined, so filters compare and serialise cleanly. */
function cleanFilter(filter: DatasetFilter): DatasetFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as DatasetFilter;
}

/** The label a model uses for scene class i: its own label when it has one per class, else the class name. */
export function sceneLabel(classIndex: number, labels: string[] | null): string {
  return labels && labels.length === CLASSES.length ? labels[classIndex] : CLASSES[classIndex];
}

/** A notice for a failed dataset request, with a hint that fits datasets. */
function datasetNotice(err: unknown, action: string) {
  const notice = noticeFromError(err, action);
  if (notice && err instanceof EngineError && err.code === 'bad-request') {
    return { ...notice, title: `${action} failed`, hint: 'Pick the dataset and its filters from the lists in the Dataset section.' };
  }
  return notice;
}

function progressOf(p: { stage: string; fraction: number | null; message: string }): LoadProgress {
  return { stage: p.stage, fraction: p.fraction, message: p.message };
}

/** True for the rejection of requests in flight when the engine worker is replaced. */
function isEngineStop(err: unknown): boolean {
  return err instanceof EngineError && err.code === 'cancelled' && err.message === ENGINE_STOPPED;
}

/** Fetches the page the view names; a page past the end moves to the last page. */
async function fetchPage(get: Get, set: Set, retried = false): Promise<void> {
  const id = get().datasetId;
  if (id === null || isImageInfo(get().datasetInfo)) return;
  const token = ++pageToken;
  const stale = () => token !== pageToken || get().datasetId !== id;
  const { datasetFilter: filter, datasetOffset: offset } = get();
  set({ datasetPageLoading: true });
  try {
    const page = await getEngine().request(
      { kind: 'datasetPage', id, filter, offset, limit: DATASET_PAGE_SIZE, assets: assetsBase() },
      // A fresh worker (after a backend change) generates the dataset again first.
      { onProgress: (p) => !stale() && set({ datasetProgress: progressOf(p) }) },
    );
    if (stale()) return;
    if (page.total > 0 && offset >= page.total) {
      set({ datasetOffset: pageOffset(page.total - 1) });
      return fetchPage(get, set);
    }
    set({
      datasetPage: { total: page.total, offset: page.offset, items: page.items, counts: page.counts },
      datasetPageLoading: false,
      datasetProgress: null,
    });
  } catch (err) {
    forgetCrashedEngine(err);
    if (stale()) return;
    if (!retried && isEngineStop(err)) return fetchPage(get, set, true);
    set({ datasetPageLoading: false, datasetProgress: null });
    const notice = datasetNotice(err, 'Showing the dataset');
    if (notice) get().pushNotice(notice);
  }
}

export const createDatasetSlice: SliceCreator<DatasetSlice> = (set, get) => ({
  datasetId: null,
  datasetFilter: {},
  datasetOffset: 0,
  datasetInfo: null,
  datasetStatus: 'idle',
  datasetProgress: null,
  datasetError: null,
  datasetPage: null,
  datasetPageLoading: false,
  imagePage: null,
  datasetFit: 'stretch',
  datasetNorm: null,

  openImageFolder: (name, files) => openImageFolder(get, set, name, files),
  openManifest: (url) => openManifest(get, set, url),
  setDatasetFit: (fit) => refitImages(get, set, { fit }),
  setDatasetNorm: (norm) => setImageNorm(get, set, norm),
  setImagePage: (offset) => showImagePage(get, set, offset),

  openDataset: async (id, view) => {
    const def = findDataset(id);
    // A link's manifest address opens as an image dataset.
    if (!def && datasetProblem(id) === null) return get().openManifest(id);
    if (!def) {
      get().pushNotice({ level: 'error', title: `There is no built-in dataset “${id.slice(0, 60)}”`, hint: `Try ${DEFAULT_DATASET_ID}.` });
      return;
    }
    const same = get().datasetId === id;
    const token = ++openToken;
    pageToken++; // a page of the previous dataset is no longer wanted
    set({
      datasetId: id,
      datasetFilter: cleanFilter(view?.datasetFilter ?? (same ? get().datasetFilter : {})),
      datasetOffset: pageOffset(view?.datasetOffset ?? (same ? get().datasetOffset : 0)),
      datasetStatus: 'loading',
      imagePage: null,
      datasetInfo: same ? get().datasetInfo : null,
      datasetPage: same ? get().datasetPage : null,
      datasetError: null,
      datasetProgress: { stage: 'dataset', fraction: null, message: `Opening ${def.title}…` },
    });
    let last = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const { info } = await getEngine().request(
          { kind: 'openDataset', id, assets: assetsBase() },
          {
            onProgress: (p) => {
              const now = Date.now();
              if (token !== openToken || (now - last < 100 && p.fraction !== 1)) return;
              last = now;
              set({ datasetProgress: progressOf(p) });
            },
          },
        );
        if (token !== openToken) return;
        set({ datasetInfo: info, datasetStatus: 'ready', datasetProgress: null });
        break;
      } catch (err) {
        forgetCrashedEngine(err);
        if (token !== openToken) return;
        // The worker was replaced while generating (a backend change): generate in the new one.
        if (attempt === 0 && isEngineStop(err)) continue;
        const notice = datasetNotice(err, `Opening the dataset ${def.title}`);
        set({ datasetStatus: notice ? 'error' : 'idle', datasetProgress: null, datasetError: notice?.title ?? null });
        if (notice) get().pushNotice(notice);
        return;
      }
    }
    await fetchPage(get, set);
  },

  setDatasetFilter: (filter) => get().setDatasetView({ datasetFilter: filter, datasetOffset: 0 }),

  setDatasetPage: (offset) => get().setDatasetView({ datasetOffset: offset }),

  setDatasetView: async (view) => {
    let filter = get().datasetFilter;
    if (view.datasetFilter !== undefined) {
      try {
        filter = cleanFilter(checkFilter(view.datasetFilter));
      } catch (err) {
        get().pushNotice({ level: 'warning', title: err instanceof Error ? err.message : String(err) });
        return;
      }
    }
    const offset = pageOffset(view.datasetOffset ?? get().datasetOffset);
    if (sameFilter(filter, get().datasetFilter) && offset === get().datasetOffset && get().datasetPage !== null) return;
    set({ datasetFilter: filter, datasetOffset: offset });
    // Before the dataset is open the view is only stored; opening shows it.
    if (get().datasetStatus === 'ready') await fetchPage(get, set);
  },

  applyDatasetView: (view) => {
    const next: Partial<DatasetView> = { ...view };
    if (view.datasetFilter) next.datasetFilter = cleanFilter(view.datasetFilter);
    if (view.datasetOffset !== undefined) next.datasetOffset = pageOffset(view.datasetOffset);
    set(next);
  },

  predictScene: async (item) => {
    const { datasetId, selectPredictInput, predictImage, summary } = get();
    const label = sceneLabel(item.attributes.classIndex, summary?.labels ?? null);
    selectPredictInput({ kind: 'scene', dataset: datasetId ?? DEFAULT_DATASET_ID, index: item.index, label, image: item.image });
    await predictImage(item.image, label);
  },
});
