/**
 * MAIA's spurious-feature removal on `scenes-spurious`. The agent's tools decide, per unit of the
 * last feature layer, whether it follows the item or the background: text2image draws each class
 * on its paired (shortcut) background, edit_images swaps the background and keeps the item, and
 * swaps the item and keeps the background; every unit's activation (spatial max, call_unit's
 * value) is read on all images in one pass per batch. A unit whose activation moves more under
 * item swaps than under background swaps is kept. Then a seeded L2 logistic regression on the
 * kept units' spatial means over a small balanced set (`perClass` per class) is scored on the
 * balanced test scenes against all units, random subsets of the same size, ℓ1-selected units of
 * the same size, and a reference model (scenes-balanced) with all its units.
 */
import type { SceneDataset } from '../../data/datasets';
import { LabError } from '../../errors';
import type { LoadedModel } from '../../lab/loadedModel';
import type { SynthBanks } from '../../synth/banks';
import { SPURIOUS_MAP } from '../../synth/policy';
import { Rng, hashSeed } from '../../synth/rng';
import { CLASSES, type ClassName } from '../../synth/vocabulary';
import type { RawImage } from '../../types';
import { ImageStore } from '../imageStore';
import { editImages } from '../tools/editImages';
import { text2image } from '../tools/text2image';
import type { ToolContext } from '../tools/context';
import { backgroundGroup, batches, scores, type Scores } from './groups';
import { fitLogistic, l1Path, predict, selectColumns, type Design } from './logistic';

export interface UnitEvidence {
  unit: number;
  /** Mean |Δ activation| over background swaps (item kept) and item swaps (background kept). */
  backgroundEffect: number;
  itemEffect: number;
  /** Mean activation on the probes (the originals). */
  meanActivation: number;
  verdict: 'item' | 'background';
}

export interface ProbeOptions {
  model: LoadedModel;
  banks: SynthBanks;
  layer: string;
  seed: number;
  /** text2image samples per class (each on its paired background). */
  samples?: number;
  /** Background and item swaps per probe. */
  swaps?: number;
  signal?: AbortSignal;
}

/** "on a gradient background" / "on foliage": the scene grammar's words for a background kind. */
function backgroundWords(kind: string): string {
  return ['solid', 'gradient', 'stripes', 'dots', 'noise'].includes(kind) ? `a ${kind} background` : kind;
}

/** Every unit's spatial max on each image: [n, C]. */
async function unitMaxima(model: LoadedModel, layer: string, images: RawImage[], signal?: AbortSignal): Promise<{ data: Float32Array; channels: number }> {
  const C = model.summary.layers.find((l) => l.tensor === layer)?.channels;
  if (!C) throw new LabError('bad-request', `Unknown layer "${layer}".`);
  const data = new Float32Array(images.length * C);
  for (let s = 0; s < images.length; s += 64) {
    const r = await model.run({ images: images.slice(s, s + 64), layers: [layer], ...(signal ? { signal } : {}) });
    data.set(r.stats[layer].max.data, s * C);
  }
  return { data, channels: C };
}

