/**
 * Index files: exemplar indexes (per layer: the [N,C] max/mean tables and the per-unit top-k and
 * bottom-k, i.e. LayerIndexSnapshots) with the model's and the dataset's sha256, written by
 * `lab exemplars --out` and imported by the tab. Layout (docs/cli.md):
 *   "LABINDEX" (8 bytes) · uint32 LE header length · header JSON (UTF-8) · zero padding to a
 *   multiple of 8 · the arrays, little-endian, each at an 8-byte aligned offset the header gives.
 * A file may hold one shard of a dataset (images [start, end) of `total`, image indices global);
 * shards of one dataset merge into the whole (top-k merging is associative).
 */
import { LabError } from '../errors';
import type { LayerIndexSnapshot } from './layerIndex';
import { UnitRanking, type RankingSnapshot } from './topk';

export const INDEX_FILE_SCHEMA = 'lab.index/1';
const MAGIC = 'LABINDEX';

type ArrayKind = 'f32' | 'f64' | 'i32';
interface ArrayRef {
  type: ArrayKind;
  offset: number;
  length: number;
}

export interface IndexFileHeader {
  schema: typeof INDEX_FILE_SCHEMA;
  model: { name: string; sha256: string };
  dataset: { id: string; sha256: string; count: number };
  /** Which images this file covers; [0, count) unless it is a shard. */
  shard: { start: number; end: number };
  createdBy: string;
}

export interface IndexFile {
  header: IndexFileHeader;
  layers: LayerIndexSnapshot[];
}

interface StoredLayer {
  tensor: string;
  channels: number;
  /** Rows in this file (end − start). */
  count: number;
  k: number;
  done: number;
  max: ArrayRef;
  mean: ArrayRef;
  top: { values: ArrayRef; indices: ArrayRef; sizes: ArrayRef };
  bottom: { values: ArrayRef; indices: ArrayRef; sizes: ArrayRef };
}

type TypedArray = Float32Array | Float64Array | Int32Array;
const CTOR = { f32: Float32Array, f64: Float64Array, i32: Int32Array } as const;
const kindOf = (a: TypedArray): ArrayKind => (a instanceof Float32Array ? 'f32' : a instanceof Float64Array ? 'f64' : 'i32');
const align8 = (n: number) => Math.ceil(n / 8) * 8;
// Typed arrays are native-endian; every platform the lab runs on is little-endian.
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bad(message: string): LabError {
  return new LabError('bad-request', `Not a usable index file: ${message}.`);
}

export function encodeIndexFile(file: IndexFile): Uint8Array {
  if (!LITTLE) throw new Error('Index files are little-endian; this platform is not.');
  const arrays: TypedArray[] = [];
  let offset = 0;
  const ref = (a: TypedArray): ArrayRef => {
    const r = { type: kindOf(a), offset, length: a.length };
    arrays.push(a);
    offset += align8(a.byteLength);
    return r;
  };
  const ranking = (r: RankingSnapshot) => ({ values: ref(r.values), indices: ref(r.indices), sizes: ref(r.sizes) });
  const layers: StoredLayer[] = file.layers.map((l) => ({
    tensor: l.tensor,
    channels: l.channels,
    count: l.count,
    k: l.k,
    done: l.done,
    max: ref(l.max),
    mean: ref(l.mean),
    top: ranking(l.top),
    bottom: ranking(l.bottom),
  }));
  const json = new TextEncoder().encode(JSON.stringify({ ...file.header, layers }));
  const start = align8(12 + json.length);
  const out = new Uint8Array(start + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  let at = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += align8(a.byteLength);
  }
  return out;
}

/** True when the bytes start like an index file (for drop targets that take several kinds). */
export function isIndexFile(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && new TextDecoder().decode(bytes.subarray(0, 8)) === MAGIC;
}

