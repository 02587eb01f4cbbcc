/**
 * The worker's exemplar indexes: one LayerIndex per (model sha256, dataset sha256, layer), built
 * by indexing the open dataset through the loaded model, or given back from the page's cache.
 * Unit requests read them: statistics and rankings from the tables, images re-rendered, and the
 * open unit's activation maps from one probed run over its top and bottom exemplars.
 */
import type { SceneDataset } from '../engine/data/datasets';
import { ImageDataset, datasetPreprocess } from '../engine/data/imageDataset';
import type { ImageSource } from '../engine/exemplars/indexer';
import { LabError } from '../engine/errors';
import { baseRates, conceptAssociation, describeUnit, regionBoxIoU, topLabels, type BaseRates } from '../engine/exemplars/concepts';
import { unitGrid } from '../engine/exemplars/grid';
import { indexDataset } from '../engine/exemplars/indexer';
import { LayerIndex, type LayerIndexSnapshot } from '../engine/exemplars/layerIndex';
import { DEFAULT_THRESHOLD, mapRange, thresholdFor, upsampleBilinear } from '../engine/exemplars/maps';
import { sceneSource } from '../engine/exemplars/sceneSource';
import type { LoadedModel } from '../engine/lab/loadedModel';
import type { Layer } from '../engine/types';
import type { EngineResponseBody, ExemplarItem, GridEntry, IndexedLayer, Progress, UnitExemplars } from './protocol';
import { hasMap } from '../engine/onnx/tokens';

export const DEFAULT_K = 15;
/** Images per probed run while indexing. */
export const INDEX_BATCH = 64;
/** Bins of the unit histogram in a unit view (the grid's sparklines have 16). */
export const UNIT_BINS = 32;
/** (model, dataset) pairs whose indexes are kept; older ones are dropped. */
const KEEP_PAIRS = 2;

type Body<K extends EngineResponseBody['kind']> = Extract<EngineResponseBody, { kind: K }>;

/** The datasets exemplars are indexed over: built-in scenes, or a folder / manifest of images. */
type AnyDataset = SceneDataset | ImageDataset;

function sourceOf(ds: AnyDataset): ImageSource {
  return ds instanceof ImageDataset ? ds.source() : sceneSource(ds);
}

/** Facets of image i: the scene's attributes and box, or an image's label (no box). */
function facetsOf(ds: AnyDataset, i: number): ExemplarItem['facets'] {
  if (ds instanceof ImageDataset) return { class: ds.labels[i] ?? '', color: '', texture: '', background: '', bbox: null };
  const a = ds.scene(i).attributes;
  return { class: a.class, color: a.color, texture: a.texture, background: a.background.kind, bbox: a.bbox };
}

/** The normalisation for runs over `ds` (an image dataset's mean/std override, else the model's). */
function preprocessFor(model: LoadedModel, ds: AnyDataset) {
  return ds instanceof ImageDataset ? datasetPreprocess(model.summary.preprocess, ds.info.prep) : undefined;
}

/** Associations with a value (an image dataset has only labels; its other facets are empty). */
const withValue = <T extends { value: string }>(list: T[]): T[] => list.filter((a) => a.value !== '');

function describe(index: LayerIndex): IndexedLayer {
  return { layer: index.tensor, channels: index.channels, count: index.count, done: index.done, k: index.k };
}

export class ExemplarHost {
  /** `${model sha}|${dataset sha}` → layer tensor → index (the resume map of indexDataset). */
  private readonly pairs = new Map<string, Map<string, LayerIndex>>();
  private readonly rates = new WeakMap<AnyDataset, BaseRates>();

  private layersOf(model: LoadedModel, ds: AnyDataset): Map<string, LayerIndex> {
    const key = `${model.summary.sha256}|${ds.info.sha256}`;
    let layers = this.pairs.get(key);
    if (layers) {
      this.pairs.delete(key);
    } else {
      layers = new Map();
    }
    this.pairs.set(key, layers);
    while (this.pairs.size > KEEP_PAIRS) this.pairs.delete(this.pairs.keys().next().value!);
    return layers;
  }

  /** The indexes kept for (model, dataset), by layer tensor: the agent's exemplar source reads and fills them. */
  indexesOf(model: LoadedModel, ds: SceneDataset): Map<string, LayerIndex> {
    return this.layersOf(model, ds);
  }

  private layer(model: LoadedModel, tensor: string): Layer {
    const layer = model.summary.layers.find((l) => l.tensor === tensor);
    if (!layer) throw new LabError('bad-request', `Unknown layer "${tensor.slice(0, 120)}" in ${model.summary.name}.`);
    return layer;
  }