/** The experiment's probes and edits through the agent's tools, then a verdict per unit. */
export async function classifyUnits(opts: ProbeOptions): Promise<{ units: UnitEvidence[]; images: number; toolCalls: number }> {
  const samples = opts.samples ?? 3;
  const swaps = opts.swaps ?? 3;
  const images = new ImageStore();
  // The tools' own subject is the first logit (cheap); all units are read from the same images below.
  const ctx: ToolContext = { model: opts.model, subject: { kind: 'logit', index: 0 }, banks: opts.banks, images, seed: opts.seed, ...(opts.signal ? { signal: opts.signal } : {}) };
  const rng = new Rng(hashSeed(opts.seed, 0x5e0));
  const pairs: Array<{ original: string; edited: string; kind: 'background' | 'item' }> = [];
  let toolCalls = 0;
  for (const cls of CLASSES) {
    const made = await text2image.run({ prompts: [`${cls} on ${backgroundWords(SPURIOUS_MAP[cls])}`], samples }, ctx);
    toolCalls++;
    const ids = (made.data as { images: Array<{ image: string }> }).images.map((r) => r.image);
    // other classes and their paired backgrounds: a swap moves the scene towards another class's cue
    const others = CLASSES.filter((c) => c !== cls);
    const picked: ClassName[] = [];
    while (picked.length < swaps) {
      const c = others[rng.int(others.length)];
      if (!picked.includes(c)) picked.push(c);
    }
    const instructions = [
      ...picked.map((c) => ({ kind: 'background' as const, text: `replace the background with ${backgroundWords(SPURIOUS_MAP[c])}` })),
      ...picked.map((c) => ({ kind: 'item' as const, text: `make it a ${c}` })),
    ];
    const edited = await editImages.run({ images: ids, instructions: instructions.map((i) => i.text) }, ctx);
    toolCalls++;
    for (const row of (edited.data as { results: Array<{ source: string; instruction: string; image: string }> }).results) {
      pairs.push({ original: row.source, edited: row.image, kind: instructions.find((i) => i.text === row.instruction)!.kind });
    }
  }
  const ids = [...new Set(pairs.flatMap((p) => [p.original, p.edited]))];
  const at = new Map(ids.map((id, i) => [id, i]));
  const pixels = await Promise.all(ids.map((id) => images.pixelsOf(id)));
  const { data, channels: C } = await unitMaxima(opts.model, opts.layer, pixels, opts.signal);
  const originals = [...new Set(pairs.map((p) => p.original))];
  const units: UnitEvidence[] = [];
  for (let u = 0; u < C; u++) {
    const effect = { background: { sum: 0, n: 0 }, item: { sum: 0, n: 0 } };
    for (const p of pairs) {
      const e = effect[p.kind];
      e.sum += Math.abs(data[at.get(p.edited)! * C + u] - data[at.get(p.original)! * C + u]);
      e.n++;
    }
    const backgroundEffect = effect.background.sum / effect.background.n;
    const itemEffect = effect.item.sum / effect.item.n;
    const meanActivation = originals.reduce((a, id) => a + data[at.get(id)! * C + u], 0) / originals.length;
    units.push({ unit: u, backgroundEffect, itemEffect, meanActivation, verdict: itemEffect > backgroundEffect ? 'item' : 'background' });
  }
  return { units, images: ids.length, toolCalls };
}

/** Spatial means (what the classifier's pooled head reads) of every unit of a layer over dataset scenes: [n, C]. */
export async function layerMeans(model: LoadedModel, layer: string, ds: SceneDataset, indices: readonly number[], signal?: AbortSignal): Promise<{ x: Float64Array; channels: number }> {
  const C = model.summary.layers.find((l) => l.tensor === layer)!.channels;
  const x = new Float64Array(indices.length * C);
  for (const { start, images } of batches(ds, indices)) {
    const r = await model.run({ images, layers: [layer], ...(signal ? { signal } : {}) });
    x.set(r.stats[layer].mean.data, start * C);
  }
  return { x, channels: C };
}

/** A balanced training set (`perClass` of each class, the first in a seeded shuffle) and the rest of `pool` as the test set. */
export function splitBalanced(ds: SceneDataset, pool: readonly number[], perClass: number, seed: number): { train: number[]; test: number[] } {
  const order = [...pool];
  const rng = new Rng(hashSeed(seed, 0x7a1));
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const taken = new Map<string, number>();
  const train: number[] = [];
  const inTrain = new Set<number>();
  for (const i of order) {
    const c = ds.facets[i].class;
    if ((taken.get(c) ?? 0) < perClass) {
      taken.set(c, (taken.get(c) ?? 0) + 1);
      train.push(i);
      inTrain.add(i);
    }
  }
  if (train.length < perClass * CLASSES.length) throw new LabError('bad-request', `The pool has fewer than ${perClass} scenes of some class.`);
  return { train: train.sort((a, b) => a - b), test: pool.filter((i) => !inTrain.has(i)) };
}

export interface Features {
  train: Float64Array;
  test: Float64Array;
  channels: number;
  yTrain: Int32Array;
  yTest: Int32Array;
  groups: string[];
}

/** The regression on the chosen units: fit on the training rows, scored on the test rows. */
export function probe(f: Features, units: readonly number[]): Scores {
  const nTr = f.yTrain.length;
  const nTe = f.yTest.length;
  const design: Design = { x: selectColumns(f.train, nTr, f.channels, units), n: nTr, d: units.length, y: f.yTrain, classes: CLASSES.length };
  const fit = fitLogistic(design);
  return scores(predict(fit, selectColumns(f.test, nTe, f.channels, units), nTe), f.yTest, f.groups, CLASSES.length);
}