const isSha = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Reads and validates an index file; throws a bad-request LabError saying what is wrong. */
export function decodeIndexFile(bytes: Uint8Array): IndexFile {
  if (!isIndexFile(bytes)) throw bad('it does not start with LABINDEX (is it the output of `lab exemplars --out`?)');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + length > bytes.length) throw bad('the header is cut off');
  let doc: IndexFileHeader & { layers: StoredLayer[] };
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length)));
  } catch {
    throw bad('the header is not JSON');
  }
  if (doc?.schema !== INDEX_FILE_SCHEMA) throw bad(`schema ${JSON.stringify(doc?.schema)?.slice(0, 40)} is not ${INDEX_FILE_SCHEMA}`);
  if (!isSha(doc.model?.sha256) || !isSha(doc.dataset?.sha256)) throw bad('the model or dataset sha256 is missing');
  const { start, end } = doc.shard ?? {};
  if (!isCount(doc.dataset.count) || !isCount(start) || !isCount(end) || start >= end || end > doc.dataset.count) throw bad('the image range is not valid');
  if (!Array.isArray(doc.layers) || doc.layers.length === 0) throw bad('it holds no layers');
  const payload = align8(12 + length);
  const read = (r: ArrayRef | undefined, type: ArrayKind, length: number): TypedArray => {
    if (!r || r.type !== type || r.length !== length || !isCount(r.offset) || r.offset % 8 !== 0) throw bad('an array does not fit its layer');
    const Ctor = CTOR[type];
    const from = payload + r.offset;
    if (from + length * Ctor.BYTES_PER_ELEMENT > bytes.length) throw bad('the file is cut off');
    // A copy: aligned, and independent of the file's buffer.
    return new Ctor(bytes.slice(from, from + length * Ctor.BYTES_PER_ELEMENT).buffer);
  };
  const layers = doc.layers.map((l): LayerIndexSnapshot => {
    if (typeof l.tensor !== 'string' || !isCount(l.channels) || l.channels < 1 || !isCount(l.k) || l.k < 1 || l.count !== end - start || !isCount(l.done) || l.done > l.count) {
      throw bad(`layer ${JSON.stringify(l.tensor)?.slice(0, 60)} does not fit the image range`);
    }
    const ranking = (r: StoredLayer['top'], order: 'top' | 'bottom'): RankingSnapshot => ({
      units: l.channels,
      k: l.k,
      order,
      values: read(r?.values, 'f64', l.channels * l.k) as Float64Array,
      indices: read(r?.indices, 'i32', l.channels * l.k) as Int32Array,
      sizes: read(r?.sizes, 'i32', l.channels) as Int32Array,
    });
    return {
      tensor: l.tensor,
      channels: l.channels,
      count: l.count,
      k: l.k,
      done: l.done,
      max: read(l.max, 'f32', l.count * l.channels) as Float32Array,
      mean: read(l.mean, 'f32', l.count * l.channels) as Float32Array,
      top: ranking(l.top, 'top'),
      bottom: ranking(l.bottom, 'bottom'),
    };
  });
  const header: IndexFileHeader = {
    schema: INDEX_FILE_SCHEMA,
    model: { name: String(doc.model.name ?? ''), sha256: doc.model.sha256 },
    dataset: { id: String(doc.dataset.id ?? ''), sha256: doc.dataset.sha256, count: doc.dataset.count },
    shard: { start, end },
    createdBy: String(doc.createdBy ?? ''),
  };
  return { header, layers };
}

/** Shifts a ranking's image indices by `by` (a shard's local positions to the dataset's). */
export function offsetRanking(r: RankingSnapshot, by: number): RankingSnapshot {
  return { ...r, values: r.values.slice(), sizes: r.sizes.slice(), indices: r.indices.map((i) => i + by) };
}

/**
 * Merges shards of one dataset (same model, dataset, layers and k; together covering every image
 * exactly once) into one file over the whole dataset. Tables are concatenated in image order and
 * rankings merged; the result equals indexing the dataset in one pass.
 */
export function mergeIndexFiles(files: readonly IndexFile[]): IndexFile {
  if (files.length === 0) throw new LabError('bad-request', 'Name at least one index file to merge.');
  const [first] = files;
  const { model, dataset } = first.header;
  for (const f of files) {
    if (f.header.model.sha256 !== model.sha256) throw new LabError('bad-request', 'The index files belong to different models.');
    if (f.header.dataset.sha256 !== dataset.sha256 || f.header.dataset.count !== dataset.count) {
      throw new LabError('bad-request', 'The index files belong to different datasets (shards must come from one dataset).');
    }
  }
  const shards = [...files].sort((a, b) => a.header.shard.start - b.header.shard.start);
  let next = 0;
  for (const s of shards) {
    if (s.header.shard.start !== next) {
      throw new LabError('bad-request', s.header.shard.start < next ? `Shards overlap at image ${s.header.shard.start}.` : `No shard covers images ${next}–${s.header.shard.start - 1}.`);
    }
    next = s.header.shard.end;
  }
  if (next !== dataset.count) throw new LabError('bad-request', `No shard covers images ${next}–${dataset.count - 1}.`);
  const tensors = first.layers.map((l) => l.tensor);
  // Every shard holds the same layers (a layer only some shards have would be dropped silently).
  const key = [...tensors].sort().join('\n');
  const odd = shards.find((s) => [...s.layers.map((l) => l.tensor)].sort().join('\n') !== key);
  if (odd) throw new LabError('bad-request', `The shard from image ${odd.header.shard.start} holds layers ${odd.layers.map((l) => l.tensor).join(', ')}, the others ${tensors.join(', ')}.`);
  const layers = tensors.map((tensor): LayerIndexSnapshot => {
    const parts = shards.map((s) => {
      const l = s.layers.find((x) => x.tensor === tensor);
      if (!l) throw new LabError('bad-request', `A shard lacks layer ${tensor}.`);
      if (l.done !== l.count) throw new LabError('bad-request', `The shard from image ${s.header.shard.start} of ${tensor} is incomplete (${l.done} of ${l.count}).`);
      return { l, start: s.header.shard.start };
    });
    const { channels, k } = parts[0].l;
    if (parts.some((p) => p.l.channels !== channels || p.l.k !== k)) throw new LabError('bad-request', `The shards of ${tensor} differ in units or k.`);
    const max = new Float32Array(dataset.count * channels);
    const mean = new Float32Array(dataset.count * channels);
    let top: UnitRanking | null = null;
    let bottom: UnitRanking | null = null;
    for (const { l, start } of parts) {
      max.set(l.max, start * channels);
      mean.set(l.mean, start * channels);
      // Rankings already name the dataset's images (global indices).
      const t = UnitRanking.restore(l.top);
      const b = UnitRanking.restore(l.bottom);
      top = top ? top.merge(t) : t;
      bottom = bottom ? bottom.merge(b) : b;
    }
    return { tensor, channels, count: dataset.count, k, done: dataset.count, max, mean, top: top!.snapshot(), bottom: bottom!.snapshot() };
  });
  return { header: { ...first.header, shard: { start: 0, end: dataset.count }, createdBy: first.header.createdBy }, layers };
}
