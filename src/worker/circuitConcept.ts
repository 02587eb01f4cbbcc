/**
 * A circuit's concept, from its source to images: a filter of the open built-in dataset, text
 * prompts drawn by the scene generator, or uploaded images; split into discovery and held-out
 * examples that never overlap, deterministically by the spec's seed (the same link, the same
 * images), plus the contrast set.
 */
import { LabError } from '../engine/errors';
import { FILTER_KEYS, type DatasetFilter, type SceneDataset } from '../engine/data/datasets';
import type { CircuitImages, CircuitSpec } from '../engine/circuits/types';
import type { SynthBanks } from '../engine/synth/banks';
import { render } from '../engine/synth/render';
import { Rng, hashSeed } from '../engine/synth/rng';
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
}

export function describeFilter(filter: DatasetFilter): string {
  const parts = FILTER_KEYS.filter((k) => filter[k] !== undefined).map((k) => `${k}=${filter[k]}`);
  return parts.length ? parts.join(', ') : 'no filter (every scene)';
}

/** A seeded permutation of `items` (Fisher–Yates). */
function shuffled<T>(items: readonly T[], seed: number, salt: number): T[] {
  const out = items.slice();
  const rng = new Rng(hashSeed(seed, salt));
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** How many of n candidates go to discovery and to held-out: as asked, halved when n is short. */
export function splitSizes(n: number, examples: number, heldOut: number): { discovery: number; heldOut: number } {
  if (n >= examples + heldOut) return { discovery: examples, heldOut };
  const discovery = Math.min(examples, Math.ceil(n / 2));
  return { discovery, heldOut: Math.min(heldOut, n - discovery) };
}

function checkCounts(spec: CircuitSpec): void {
  for (const [name, v] of [['examples', spec.examples], ['held-out examples', spec.heldOut]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_CONCEPT_EXAMPLES) {
      throw new LabError('bad-request', `The number of ${name} must be a whole number from 1 to ${MAX_CONCEPT_EXAMPLES} (got ${v}).`);
    }
  }
}

function tooFew(n: number, what: string): LabError {
  return n === 0
    ? new LabError('bad-request', `The concept has no images: ${what}. Widen the filter or add images.`)
    : new LabError('bad-request', `The concept has only one image (${what}); it needs at least 2: one to discover the circuit from, one held out to test it.`);
}

/** Contrast scenes: another filter's, or the rest of the dataset, without the concept's own. */
function contrastIndices(spec: CircuitSpec, ds: SceneDataset, exclude: ReadonlySet<number>): number[] {
  const from = spec.contrast?.kind === 'filter' ? ds.filter(spec.contrast.filter) : Array.from({ length: ds.count }, (_, i) => i);
  return shuffled(from.filter((i) => !exclude.has(i)), spec.seed, 0xc0a7).slice(0, spec.examples);
}

export async function resolveConcept(spec: CircuitSpec, ctx: ConceptContext): Promise<CircuitImages> {
  checkCounts(spec);
  const ds = ctx.dataset;
  const concept = spec.concept;
  if (concept.kind === 'filter') {
    if (!ds) throw new LabError('bad-request', 'A concept given by a filter needs the built-in scene dataset open (open it on the Dataset card), or give prompts or images instead.');
    const candidates = ds.filter(concept.filter);
    const what = `no scene of ${ds.info.id} passes ${describeFilter(concept.filter)}`;
    if (candidates.length < 2) throw tooFew(candidates.length, candidates.length === 0 ? what : `one scene passes ${describeFilter(concept.filter)}`);
    const sizes = splitSizes(candidates.length, spec.examples, spec.heldOut);
    const order = shuffled(candidates, spec.seed, 0xc1c0);
    const discovery = order.slice(0, sizes.discovery).sort((a, b) => a - b);
    const heldOut = order.slice(sizes.discovery, sizes.discovery + sizes.heldOut).sort((a, b) => a - b);
    const contrast = contrastIndices(spec, ds, new Set(candidates));
    return {
      discovery: discovery.map((i) => ds.image(i)),
      heldOut: heldOut.map((i) => ds.image(i)),
      contrast: contrast.map((i) => ds.image(i)),
      heldOutLabels: heldOut.map((i) => ds.scene(i).attributes.classIndex),
      indices: { discovery, heldOut },
    };
  }
  const contrastOf = (): RawImage[] => (ds ? contrastIndices(spec, ds, new Set()).map((i) => ds.image(i)) : []);
  if (concept.kind === 'prompts') {
    const prompts = concept.prompts.map((p) => p.trim()).filter((p) => p.length > 0);
    if (prompts.length === 0) throw tooFew(0, 'no prompt was given');
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
      contrast: contrastOf(),
      heldOutLabels: labels.slice(spec.examples),
    };
  }
  const uploads = ctx.uploads ?? [];
  if (uploads.length < 2) throw tooFew(uploads.length, uploads.length === 0 ? 'no image was uploaded' : 'one image was uploaded');
  const sizes = splitSizes(uploads.length, spec.examples, spec.heldOut);
  const order = shuffled(uploads.map((_, i) => i), spec.seed, 0xc1c0);
  return {
    discovery: order.slice(0, sizes.discovery).map((i) => uploads[i]),
    heldOut: order.slice(sizes.discovery, sizes.discovery + sizes.heldOut).map((i) => uploads[i]),
    contrast: contrastOf(),
  };
}

/** The logit of the concept's class when the concept is a filter naming a class the model has a label for; null otherwise. */
export function conceptClassLogit(concept: CircuitSpec['concept'], labels: readonly string[] | null): number | null {
  if (concept.kind !== 'filter' || !concept.filter.class || !labels) return null;
  const want = concept.filter.class.toLowerCase();
  const i = labels.findIndex((l) => l.toLowerCase() === want);
  return i >= 0 ? i : null;
}
