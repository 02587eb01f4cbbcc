/**
 * A dataset of arbitrary images (a local folder, a URL manifest): every image decoded once, fitted
 * to the model's input size (imageFit.ts) and kept as N×H×W×3 bytes in the engine worker; an
 * unreadable image is skipped, counted and listed, never fatal. Its identity for caches is a
 * sha256 over the files (name, label, bytes, in order) and the preparation (fit, size,
 * normalisation), computed the same way by the tab and the CLI. Labels become the `class` facet,
 * so concept association ranks them like the scene classes.
 */
import { LabError } from '../errors';
import type { ImageSource } from '../exemplars/indexer';
import type { Preprocess, RawImage } from '../types';
import type { SceneFacets } from './datasets';
import { fitImage, type FitMode } from './imageFit';
import { Sha256, sha256Hex } from './sha256';

type Triple = [number, number, number];

/** How images become model inputs: fitted to `size` ([H, W]); mean/std override the model's. */
export interface ImagePrep {
  size: [number, number];
  fit: FitMode;
  mean?: Triple;
  std?: Triple;
}

/** One image of the dataset before reading: a name (relative path or manifest URL), a label, its bytes. */
export interface ImageEntry {
  name: string;
  label: string | null;
  read(): Promise<Uint8Array>;
}

/** Decoded pixels of a file (RGB or RGBA); throws when the bytes are not an image. */
export type ImageDecoder = (bytes: Uint8Array, name: string) => Promise<RawImage>;

export interface BadImage {
  name: string;
  reason: string;
}

export interface ImageDatasetInfo {
  kind: 'images';
  id: string;
  title: string;
  description: string;
  origin: 'folder' | 'manifest';
  /** Readable images (the dataset's positions). */
  count: number;
  width: number;
  height: number;
  /** Images listed (readable or not). */
  files: number;
  /** Distinct labels, sorted. */
  labels: string[];
  /** Unreadable images with the reason, in listing order. */
  bad: BadImage[];
  /** The dataset's identity (cache keys, index files): content and preparation. */
  sha256: string;
  /** sha256 over the files alone (names, labels, bytes). */
  contentSha256: string;
  prep: ImagePrep;
  openMs: number;
}

export interface ImageItem {
  index: number;
  name: string;
  label: string | null;
  /** RGB at the dataset's size; its buffer belongs to the item alone. */
  image: RawImage;
}

export interface ImagePage {
  total: number;
  offset: number;
  items: ImageItem[];
}

/** The most bytes of fitted pixels a dataset may hold in the worker. */
export const MAX_DATASET_BYTES = 1024 * 2 ** 20;
/** Reads in flight while opening (manifest fetches overlap; decoding stays in order). */
const READ_AHEAD = 6;

export interface OpenImagesOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

const utf8 = new TextEncoder();

/** The identity of a dataset: its content hash and how its images are prepared. */
export function imageDatasetSha256(contentSha256: string, prep: ImagePrep): string {
  const norm = prep.mean || prep.std ? `${prep.mean?.join(',') ?? 'model'}/${prep.std?.join(',') ?? 'model'}` : 'model';
  return sha256Hex(utf8.encode(`lab.images/1|${contentSha256}|${prep.fit}|${prep.size[0]}x${prep.size[1]}|${norm}`));
}

export class ImageDataset {
  private constructor(
    readonly info: ImageDatasetInfo,
    private readonly pixels: Uint8Array,
    readonly names: readonly string[],
    readonly labels: ReadonlyArray<string | null>,
    readonly facets: readonly SceneFacets[],
  ) {}

