/**
 * The built-in datasets: scene sets generated in place from the committed assets (no shard
 * download). `scenes-test` is the balanced TEST shard exactly as `npm run data` writes it
 * (scripts/data.ts: seed 1, variant balanced, split test, 10,000 scenes), byte for byte.
 *
 * Opening a dataset renders every scene once, to hash its pixels (sha256 of the N×64×64×3 bytes,
 * the same bytes as the .u8 shard) and to record each scene's facets (class, colour, texture,
 * background kind) for filtering. The pixels are NOT kept: 10,000 scenes are 123 MB, more than a
 * tab should hold beside a model for a gallery that shows 48 at a time, while re-rendering a scene
 * takes about 0.5 ms. Pages render on demand through a small LRU cache of scenes (the first ones
 * are cached while opening, so the first page is instant). Given the hash and facets remembered
 * from an earlier generation (`known`), opening renders nothing at all.
 */
import { LabError } from '../errors';
import type { RawImage } from '../types';
import { loadSynthBanks, type SynthBanks } from '../synth/banks';
import { render } from '../synth/render';
import type { SceneAttributes } from '../synth/spec';
import {
  BACKGROUND_KINDS,
  CANVAS,
  CLASSES,
  COLORS,
  TEXTURES,
  type BackgroundKind,
  type ClassName,
  type ColorName,
  type TextureName,
} from '../synth/vocabulary';
import { gunzip } from './gzip';
import { Sha256 } from './sha256';
import { SYNTH_GENERATOR_VERSION, datasetCount, sceneSpecAt, type DatasetOptions } from './shards';

export interface BuiltinDataset {
  id: string;
  title: string;
  description: string;
  options: DatasetOptions;
}

export const BUILTIN_DATASETS: readonly BuiltinDataset[] = [
  {
    id: 'scenes-test',
    title: 'Scenes — Fashion-MNIST test (10,000)',
    description:
      'The 10,000 Fashion-MNIST test items as 64×64 scenes: random colour, texture, size and place, on photo or procedural backgrounds drawn independently of the class (the balanced test shard of `npm run data`).',
    // Exactly the test shard of scripts/data.ts (its default seed is 1; the count is the bank's).
    options: { split: 'test', variant: 'balanced', seed: 1 },
  },
];

export const DEFAULT_DATASET_ID = BUILTIN_DATASETS[0].id;

export function findDataset(id: string): BuiltinDataset | undefined {
  return BUILTIN_DATASETS.find((d) => d.id === id);
}

// ---------------------------------------------------------------------------------------------
// Filters

export interface DatasetFilter {
  class?: ClassName;
  color?: ColorName;
  texture?: TextureName;
  /** A background kind (photo kinds and procedural kinds alike). */
  background?: BackgroundKind;
}

export const FILTER_KEYS = ['class', 'color', 'texture', 'background'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** The values each filter accepts, in vocabulary order (the order of FacetCounts). */
export const FILTER_VALUES: { readonly [K in FilterKey]: readonly NonNullable<DatasetFilter[K]>[] } = {
  class: CLASSES,
  color: COLORS,
  texture: TEXTURES,
  background: BACKGROUND_KINDS,
};

/** What a filter looks at; SceneAttributes has this shape. */
export interface SceneFacets {
  class: string;
  color: string;
  texture: string;
  background: { kind: string };
}

function facetValue(a: SceneFacets, key: FilterKey): string {
  return key === 'background' ? a.background.kind : a[key];
}

/**
 * Validates a filter from outside (a message, a link): an object whose keys are filter keys and
 * whose values are in the vocabulary; a missing, null or undefined value means "any".
 * Throws a bad-request LabError naming the first bad key or value.
 */
export function checkFilter(filter: unknown): DatasetFilter {
  if (filter === undefined || filter === null) return {};
  if (typeof filter !== 'object' || Array.isArray(filter)) throw new LabError('bad-request', 'A dataset filter must be an object.');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      throw new LabError('bad-request', `Unknown dataset filter “${key}” (use ${FILTER_KEYS.join(', ')}).`);
    }
    if (value === undefined || value === null) continue;
    const allowed = FILTER_VALUES[key as FilterKey] as readonly string[];
    if (typeof value !== 'string' || !allowed.includes(value)) {
      throw new LabError('bad-request', `Unknown ${key} “${String(value).slice(0, 40)}” (use ${allowed.join(', ')}).`);
    }
    out[key] = value;
  }
  return out as DatasetFilter;
}

