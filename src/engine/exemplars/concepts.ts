/**
 * Concept association for a unit over a labelled dataset: which attribute values (class, colour,
 * texture, background kind) are over-represented among its top exemplars against the dataset's
 * base rate, and (NetDissect-style) how well its thresholded map overlaps the item's box. The
 * strongest labels make an automatic first description ("red · sneaker · stripes (IoU 0.41)").
 */
import type { SceneFacets } from '../data/datasets';
import { regionMask } from './maps';

export const CONCEPT_KEYS = ['class', 'color', 'texture', 'background'] as const;
export type ConceptKey = (typeof CONCEPT_KEYS)[number];

export interface Association {
  key: ConceptKey;
  value: string;
  /** Top exemplars having this value. */
  count: number;
  /** count / number of top exemplars. */
  precision: number;
  /** Share of the whole dataset having this value. */
  baseRate: number;
  /** precision / baseRate. */
  lift: number;
  /**
   * How unlikely `count` is under the base rate, in binomial standard deviations:
   * (count − k·p) / sqrt(k·p·(1−p)). Ranks associations by strength and evidence together.
   */
  z: number;
}

function valueOf(f: SceneFacets, key: ConceptKey): string {
  return key === 'background' ? f.background.kind : f[key];
}

/** Base rates per key and value over a dataset's facets (computed once per dataset). */
export type BaseRates = Record<ConceptKey, Map<string, number>>;

export function baseRates(facets: readonly SceneFacets[]): BaseRates {
  const out = Object.fromEntries(CONCEPT_KEYS.map((k) => [k, new Map<string, number>()])) as BaseRates;
  for (const f of facets) for (const k of CONCEPT_KEYS) out[k].set(valueOf(f, k), (out[k].get(valueOf(f, k)) ?? 0) + 1);
  const n = Math.max(1, facets.length);
  for (const k of CONCEPT_KEYS) for (const [v, c] of out[k]) out[k].set(v, c / n);
  return out;
}

/**
 * Every attribute value present among the top exemplars (`top`: dataset indices), strongest first
 * (by z, then lift). `rates` defaults to the base rates of `facets`.
 */
export function conceptAssociation(facets: readonly SceneFacets[], top: readonly number[], rates: BaseRates = baseRates(facets)): Association[] {
  const k = top.length;
  if (k === 0) return [];
  const out: Association[] = [];
  for (const key of CONCEPT_KEYS) {
    const counts = new Map<string, number>();
    for (const i of top) {
      const f = facets[i];
      if (!f) throw new Error(`No facets for image ${i}.`);
      counts.set(valueOf(f, key), (counts.get(valueOf(f, key)) ?? 0) + 1);
    }
    for (const [value, count] of counts) {
      const p = rates[key].get(value) ?? 0;
      const precision = count / k;
      const sd = Math.sqrt(k * p * (1 - p));
      out.push({
        key,
        value,
        count,
        precision,
        baseRate: p,
        lift: p > 0 ? precision / p : Infinity,
        z: sd > 0 ? (count - k * p) / sd : count > k * p ? Infinity : 0,
      });
    }
  }
  return out.sort((a, b) => b.z - a.z || b.lift - a.lift || (a.key < b.key ? -1 : a.key > b.key ? 1 : a.value < b.value ? -1 : 1));
}

/** When an association counts as a label of the unit. */
export interface LabelRule {
  /** Least z (default 3). */
  minZ?: number;
  /** Least lift (default 1.5). */
  minLift?: number;
  /** Least share of the top exemplars (default 0.3). */
  minPrecision?: number;
  /** At most this many labels (default 3), at most one per key. */
  max?: number;
}

/** The strongest associations that pass the rule, one per key, strongest first. */
export function topLabels(assoc: readonly Association[], rule: LabelRule = {}): Association[] {
  const { minZ = 3, minLift = 1.5, minPrecision = 0.3, max = 3 } = rule;
  const out: Association[] = [];
  for (const a of assoc) {
    if (out.length >= max) break;
    if (a.z < minZ || a.lift < minLift || a.precision < minPrecision) continue;
    if (out.some((o) => o.key === a.key)) continue;
    out.push(a);
  }
  return out;
}

/**
 * Intersection over union of the region where the map exceeds `threshold` and the half-open box
 * [x0, y0, x1, y1) on a width×height grid (the map already upsampled to the image). A missing box
 * counts as empty; two empty sets give 0.
 */
export function regionBoxIoU(
  map: ArrayLike<number>,
  width: number,
  height: number,
  threshold: number,
  box: readonly [number, number, number, number] | null,
): number {
  if (map.length !== width * height) throw new Error(`The map has ${map.length} values, not ${width}×${height}.`);
  const region = regionMask(map, threshold);
  let inter = 0;
  let regionArea = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const r = region[y * width + x];
      regionArea += r;
      if (r && box && x >= box[0] && x < box[2] && y >= box[1] && y < box[3]) inter++;
    }
  }
  const boxArea = box ? Math.max(0, Math.min(box[2], width) - Math.max(box[0], 0)) * Math.max(0, Math.min(box[3], height) - Math.max(box[1], 0)) : 0;
  const union = regionArea + boxArea - inter;
  return union > 0 ? inter / union : 0;
}

/** A label as words: the value itself, a background kind as "on <kind>" (texture "stripes" ≠ background "stripes"). */
export function labelText(a: Pick<Association, 'key' | 'value'>): string {
  return a.key === 'background' ? `on ${a.value}` : a.value;
}

/** The unit's first description line: its labels joined by " · ", then the mean IoU when known. */
export function describeUnit(labels: readonly Association[], iou: number | null = null): string {
  const text = labels.length ? labels.map(labelText).join(' · ') : 'no attribute stands out';
  return iou === null || Number.isNaN(iou) ? text : `${text} (IoU ${iou.toFixed(2)})`;
}
