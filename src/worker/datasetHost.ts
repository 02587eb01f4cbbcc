/**
 * The worker's built-in datasets: loads the generator's banks once (through an injected reader:
 * fetch in the worker, fs in Node tests) and keeps each opened dataset for later pages.
 */
import { LabError, asLabError } from '../engine/errors';
import { decodeFacets, encodeFacets, findDataset, loadBanks, openDataset, type SceneDataset } from '../engine/data/datasets';
import { SYNTH_GENERATOR_VERSION } from '../engine/data/shards';
import type { SynthBanks } from '../engine/synth/banks';
import { folderEntries } from '../engine/data/folder';
import { ImageDataset, type ImageDecoder, type ImageEntry, type ImagePrep } from '../engine/data/imageDataset';
import { isFitMode } from '../engine/data/imageFit';
import { parseManifest } from '../engine/data/manifest';
import { digestHex, type DatasetMemo } from './datasetMemo';
import { workerDecode } from './imageDecode';
import type { ImageDatasetSource, Progress } from './protocol';

/** Reads an asset file by name; `base` is the assets folder's address the request named, if any. */
export type AssetReader = (name: string, base: string | undefined) => Promise<Uint8Array>;

/** fetch(base + name): the worker's reader. */
export const fetchAsset: AssetReader = async (name, base) => {
  if (!base) throw new LabError('bad-request', 'No address was given for the dataset assets.');
  const url = new URL(name, base);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new LabError('internal', `Could not fetch ${url.pathname}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw new LabError('internal', `${url.pathname} answered ${res.status}; the dataset assets are missing from this build.`);
  return new Uint8Array(await res.arrayBuffer());
};

export interface DatasetHostOptions {
  /** Generate only the first `count` scenes of every dataset (tests). */
  count?: number;
  /** How image datasets decode files (default: the browser's decoders; tests pass the Node one). */
  decode?: ImageDecoder;
  /** Where generated datasets' hashes and facets are remembered (the worker: IndexedDB); none: always generate. */
  memo?: DatasetMemo;
}

/** fetch() with the failure as an Error naming the address (a manifest's image, or the manifest). */
async function fetchBytes(url: string, signal: AbortSignal): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (err) {
    throw new Error(`${url} could not be fetched (${err instanceof Error ? err.message : String(err)}; is the server up, and does it allow cross-origin requests?)`);
  }
  if (!res.ok) throw new Error(`${url} answered ${res.status} ${res.statusText}`.trim());
  return new Uint8Array(await res.arrayBuffer());
}

function checkPrep(prep: ImagePrep): ImagePrep {
  const triple = (t: unknown) => t === undefined || (Array.isArray(t) && t.length === 3 && t.every((x) => typeof x === 'number' && Number.isFinite(x)));
  const ok =
    Array.isArray(prep?.size) && prep.size.length === 2 && prep.size.every((v) => Number.isInteger(v) && v > 0 && v <= 4096) &&
    isFitMode(prep.fit) && triple(prep.mean) && triple(prep.std) && (prep.std === undefined || prep.std.every((v) => v > 0));
  if (!ok) throw new LabError('bad-request', 'The image preparation (size, fit, mean, std) is not valid.');
  return prep;
}

export class DatasetHost {
  private banks: Promise<SynthBanks> | null = null;
  /** sha256 of each asset file the banks were read from (for the memo's recipes). */
  private readonly assetDigests = new Map<string, string>();
  private readonly open = new Map<string, SceneDataset>();
  /** Generations in flight, so that two lanes asking for one dataset generate it once. */
  private readonly opening = new Map<string, Promise<SceneDataset>>();
  /** Image datasets by id, and the entries they were made from (to fit them again). */
  private readonly images = new Map<string, ImageDataset>();
  private readonly imageEntries = new Map<string, { entries: ImageEntry[]; title: string; description: string; origin: 'folder' | 'manifest' }>();
  private readonly imageOpening = new Map<string, Promise<ImageDataset>>();

  constructor(
    private readonly read: AssetReader = fetchAsset,
    private readonly options: DatasetHostOptions = {},
  ) {}

  /**
   * Opens an image dataset: a folder's files (read once here), or a manifest fetched here; `source`
   * null fits the entries held for `id` again. Replaces any dataset open under that id.
   */
  async openImages(id: string, source: ImageDatasetSource | null, prep: ImagePrep, signal: AbortSignal, progress: (p: Progress) => void): Promise<ImageDataset> {
    checkPrep(prep);
    let held = this.imageEntries.get(id);
    if (source?.kind === 'folder') {
      const entries = folderEntries(source.files);
      if (entries.length === 0) throw new LabError('bad-request', `The folder ${source.name} holds no images (.png, .jpg, .jpeg, .gif, .webp, .bmp).`);
      held = {
        entries: entries.map((e) => ({ name: e.path, label: e.label, read: async () => new Uint8Array(await e.file.arrayBuffer()) })),
        title: `Folder ${source.name}`,
        description: `${entries.length} image files from the local folder ${source.name}`,
        origin: 'folder',
      };
    } else if (source?.kind === 'manifest') {
      progress({ stage: 'dataset', fraction: null, message: 'Fetching the manifest…' });
      let text: string;
      try {
        text = new TextDecoder().decode(await fetchBytes(source.url, signal));
      } catch (err) {
        if (signal.aborted) throw new LabError('cancelled', 'Cancelled');
        throw new LabError('bad-request', `The manifest ${err instanceof Error ? err.message : String(err)}`);
      }
      const listed = parseManifest(text, source.url);
      held = {
        entries: listed.map((e) => ({ name: e.name, label: e.label, read: () => fetchBytes(e.url, signal) })),
        title: `Manifest ${new URL(source.url).pathname.split('/').pop() || source.url}`,
        description: `${listed.length} images listed by ${source.url}`,
        origin: 'manifest',
      };
    }
    if (!held) throw new LabError('bad-request', `No image dataset “${id.slice(0, 80)}” is open in the engine (open the folder or manifest again).`);
    this.imageEntries.set(id, held);
    const { entries, ...meta } = held;
    const opening = ImageDataset.open({ id, ...meta }, entries, prep, this.options.decode ?? workerDecode, {
      signal,
      onProgress: (n, total) => progress({ stage: 'dataset', fraction: total ? n / total : 1, message: `Decoding images: ${n} of ${total}` }),
    });
    this.imageOpening.set(id, opening);
    try {
      const ds = await opening;
      this.images.set(id, ds);
      return ds;
    } finally {
      if (this.imageOpening.get(id) === opening) this.imageOpening.delete(id);
    }
  }

  /** The image dataset `id` (waiting for one being opened), or a bad-request error. */
  async image(id: string): Promise<ImageDataset> {
    const pending = this.imageOpening.get(id);
    if (pending) return pending;
    const ds = this.images.get(id);
    if (!ds) throw new LabError('bad-request', `No image dataset “${id.slice(0, 80)}” is open in the engine (open the folder or manifest again).`);
    return ds;
  }

  /** Any open dataset: an image dataset by id, else a built-in one (generated when needed). */
  async any(id: string, base: string | undefined, signal: AbortSignal, progress: (p: Progress) => void): Promise<SceneDataset | ImageDataset> {
    if (this.images.has(id) || this.imageOpening.has(id)) return this.image(id);
    return this.get(id, base, signal, progress);
  }

  /** The dataset `id` if it is open already (no generation). */
  peek(id: string): SceneDataset | undefined {
    return this.open.get(id);
  }

  /** The open dataset `id`, generating it first when needed. */
  async get(id: string, base: string | undefined, signal: AbortSignal, progress: (p: Progress) => void): Promise<SceneDataset> {
    const done = this.open.get(id);
    if (done) return done;
    const pending = this.opening.get(id);
    if (pending) {
      progress({ stage: 'dataset', fraction: null, message: 'Waiting for the dataset to be generated…' });
      try {
        return await pending;
      } catch (err) {
        // The other request was cancelled; this one still wants the dataset.
        if (asLabError(err).code === 'cancelled' && !signal.aborted) return this.get(id, base, signal, progress);
        throw err;
      }
    }
    const generation = this.generate(id, base, signal, progress);
    this.opening.set(id, generation);
    try {
      return await generation;
    } finally {
      this.opening.delete(id);
    }
  }

  private async generate(id: string, base: string | undefined, signal: AbortSignal, progress: (p: Progress) => void): Promise<SceneDataset> {
    progress({ stage: 'assets', fraction: null, message: 'Loading the scene generator’s assets…' });
    const banks = await this.loadBanks(base);
    if (signal.aborted) throw new LabError('cancelled', 'Cancelled');
    const recipe = this.recipe(id);
    const known = recipe ? await this.recall(recipe) : undefined;
    const ds = await openDataset(id, banks, {
      signal,
      count: this.options.count,
      known,
      onProgress: (n, total) =>
        progress({ stage: 'dataset', fraction: total ? n / total : 1, message: `Generating scenes: ${n} of ${total}` }),
    });
    if (recipe && !known) {
      await this.options.memo?.put(recipe, { sha256: ds.info.sha256, facets: encodeFacets(ds.facets) }).catch((err: unknown) => {
        console.warn('The dataset could not be remembered:', err);
      });
    }
    this.open.set(id, ds);
    return ds;
  }

  /** What a built-in dataset is made of: id, options, count, generator version, asset hashes; null without a memo. */
  private recipe(id: string): string | null {
    const def = findDataset(id);
    if (!this.options.memo || !def || this.assetDigests.size === 0) return null;
    const assets = [...this.assetDigests].sort(([a], [b]) => a.localeCompare(b)).map(([name, sha]) => `${name}:${sha}`);
    return JSON.stringify({ id, options: def.options, count: this.options.count ?? null, generator: SYNTH_GENERATOR_VERSION, assets });
  }

  /** The memo's entry for a recipe, decoded; a failing or malformed entry is as good as none. */
  private async recall(recipe: string): Promise<{ sha256: string; facets: ReturnType<typeof decodeFacets> } | undefined> {
    try {
      const entry = await this.options.memo?.get(recipe);
      return entry && /^[0-9a-f]{64}$/.test(entry.sha256) ? { sha256: entry.sha256, facets: decodeFacets(entry.facets) } : undefined;
    } catch (err) {
      console.warn('The dataset memo could not be read:', err);
      return undefined;
    }
  }

  /** The scene generator's banks (the agent's text2image and scene edits draw with them). */
  sceneBanks(base: string | undefined): Promise<SynthBanks> {
    return this.loadBanks(base);
  }

  private loadBanks(base: string | undefined): Promise<SynthBanks> {
    if (!this.banks) {
      const read = async (name: string) => {
        const bytes = await this.read(name, base);
        if (this.options.memo) this.assetDigests.set(name, await digestHex(bytes));
        return bytes;
      };
      this.banks = loadBanks(read).catch((err: unknown) => {
        // A failed load is not remembered: the next request tries again.
        this.banks = null;
        const e = asLabError(err);
        throw new LabError(e.code, `The dataset assets could not be loaded: ${e.message}`);
      });
    }
    return this.banks;
  }
}