function matches(a: SceneFacets, filter: DatasetFilter, skip?: FilterKey): boolean {
  for (const key of FILTER_KEYS) {
    if (key === skip) continue;
    const want = filter[key];
    if (want !== undefined && facetValue(a, key) !== want) return false;
  }
  return true;
}

/** Indices (ascending) of the scenes that pass every given filter. Unknown values throw. */
export function filterIndices(attrs: readonly SceneFacets[], filter: DatasetFilter): number[] {
  const f = checkFilter(filter);
  const out: number[] = [];
  for (let i = 0; i < attrs.length; i++) if (matches(attrs[i], f)) out.push(i);
  return out;
}

/** Per filter key, per value (FILTER_VALUES order): how many scenes pass the OTHER filters and have that value. */
export type FacetCounts = { [K in FilterKey]: number[] };

export function facetCounts(attrs: readonly SceneFacets[], filter: DatasetFilter): FacetCounts {
  const f = checkFilter(filter);
  const counts = Object.fromEntries(FILTER_KEYS.map((k) => [k, new Array<number>(FILTER_VALUES[k].length).fill(0)])) as FacetCounts;
  const lookup = Object.fromEntries(
    FILTER_KEYS.map((k) => [k, new Map((FILTER_VALUES[k] as readonly string[]).map((v, i) => [v, i]))]),
  ) as Record<FilterKey, Map<string, number>>;
  for (const a of attrs) {
    // Which filters this scene fails: counted for key k when it fails none but (maybe) k.
    let fails = 0;
    let failed: FilterKey | null = null;
    for (const key of FILTER_KEYS) {
      const want = f[key];
      if (want !== undefined && facetValue(a, key) !== want) {
        fails++;
        failed = key;
      }
    }
    if (fails > 1) continue;
    for (const key of FILTER_KEYS) {
      if (fails === 1 && failed !== key) continue;
      const j = lookup[key].get(facetValue(a, key));
      if (j !== undefined) counts[key][j]++;
    }
  }
  return counts;
}

/** Facets as 4 bytes per scene (positions in FILTER_VALUES), e.g. for remembering them between visits. */
export function encodeFacets(facets: readonly SceneFacets[]): Uint8Array {
  const out = new Uint8Array(facets.length * FILTER_KEYS.length);
  facets.forEach((a, i) =>
    FILTER_KEYS.forEach((key, k) => (out[i * FILTER_KEYS.length + k] = (FILTER_VALUES[key] as readonly string[]).indexOf(facetValue(a, key)))),
  );
  return out;
}

/** The inverse of encodeFacets; throws on a code outside the vocabulary. */
export function decodeFacets(codes: Uint8Array): SceneFacets[] {
  const n = codes.length / FILTER_KEYS.length;
  if (!Number.isInteger(n)) throw new Error('Facet codes come in fours.');
  return Array.from({ length: n }, (_, i) => {
    const [cls, color, texture, background] = FILTER_KEYS.map((key, k) => {
      const value = FILTER_VALUES[key][codes[i * FILTER_KEYS.length + k]];
      if (value === undefined) throw new Error(`No ${key} number ${codes[i * FILTER_KEYS.length + k]}.`);
      return value;
    });
    return { class: cls, color, texture, background: { kind: background } };
  });
}

// ---------------------------------------------------------------------------------------------
// Open datasets