  static async open(
    meta: { id: string; title: string; description: string; origin: ImageDatasetInfo['origin'] },
    entries: readonly ImageEntry[],
    prep: ImagePrep,
    decode: ImageDecoder,
    opts: OpenImagesOptions = {},
  ): Promise<ImageDataset> {
    const t0 = performance.now();
    const [H, W] = prep.size;
    if (!(Number.isInteger(H) && Number.isInteger(W) && H > 0 && W > 0)) throw new LabError('bad-request', `Image size ${H}×${W} is not valid.`);
    if (entries.length === 0) throw new LabError('bad-request', 'The dataset has no images.');
    const per = H * W * 3;
    if (entries.length * per > MAX_DATASET_BYTES) {
      throw new LabError('too-large', `${entries.length} images at ${W}×${H} need ${Math.round((entries.length * per) / 2 ** 20)} MB; the lab holds at most ${MAX_DATASET_BYTES / 2 ** 20} MB of images.`);
    }
    const pixels = new Uint8Array(entries.length * per);
    const hash = new Sha256();
    const names: string[] = [];
    const labels: Array<string | null> = [];
    const bad: BadImage[] = [];
    const reads: Array<Promise<Uint8Array> | undefined> = [];
    const start = (i: number) => {
      if (i < entries.length && !reads[i]) {
        reads[i] = entries[i].read();
        reads[i]!.catch(() => undefined); // awaited in order below
      }
    };
    for (let i = 0; i < entries.length; i++) {
      if (opts.signal?.aborted) throw new LabError('cancelled', 'Cancelled');
      if (i % 16 === 0) opts.onProgress?.(i, entries.length);
      for (let j = i; j < i + READ_AHEAD; j++) start(j);
      const e = entries[i];
      let bytes: Uint8Array | null = null;
      let reason: string | null = null;
      try {
        bytes = await reads[i]!;
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      }
      reads[i] = undefined;
      hash.update(utf8.encode(`${e.name}\u0000${e.label ?? ''}\u0000${bytes ? bytes.length : -1}\n`));
      if (bytes) {
        hash.update(bytes);
        try {
          const img = await decode(bytes, e.name);
          pixels.set(fitImage(img, W, H, prep.fit).data, names.length * per);
          names.push(e.name);
          labels.push(e.label);
        } catch (err) {
          reason = err instanceof Error ? err.message : String(err);
        }
      }
      if (reason !== null) bad.push({ name: e.name, reason });
    }
    opts.onProgress?.(entries.length, entries.length);
    if (names.length === 0) {
      throw new LabError('bad-image', `None of the ${entries.length} images could be read (first: ${bad[0].name}: ${bad[0].reason}).`);
    }
    const contentSha256 = hash.hex();
    const info: ImageDatasetInfo = {
      kind: 'images',
      ...meta,
      count: names.length,
      width: W,
      height: H,
      files: entries.length,
      labels: [...new Set(labels.filter((l): l is string => l !== null))].sort(),
      bad,
      sha256: imageDatasetSha256(contentSha256, prep),
      contentSha256,
      prep,
      openMs: Math.round(performance.now() - t0),
    };
    const facets = labels.map((l) => ({ class: l ?? '', color: '', texture: '', background: { kind: '' } }));
    return new ImageDataset(info, pixels.slice(0, names.length * per), names, labels, facets);
  }

  get count(): number {
    return this.info.count;
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new LabError('bad-request', `${this.info.title} has no image ${i}.`);
  }

  /** Image i (a copy: safe to transfer). */
  image(i: number): RawImage {
    this.check(i);
    const per = this.info.width * this.info.height * 3;
    return { width: this.info.width, height: this.info.height, channels: 3, data: this.pixels.slice(i * per, (i + 1) * per) };
  }

  page(offset: number, limit: number): ImagePage {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(limit) || limit < 0 || limit > 256) {
      throw new LabError('bad-request', `A page is an offset ≥ 0 and a limit from 0 to 256 (got ${offset}, ${limit}).`);
    }
    const items: ImageItem[] = [];
    for (let i = offset; i < Math.min(this.count, offset + limit); i++) items.push({ index: i, name: this.names[i], label: this.labels[i], image: this.image(i) });
    return { total: this.count, offset, items };
  }

  /** The images in order, for indexing (views into the dataset: do not modify). */
  source(): ImageSource {
    const per = this.info.width * this.info.height * 3;
    return {
      id: `images:${this.info.sha256}`,
      count: this.count,
      load: async (start, end) => {
        const out: RawImage[] = [];
        for (let i = start; i < end; i++) out.push({ width: this.info.width, height: this.info.height, channels: 3, data: this.pixels.subarray(i * per, (i + 1) * per) });
        return out;
      },
    };
  }
}

/** The normalisation a run over this dataset uses: the model's, with the dataset's mean/std override. */
export function datasetPreprocess(model: Preprocess, prep: ImagePrep | null | undefined): Preprocess | undefined {
  if (!prep || (!prep.mean && !prep.std)) return undefined;
  return { size: model.size, mean: prep.mean ?? model.mean, std: prep.std ?? model.std, source: 'override' };
}
