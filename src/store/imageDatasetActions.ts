/**
 * Opening image datasets from the page: a local folder (directory picker, <input webkitdirectory>,
 * or a drop) or a URL manifest. The files go to the engine worker once (File objects), where they
 * are decoded, fitted to the model's input and hashed; the store keeps the info (with the list of
 * unreadable files) and one page of thumbnails.
 */
import type { FitMode } from '../engine/data/imageFit';
import { folderEntries } from '../engine/data/folder';
import type { ImageDatasetInfo, ImagePrep } from '../engine/data/imageDataset';
import type { Preprocess } from '../engine/types';
import type { ImageDatasetSource } from '../worker/protocol';
import { EngineError } from '../worker/client';
import { forgetCrashedEngine, getEngine } from './engine';
import { noticeFromError } from './errorNotice';
import { resolveModelUrl } from './modelUrl';
import { pageBase } from './modelSource';
import type { LabState } from './types';
import { datasetProblem } from './url';
import { isValidNorm, sameNorm, type NormOverride } from './normOverride';

type Get = () => LabState;
type Set = (partial: Partial<LabState>) => void;

/** Images per page of an image dataset's gallery. */
export const IMAGE_PAGE_SIZE = 48;

/** A local folder's dataset id: not an address, so it never goes into a link. */
export const FOLDER_PREFIX = 'folder:';

export function isFolderDataset(id: string | null): boolean {
  return id !== null && id.startsWith(FOLDER_PREFIX);
}

export function isImageInfo(info: { kind: string } | null): info is ImageDatasetInfo {
  return info?.kind === 'images';
}

let token = 0;

async function fetchImagePage(get: Get, set: Set, offset: number): Promise<void> {
  const id = get().datasetId;
  if (!id || !isImageInfo(get().datasetInfo)) return;
  const page = await getEngine().request({ kind: 'imagePage', id, offset: Math.max(0, offset), limit: IMAGE_PAGE_SIZE });
  if (get().datasetId === id) set({ imagePage: page });
}

/**
 * How the open model's input takes a dataset's images: its size, the fit mode, and the mean/std
 * override unless it equals the model's own (then it changes nothing, and the dataset keeps the
 * identity, and so the cached indexes, it has without one).
 */
export function imagePrep(model: Preprocess, fit: ImagePrep['fit'], norm: NormOverride | null): ImagePrep {
  const prep: ImagePrep = { size: model.size, fit };
  if (norm && !sameNorm(norm, { mean: model.mean, std: model.std })) {
    prep.mean = [...norm.mean];
    prep.std = [...norm.std];
  }
  return prep;
}

/** The override a preparation carries, or null (the model's normalisation). */
export function prepNorm(prep: ImagePrep): NormOverride | null {
  return prep.mean && prep.std ? { mean: prep.mean, std: prep.std } : null;
}

/** Opens (or, with source null, fits again) an image dataset in the worker. */
async function openImages(get: Get, set: Set, id: string, source: ImageDatasetSource | null, title: string): Promise<void> {
  const summary = get().summary;
  if (!summary) {
    get().pushNotice({ level: 'warning', title: 'Load a model first', hint: 'Images are fitted to the model’s input size when the dataset opens.' });
    return;
  }
  const mine = ++token;
  set({
    datasetId: id,
    datasetFilter: {},
    datasetOffset: 0,
    datasetStatus: 'loading',
    datasetInfo: null,
    datasetPage: null,
    imagePage: null,
    datasetError: null,
    datasetProgress: { stage: 'dataset', fraction: null, message: `Opening ${title}…` },
  });
  let last = 0;
  try {
    const { info } = await getEngine().request(
      { kind: 'openImages', id, source, prep: imagePrep(summary.preprocess, get().datasetFit, get().datasetNorm) },
      {
        onProgress: (p) => {
          const now = Date.now();
          if (mine !== token || (now - last < 100 && p.fraction !== 1)) return;
          last = now;
          set({ datasetProgress: { stage: p.stage, fraction: p.fraction, message: p.message } });
        },
      },
    );
    if (mine !== token) return;
    set({ datasetInfo: info, datasetStatus: 'ready', datasetProgress: null });
    if (info.bad.length) {
      get().pushNotice({
        level: 'warning',
        title: `${info.bad.length} of ${info.files} images could not be read and were left out`,
        hint: 'They are listed under the dataset; the other images are indexed as usual.',
      });
    }
    await fetchImagePage(get, set, 0);
  } catch (err) {
    forgetCrashedEngine(err);
    if (mine !== token) return;
    const notice = noticeFromError(err, `Opening ${title}`);
    const hint = err instanceof EngineError && err.code === 'bad-request' ? { hint: 'Check the folder or the manifest: a JSON list of image URLs, {"images":[{"url":…,"label":…}]}.' } : {};
    set({ datasetStatus: notice ? 'error' : 'idle', datasetProgress: null, datasetError: notice?.title ?? null });
    if (notice) get().pushNotice({ ...notice, ...hint });
  }
}

