/**
 * A circuit's concept, from its source to images: a filter of the open built-in dataset, text
 * prompts drawn by the scene generator (seeded), or uploaded images; split into discovery and
 * held-out examples that never overlap by the engine's rule (the same as \`lab circuit\`'s), plus
 * the contrast set.
 */
import { LabError } from '../engine/errors';
import { FILTER_KEYS, type DatasetFilter, type SceneDataset } from '../engine/data/datasets';
import type { CircuitImages, CircuitSpec } from '../engine/circuits/types';
import type { SynthBanks } from '../engine/synth/banks';
import { render } from '../engine/synth/render';
import { hashSeed } from '../engine/synth/rng';
import { restOf, splitConcept } from '../engine/circuits/concept';
import { sceneFromText } from '../engine/synth/text';
import type { RawImage } from '../engine/types';

/** The most discovery (and held-out) examples a concept may have. */
export const MAX_CONCEPT_EXAMPLES = 64;
/** The most text prompts one concept takes. */
export const MAX_PROMPTS = 64;

export interface ConceptContext {
  /** The open built-in dataset (filters, the contrast), when there is one. */
  dataset: SceneDataset | null;
  banks: () => Promise<SynthBanks>;
  /** Uploaded images ('images' concepts). */
  uploads?: RawImage[];
  /** The model's class labels (a scene's class → its logit). */
  labels: readonly string[] | null;
}

export function describeFilter(filter: DatasetFilter): string {
  const parts = FILTER_KEYS.filter((k) => filter[k] !== undefined).map((k) => `${k}=${filter[k]}`);
  return parts.length ? parts.join(', ') : 'no filter (every scene)';
}

function checkCounts(spec: CircuitSpec): void {
  for (const [name, v] of [['examples', spec.examples], ['held-out examples', spec.heldOut]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_CONCEPT_EXAMPLES) {
      throw new LabError('bad-request', `The number of ${name} must be a whole number from 1 to ${MAX_CONCEPT_EXAMPLES} (got ${v}).`);
    }
  }
}

/** The model's class index of each facet class name, or undefined for all when one is unknown (as \`lab circuit\`). */
function labelsOf(indices: number[], ds: SceneDataset, labels: readonly string[] | null): number[] | undefined {
  const out = indices.map((i) => labels?.indexOf(ds.facets[i].class) ?? -1);
  return out.every((l) => l >= 0) ? out : undefined;
}

export async function resolveConcept(spec: CircuitSpec, ctx: ConceptContext): Promise<CircuitImages> {
  checkCounts(spec);
  const ds = ctx.dataset;
  const concept = spec.concept;
  if (concept.kind === 'filter') {
    if (!ds) throw new LabError('bad-request', 'A concept given by a filter needs the built-in scene dataset open (open it on the Dataset card), or give prompts or images instead.');
    // Exactly as \`lab circuit\` picks them (engine/circuits/concept), so the tab and the CLI agree.
    const matching = ds.filter(concept.filter);
    if (matching.length === 0) throw new LabError('bad-request', `The concept has no images: no scene of ${ds.info.id} passes ${describeFilter(concept.filter)}. Widen the filter.`);
    const pool = spec.contrast?.kind === 'filter' ? ds.filter(spec.contrast.filter) : restOf(ds.count, matching);
    const split = splitConcept(matching, pool, spec.examples, spec.heldOut);
    return {
      discovery: split.discovery.map((i) => ds.image(i)),
      heldOut: split.heldOut.map((i) => ds.image(i)),
      contrast: split.contrast.map((i) => ds.image(i)),
      heldOutLabels: labelsOf(split.heldOut, ds, ctx.labels),
      contrastLabels: labelsOf(split.contrast, ds, ctx.labels),
      indices: { discovery: split.discovery, heldOut: split.heldOut },
    };
  }
  // Prompts and uploads take their contrast from the open dataset, when there is one.
  const contrast = ds ? Array.from({ length: Math.min(ds.count, Math.max(spec.examples, spec.heldOut)) }, (_, i) => i) : [];
  const contrastImages = ds ? contrast.map((i) => ds.image(i)) : [];
  const contrastLabels = ds ? labelsOf(contrast, ds, ctx.labels) : undefined;
  if (concept.kind === 'prompts') {
    const prompts = concept.prompts.map((p) => p.trim()).filter((p) => p.length > 0);
    if (prompts.length === 0) throw new LabError('bad-request', 'The concept has no images: write at least one prompt.');
    if (prompts.length > MAX_PROMPTS) throw new LabError('bad-request', `A concept takes at most ${MAX_PROMPTS} prompts (got ${prompts.length}).`);
    const banks = await ctx.banks();
    const total = spec.examples + spec.heldOut;
    const images: RawImage[] = [];
    const labels: number[] = [];
    for (let i = 0; i < total; i++) {
      // Prompt i mod P with seed (seed, i): every image a fresh draw of what the text leaves open.
      const { spec: scene } = sceneFromText(prompts[i % prompts.length], banks, hashSeed(spec.seed, i));
      const r = render(scene, banks);
      images.push({ width: 64, height: 64, channels: 3, data: r.pixels });
      labels.push(r.attributes.classIndex);
    }
    return {
      discovery: images.slice(0, spec.examples),
      heldOut: images.slice(spec.examples),
      contrast: contrastImages,
      heldOutLabels: labels.slice(spec.examples),
      ...(contrastLabels ? { contrastLabels } : {}),
    };
  }
  const uploads = ctx.uploads ?? [];
  if (uploads.length === 0) throw new LabError('bad-request', 'The concept has no images: drop, paste or choose at least 2.');
  if (uploads.length === 1) throw new LabError('bad-request', 'The concept has one image; a circuit needs at least 2: one to discover from, one held out (add more).');
  const split = splitConcept(uploads.map((_, i) => i), [], spec.examples, spec.heldOut);
  return {
    discovery: split.discovery.map((i) => uploads[i]),
    heldOut: split.heldOut.map((i) => uploads[i]),
    contrast: contrastImages,
    ...(contrastLabels ? { contrastLabels } : {}),
  };
}

/** The logit of the concept's class when the concept is a filter naming a class the model has a label for; null otherwise. */
export function conceptClassLogit(concept: CircuitSpec['concept'], labels: readonly string[] | null): number | null {
  if (concept.kind !== 'filter' || !concept.filter.class || !labels) return null;
  const want = concept.filter.class.toLowerCase();
  const i = labels.findIndex((l) => l.toLowerCase() === want);
  return i >= 0 ? i : null;
}