  /**
   * The complete index of a layer (or, when `partial`, one with at least one chunk indexed: the
   * exemplars of the images seen so far), else a bad-request error that says it is not indexed.
   */
  private complete(model: LoadedModel, ds: AnyDataset, tensor: string, partial = false): LayerIndex {
    const layer = this.layer(model, tensor);
    const index = this.layersOf(model, ds).get(tensor);
    if (!index || index.done < (partial ? 1 : index.count)) {
      throw new LabError('bad-request', `${layer.label} is not indexed over ${ds.info.id} yet (index it first).`);
    }
    return index;
  }

  async index(
    model: LoadedModel,
    ds: AnyDataset,
    request: { layers: string[]; k?: number; chunk?: number },
    signal: AbortSignal,
    progress: (p: Progress) => void,
  ): Promise<Body<'indexExemplars'>> {
    const k = request.k ?? DEFAULT_K;
    if (!Number.isInteger(k) || k < 1 || k > 100) throw new LabError('bad-request', `k must be a whole number from 1 to 100 (got ${k}).`);
    const chunk = request.chunk ?? Infinity;
    if (chunk !== Infinity && (!Number.isInteger(chunk) || chunk < 1)) throw new LabError('bad-request', `chunk must be a whole number ≥ 1 (got ${chunk}).`);
    if (!Array.isArray(request.layers) || request.layers.length === 0) throw new LabError('bad-request', 'Name at least one layer to index.');
    request.layers.forEach((t) => this.layer(model, t));
    const layers = this.layersOf(model, ds);
    const t0 = performance.now();
    const ready = request.layers.map((t) => layers.get(t));
    const head = { modelSha256: model.summary.sha256, datasetSha256: ds.info.sha256 };
    if (ready.every((i) => i && i.k === k && i.count === ds.count && i.done === i.count)) {
      return { kind: 'indexExemplars', ...head, layers: ready.map((i) => describe(i!)), skipped: [], resumedFrom: ds.count, instant: true, ms: 0 };
    }
    const starts = ready.map((i) => (i && i.k === k && i.count === ds.count ? i.done : 0));
    const resumedFrom = starts.every((s) => s === starts[0]) ? starts[0] : 0;
    const label = request.layers.length === 1 ? this.layer(model, request.layers[0]).label : `${request.layers.length} layers`;
    const noun = ds instanceof ImageDataset ? 'images' : 'scenes';
    progress({ stage: 'index', fraction: resumedFrom / ds.count, message: `Indexing ${label} over ${ds.count} ${noun}…` });
    const result = await indexDataset(model, sourceOf(ds), {
      preprocess: preprocessFor(model, ds),
      layers: request.layers,
      k,
      batch: INDEX_BATCH,
      // A chunk ends where it ends; the rest stays in `layers` for the next request.
      end: Math.min(...starts) + chunk,
      signal,
      resume: layers,
      onProgress: (p) =>
        progress({
          stage: 'index',
          fraction: p.total ? p.done / p.total : null,
          message: `Indexing ${label}: ${p.done} of ${p.total} ${noun}`,
          index: p,
        }),
    });
    return {
      kind: 'indexExemplars',
      ...head,
      layers: request.layers.map((t) => describe(result.layers.get(t)!)),
      skipped: result.skipped,
      resumedFrom,
      instant: false,
      ms: performance.now() - t0,
    };
  }

  private baseRates(ds: AnyDataset): BaseRates {
    let r = this.rates.get(ds);
    if (!r) {
      r = baseRates(ds.facets);
      this.rates.set(ds, r);
    }
    return r;
  }

  async unit(
    model: LoadedModel,
    ds: AnyDataset,
    request: { layer: string; unit: number; k?: number; partial?: boolean },
    signal: AbortSignal,
  ): Promise<UnitExemplars> {
    const layer = this.layer(model, request.layer);
    const index = this.complete(model, ds, request.layer, request.partial);
    const { unit } = request;
    if (!Number.isInteger(unit) || unit < 0 || unit >= layer.channels) {
      throw new LabError('bad-request', `Unit ${unit} is out of range for ${layer.label} (0..${layer.channels - 1}).`);
    }
    const k = Math.min(index.k, request.k ?? index.k);
    if (!Number.isInteger(k) || k < 1) throw new LabError('bad-request', `k must be a whole number ≥ 1 (got ${request.k}).`);
    const stats = index.stats(unit, UNIT_BINS);
    const top = stats.top.slice(0, k);
    const bottom = stats.bottom.slice(0, k);
    const ranked = [...top, ...bottom];
    const images = ranked.map((r) => ds.image(r.index));
    const spatial = hasMap(layer);
    const run = spatial && ranked.length ? await model.run({ images, maps: [{ layer: layer.tensor, unit }], signal, preprocess: preprocessFor(model, ds) }) : null;
    const maps = run ? run.maps[`${layer.tensor}#${unit}`] : null;
    const cls = run?.classTokens?.[`${layer.tensor}#${unit}`];
    const [h, w] = maps ? maps.dims.slice(1) : [0, 0];
    const items: ExemplarItem[] = ranked.map((r, i) => ({
      index: r.index,
      value: r.value,
      image: images[i],
      map: maps ? { dims: [h, w], data: maps.data.slice(i * h * w, (i + 1) * h * w) } : null,
      ...(cls ? { classToken: Array.from(cls.data.subarray(i * cls.dims[1], (i + 1) * cls.dims[1])) } : {}),
      facets: facetsOf(ds, r.index),
    }));
    const topItems = items.slice(0, top.length);
    const concepts = withValue(conceptAssociation(ds.facets, top.map((r) => r.index), this.baseRates(ds)));
    const labels = topLabels(concepts);
    let iou: number | null = null;
    // Images of a folder or manifest have no item box to overlap with.
    if (maps && topItems.length && !(ds instanceof ImageDataset)) {
      const ious = topItems.map((it) => {
        const up = upsampleBilinear(it.map!.data, h, w, it.image.height, it.image.width);
        return regionBoxIoU(up, it.image.width, it.image.height, thresholdFor(DEFAULT_THRESHOLD, mapRange(up).max), it.facets!.bbox);
      });
      iou = ious.reduce((a, b) => a + b, 0) / ious.length;
    }
    return {
      modelSha256: model.summary.sha256,
      datasetSha256: ds.info.sha256,
      layer: layer.tensor,
      unit,
      done: index.done,
      count: index.count,
      stats,
      top: topItems,
      bottom: items.slice(top.length),
      concepts: concepts.slice(0, 12),
      labels,
      iou,
      description: describeUnit(labels, iou),
    };
  }