export async function features(model: LoadedModel, layer: string, ds: SceneDataset, split: { train: number[]; test: number[] }, signal?: AbortSignal): Promise<Features> {
  const label = (i: number) => CLASSES.indexOf(ds.facets[i].class as ClassName);
  const tr = await layerMeans(model, layer, ds, split.train, signal);
  const te = await layerMeans(model, layer, ds, split.test, signal);
  return {
    train: tr.x,
    test: te.x,
    channels: tr.channels,
    yTrain: Int32Array.from(split.train, label),
    yTest: Int32Array.from(split.test, label),
    groups: split.test.map((i) => backgroundGroup(ds, i)),
  };
}

export interface Summary {
  mean: number;
  sd: number;
}

const summary = (v: number[]): Summary => {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, sd: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1)) };
};

export interface SpuriousReport {
  schema: 'lab.agent-eval.spurious/1';
  layer: string;
  seed: number;
  perClass: number;
  test: number;
  probes: { images: number; toolCalls: number; ms: number };
  units: UnitEvidence[];
  kept: number[];
  rows: {
    kept: Scores;
    all: Scores & { units: number };
    random: { balancedAccuracy: Summary; worstGroup: Summary; draws: number };
    l1: Scores & { units: number[] };
    reference?: Scores & { model: string; units: number };
  };
  ms: number;
}

export interface SpuriousOptions extends ProbeOptions {
  dataset: SceneDataset;
  /** Scenes of the dataset the experiment uses (default: all). */
  pool?: number[];
  perClass?: number;
  randomDraws?: number;
  reference?: { model: LoadedModel; layer: string; name: string };
  onStage?: (stage: string) => void;
}

export async function spuriousRemoval(opts: SpuriousOptions): Promise<SpuriousReport> {
  const t0 = performance.now();
  const perClass = opts.perClass ?? 50;
  opts.onStage?.('probing units with text2image and edit_images');
  const probed = await classifyUnits(opts);
  const tProbe = performance.now() - t0;
  const kept = probed.units.filter((u) => u.verdict === 'item').map((u) => u.unit);
  if (kept.length === 0) throw new LabError('bad-request', 'No unit of the layer was found item-selective; nothing to keep.');
  const pool = opts.pool ?? [...Array(opts.dataset.count).keys()];
  const split = splitBalanced(opts.dataset, pool, perClass, opts.seed);
  opts.onStage?.(`features of ${split.train.length} training and ${split.test.length} test scenes`);
  const f = await features(opts.model, opts.layer, opts.dataset, split, opts.signal);
  opts.onStage?.('regressions');
  const all = [...Array(f.channels).keys()];
  const rng = new Rng(hashSeed(opts.seed, 0x4a2d));
  const draws = opts.randomDraws ?? 5;
  const randomScores: Scores[] = [];
  for (let d = 0; d < draws; d++) {
    const shuffled = [...all];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    randomScores.push(probe(f, shuffled.slice(0, kept.length).sort((a, b) => a - b)));
  }
  const l1Units = l1Path({ x: f.train, n: f.yTrain.length, d: f.channels, y: f.yTrain, classes: CLASSES.length }, kept.length);
  let reference: SpuriousReport['rows']['reference'];
  if (opts.reference) {
    opts.onStage?.(`reference ${opts.reference.name}`);
    const rf = await features(opts.reference.model, opts.reference.layer, opts.dataset, split, opts.signal);
    reference = { ...probe(rf, [...Array(rf.channels).keys()]), model: opts.reference.name, units: rf.channels };
  }
  return {
    schema: 'lab.agent-eval.spurious/1',
    layer: opts.layer,
    seed: opts.seed,
    perClass,
    test: split.test.length,
    probes: { images: probed.images, toolCalls: probed.toolCalls, ms: Math.round(tProbe) },
    units: probed.units,
    kept,
    rows: {
      kept: probe(f, kept),
      all: { ...probe(f, all), units: all.length },
      random: { balancedAccuracy: summary(randomScores.map((s) => s.balancedAccuracy)), worstGroup: summary(randomScores.map((s) => s.worstGroup.accuracy)), draws },
      l1: { ...probe(f, l1Units), units: [...l1Units].sort((a, b) => a - b) },
      ...(reference ? { reference } : {}),
    },
    ms: Math.round(performance.now() - t0),
  };
}

/** The last layer with a spatial map larger than 1×1 (the feature layer the pooled head reads, not the pool itself). */
export function lastFeatureLayer(model: LoadedModel): string {
  const maps = model.summary.layers.filter((l) => l.shape.length === 4 && !l.tokens && Number(l.shape[2]) * Number(l.shape[3]) > 1);
  if (!maps.length) throw new LabError('bad-request', `${model.summary.name} has no layer with a spatial map.`);
  return maps[maps.length - 1].tensor;
}