export interface DatasetInfo {
  /** A built-in scene dataset (image datasets are ImageDatasetInfo, kind 'images'). */
  kind: 'scenes';
  id: string;
  title: string;
  description: string;
  count: number;
  width: number;
  height: number;
  classes: readonly ClassName[];
  colors: readonly ColorName[];
  textures: readonly TextureName[];
  backgroundKinds: readonly BackgroundKind[];
  /** sha256 (hex) of all pixels, N×64×64×3 uint8 in scene order: the .u8 shard's bytes. */
  sha256: string;
  seed: number;
  split: DatasetOptions['split'];
  variant: DatasetOptions['variant'];
  generatorVersion: number;
  /** Milliseconds the generation took when this dataset was opened. */
  openMs: number;
  /** True when the hash and facets were remembered from an earlier generation (nothing was rendered to open it). */
  remembered?: boolean;
}

export interface DatasetItem {
  index: number;
  attributes: SceneAttributes;
  /** RGB 64×64; its buffer belongs to the item alone (it may be transferred). */
  image: RawImage;
}

export interface DatasetPage {
  /** Scenes that pass the filter. */
  total: number;
  offset: number;
  items: DatasetItem[];
  counts: FacetCounts;
}

/** The most scenes one page may hold. */
export const MAX_PAGE_LIMIT = 256;

export interface OpenDatasetOptions {
  signal?: AbortSignal;
  /** Called every few hundred scenes while generating. */
  onProgress?: (done: number, total: number) => void;
  /** Generate only the first `count` scenes (tests; scene i does not depend on the count). */
  count?: number;
  /** Scenes kept rendered (LRU), default 512 (6 MB). */
  cacheScenes?: number;
  /**
   * The dataset's sha256 and facets, remembered from an earlier generation with the same recipe:
   * opening then renders nothing (scenes render when asked for). Ignored unless the count fits.
   */
  known?: { sha256: string; facets: readonly SceneFacets[] };
}

interface Scene {
  pixels: Uint8Array;
  attributes: SceneAttributes;
}

/** Scenes between progress reports and yields to the event loop (so a cancel can arrive). */
const CHUNK = 250;

const yieldToLoop = () => new Promise<void>((r) => setTimeout(r, 0));

export class SceneDataset {
  private readonly cache = new Map<number, Scene>();
  /** Scenes rendered since this dataset was opened, opening included (tests count them). */
  rendered = 0;

  private constructor(
    readonly info: DatasetInfo,
    /** Facets of every scene, in order. */
    readonly facets: readonly SceneFacets[],
    private readonly options: DatasetOptions,
    private readonly banks: SynthBanks,
    private readonly cacheSize: number,
  ) {}

  /** Generates every scene once (hash + facets), keeping the first `cacheScenes` rendered. */
  static async open(def: BuiltinDataset, banks: SynthBanks, opts: OpenDatasetOptions = {}): Promise<SceneDataset> {
    const t0 = performance.now();
    const options: DatasetOptions = { ...def.options, count: opts.count ?? def.options.count };
    const n = datasetCount(options, banks);
    const cacheSize = Math.max(0, opts.cacheScenes ?? 512);
    const hash = new Sha256();
    const known = opts.known?.facets.length === n ? opts.known : undefined;
    const facets: SceneFacets[] = known ? [...known.facets] : new Array<SceneFacets>(n);
    const first: Array<[number, Scene]> = [];
    for (let i = 0; i < (known ? 0 : n); i++) {
      if (i % CHUNK === 0) {
        opts.onProgress?.(i, n);
        await yieldToLoop();
        if (opts.signal?.aborted) throw new LabError('cancelled', 'Cancelled');
      }
      const { pixels, attributes: a } = render(sceneSpecAt(options, i, banks), banks);
      hash.update(pixels);
      facets[i] = { class: a.class, color: a.color, texture: a.texture, background: { kind: a.background.kind } };
      if (i < cacheSize) first.push([i, { pixels, attributes: a }]);
    }
    if (!known) opts.onProgress?.(n, n);
    const info: DatasetInfo = {
      kind: 'scenes',
      id: def.id,
      title: def.title,
      description: def.description,
      count: n,
      width: CANVAS,
      height: CANVAS,
      classes: CLASSES,
      colors: COLORS,
      textures: TEXTURES,
      backgroundKinds: BACKGROUND_KINDS,
      sha256: known ? known.sha256 : hash.hex(),
      seed: options.seed,
      split: options.split,
      variant: options.variant,
      generatorVersion: SYNTH_GENERATOR_VERSION,
      openMs: Math.round(performance.now() - t0),
      remembered: known !== undefined,
    };
    const ds = new SceneDataset(info, facets, options, banks, cacheSize);
    for (const [i, s] of first) ds.cache.set(i, s);
    ds.rendered = known ? 0 : n;
    return ds;
  }