  grid(model: LoadedModel, ds: AnyDataset, tensor: string, partial = false): Body<'unitGrid'> {
    const index = this.complete(model, ds, tensor, partial);
    const rates = this.baseRates(ds);
    const units: GridEntry[] = unitGrid(index, 16).map((u) => {
      const top = index.top.ranked(u.unit).map((r) => r.index);
      const assoc = withValue(conceptAssociation(ds.facets, top, rates));
      const labels = topLabels(assoc);
      return { ...u, label: labels.length ? describeUnit(labels) : null, conceptZ: assoc[0]?.z ?? 0 };
    });
    const best = [...new Set(units.flatMap((u) => (u.best ? [u.best.index] : [])))];
    return { kind: 'unitGrid', layer: tensor, done: index.done, count: index.count, units, thumbs: best.map((i) => ({ index: i, image: ds.image(i) })) };
  }

  export(model: LoadedModel, ds: AnyDataset, tensor: string): Body<'exportIndex'> {
    const index = this.complete(model, ds, tensor);
    return { kind: 'exportIndex', modelSha256: model.summary.sha256, datasetSha256: ds.info.sha256, index: index.snapshot() };
  }

  import(model: LoadedModel, ds: AnyDataset, request: { modelSha256: string; datasetSha256: string; index: LayerIndexSnapshot }): Body<'importIndex'> {
    if (request.modelSha256 !== model.summary.sha256) throw new LabError('bad-request', 'The cached index belongs to another model.');
    if (request.datasetSha256 !== ds.info.sha256) throw new LabError('bad-request', 'The cached index belongs to another dataset.');
    const layer = this.layer(model, String(request.index?.tensor));
    let index: LayerIndex;
    try {
      index = LayerIndex.restore(request.index);
    } catch (err) {
      throw new LabError('bad-request', `The cached index cannot be used: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (index.channels !== layer.channels || index.count !== ds.count) {
      throw new LabError('bad-request', `The cached index of ${layer.label} does not fit (${index.channels} units × ${index.count} images).`);
    }
    this.layersOf(model, ds).set(layer.tensor, index);
    return { kind: 'importIndex', layer: describe(index) };
  }
}

/** The buffers of an index snapshot (its tables and rankings), to move it between page and worker. */
export function snapshotBuffers(i: LayerIndexSnapshot): ArrayBuffer[] {
  const out = [i.max.buffer, i.mean.buffer];
  for (const r of [i.top, i.bottom]) out.push(r.values.buffer, r.indices.buffer, r.sizes.buffer);
  // A buffer listed twice cannot be transferred: keep each once.
  return [...new Set(out as ArrayBuffer[])];
}

/** Buffers an exemplar answer owns alone (moved to the page instead of copied). */
export function exemplarTransferables(body: EngineResponseBody): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (body.kind === 'unitExemplars') {
    for (const it of [...body.exemplars.top, ...body.exemplars.bottom]) {
      out.push(it.image.data.buffer as ArrayBuffer);
      if (it.map) out.push(it.map.data.buffer as ArrayBuffer);
    }
  } else if (body.kind === 'unitGrid') {
    for (const t of body.thumbs) out.push(t.image.data.buffer as ArrayBuffer);
  } else if (body.kind === 'exportIndex') {
    out.push(...snapshotBuffers(body.index));
  }
  // A buffer listed twice cannot be transferred: keep each once.
  return [...new Set(out)];
}