/** Files of a picked or dropped folder, with paths relative to it. */
export function openImageFolder(get: Get, set: Set, name: string, files: Array<{ path: string; file: Blob }>): Promise<void> {
  if (folderEntries(files).length === 0) {
    get().pushNotice({ level: 'warning', title: `${name} holds no images`, hint: 'The lab reads .png, .jpg, .jpeg, .gif, .webp and .bmp files (subfolders become labels).' });
    return Promise.resolve();
  }
  return openImages(get, set, `${FOLDER_PREFIX}${name}`, { kind: 'folder', name, files }, `the folder ${name}`);
}

/** A manifest address as typed or linked: checked like model addresses, resolved against the page. */
export function openManifest(get: Get, set: Set, text: string): Promise<void> {
  const why = datasetProblem(text.trim());
  let url: string;
  try {
    if (why !== null) throw new Error(why === 'unknown' ? 'use an http(s) address or a path ending in .json' : why);
    url = resolveModelUrl(text.trim(), pageBase()).href;
  } catch (err) {
    get().pushNotice({ level: 'error', title: `Cannot open the manifest “${text.slice(0, 80)}”: ${err instanceof Error ? err.message : String(err)}` });
    return Promise.resolve();
  }
  return openImages(get, set, url, { kind: 'manifest', url }, 'the manifest');
}

/** Fits the open image dataset again (another fit mode or mean/std override, or another model's input size). */
export function refitImages(get: Get, set: Set, change: { fit?: FitMode; norm?: NormOverride | null }): Promise<void> {
  if (change.fit !== undefined) set({ datasetFit: change.fit });
  if (change.norm !== undefined) set({ datasetNorm: change.norm });
  const { datasetId, datasetInfo } = get();
  if (!datasetId || !isImageInfo(datasetInfo)) return Promise.resolve();
  return openImages(get, set, datasetId, null, datasetInfo.title);
}

/**
 * Sets the mean/std override (null: the model's) and fits the open image dataset again when that
 * changes its preparation; an override equal to the model's values is kept as null. Invalid values
 * are refused with a notice and nothing is sent.
 */
export function setImageNorm(get: Get, set: Set, norm: NormOverride | null): Promise<void> {
  if (norm !== null && !isValidNorm(norm)) {
    get().pushNotice({ level: 'error', title: 'The mean/std override is not valid', hint: 'Use finite numbers, std greater than 0.' });
    return Promise.resolve();
  }
  const { summary, datasetInfo, datasetFit } = get();
  if (!summary) {
    set({ datasetNorm: norm });
    return Promise.resolve();
  }
  const prep = imagePrep(summary.preprocess, datasetFit, norm);
  const next = prepNorm(prep);
  if (!isImageInfo(datasetInfo) || sameNorm(next, prepNorm(datasetInfo.prep))) {
    set({ datasetNorm: next });
    return Promise.resolve();
  }
  return refitImages(get, set, { norm: next });
}

export function showImagePage(get: Get, set: Set, offset: number): Promise<void> {
  return fetchImagePage(get, set, offset).catch((err: unknown) => {
    forgetCrashedEngine(err);
    const notice = noticeFromError(err, 'Showing the images');
    if (notice) get().pushNotice(notice);
  });
}