  get count(): number {
    return this.info.count;
  }

  /** Scene i, rendered (or from the cache). Do not modify or transfer its pixels. */
  scene(i: number): Scene {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new LabError('bad-request', `${this.info.id} has no scene ${i}.`);
    const hit = this.cache.get(i);
    if (hit) {
      this.cache.delete(i);
      this.cache.set(i, hit);
      return hit;
    }
    const { pixels, attributes } = render(sceneSpecAt(this.options, i, this.banks), this.banks);
    this.rendered++;
    const scene = { pixels, attributes };
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(i, scene);
    }
    return scene;
  }

  /**
   * Scene i rendered afresh, bypassing the cache (a pass over the whole dataset, such as indexing
   * it through a model, would only churn the cache). Its pixels belong to the caller.
   */
  renderScene(i: number): Scene {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new LabError('bad-request', `${this.info.id} has no scene ${i}.`);
    const hit = this.cache.get(i);
    if (hit) return { pixels: hit.pixels.slice(), attributes: hit.attributes };
    this.rendered++;
    return render(sceneSpecAt(this.options, i, this.banks), this.banks);
  }

  /** Scene i as an image of its own (a copy: safe to transfer). */
  image(i: number): RawImage {
    return { width: CANVAS, height: CANVAS, channels: 3, data: this.scene(i).pixels.slice() };
  }

  filter(filter: DatasetFilter): number[] {
    return filterIndices(this.facets, filter);
  }

  /** Scenes [offset, offset + limit) of those passing `filter`, rendered, with facet counts. */
  page(filter: DatasetFilter, offset: number, limit: number): DatasetPage {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new LabError('bad-request', `Page offset must be a whole number ≥ 0 (got ${offset}).`);
    if (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_PAGE_LIMIT) {
      throw new LabError('bad-request', `Page limit must be a whole number from 0 to ${MAX_PAGE_LIMIT} (got ${limit}).`);
    }
    const f = checkFilter(filter);
    const indices = filterIndices(this.facets, f);
    const items = indices.slice(offset, offset + limit).map((index) => ({
      index,
      attributes: this.scene(index).attributes,
      image: this.image(index),
    }));
    return { total: indices.length, offset, items, counts: facetCounts(this.facets, f) };
  }
}

/** Reads one of the committed asset files by name (fetch in the worker, fs in Node). */
export type AssetRead = (name: string) => Promise<Uint8Array>;

/** The synth banks from the committed assets (gunzip by DecompressionStream). */
export function loadBanks(read: AssetRead): Promise<SynthBanks> {
  return loadSynthBanks({ read, gunzip });
}

/** Opens a built-in dataset by id; unknown ids are a bad-request LabError. */
export async function openDataset(id: string, banks: SynthBanks, opts: OpenDatasetOptions = {}): Promise<SceneDataset> {
  const def = findDataset(id);
  if (!def) throw new LabError('bad-request', `There is no built-in dataset “${id.slice(0, 60)}” (there is ${BUILTIN_DATASETS.map((d) => d.id).join(', ')}).`);
  return SceneDataset.open(def, banks, opts);
}
