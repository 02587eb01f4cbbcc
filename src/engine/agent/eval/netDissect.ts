/**
 * The NetDissect-style baseline describer (Bau et al. 2017), on the exemplar view's scenes: a
 * unit's map is thresholded at its top 0.5% quantile over the dataset, each attribute is a
 * concept mask (item pixels of scenes with that class, colour or texture; background pixels of
 * scenes with that kind, from the generator's item masks), and the unit's label is the concept
 * with the largest IoU summed over the dataset. One concept per unit, by design of the method.
 */
import type { SceneDataset } from '../../data/datasets';
import type { LoadedModel } from '../../lab/loadedModel';
import type { SynthBanks } from '../../synth/banks';
import { render } from '../../synth/render';
import { BACKGROUND_KINDS, CANVAS, CLASSES, COLORS, TEXTURES } from '../../synth/vocabulary';
import { ACTIVATION_BATCH } from './activations';
import type { Attribute } from './groundTruth';
import { attributePhrase } from './phrases';

export const NETDISSECT_QUANTILE = 0.005;

export interface DissectLabel {
  unit: number;
  concept: Attribute;
  iou: number;
  description: string;
}

const CONCEPTS: Attribute[] = [
  ...CLASSES.map((v) => `class:${v}`),
  ...COLORS.map((v) => `color:${v}`),
  ...TEXTURES.map((v) => `texture:${v}`),
  ...BACKGROUND_KINDS.map((v) => `background:${v}`),
];

/** Item share > 0.5 per cell of an h×w grid over the 64×64 alpha mask. */
function itemCells(mask: Uint8Array, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const y0 = Math.floor((y * CANVAS) / h);
      const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * CANVAS) / h));
      const x0 = Math.floor((x * CANVAS) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * CANVAS) / w));
      let s = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += mask[yy * CANVAS + xx];
      out[y * w + x] = s / 255 / ((y1 - y0) * (x1 - x0)) > 0.5 ? 1 : 0;
    }
  return out;
}

/** The value at the top `q` quantile (the threshold T with P(a > T) ≈ q). */
function topQuantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((1 - q) * sorted.length))];
}

export async function netDissect(
  model: LoadedModel,
  layer: string,
  units: readonly number[],
  ds: SceneDataset,
  banks: SynthBanks,
  count: number,
  signal?: AbortSignal,
): Promise<DissectLabel[]> {
  const n = Math.min(count, ds.count);
  const maps = units.map(() => [] as Float32Array[]);
  const cells: Uint8Array[] = [];
  const concepts: Attribute[][] = [];
  let h = 0;
  let w = 0;
  for (let i = 0; i < n; i += ACTIVATION_BATCH) {
    const rendered = Array.from({ length: Math.min(ACTIVATION_BATCH, n - i) }, (_, j) => render(ds.scene(i + j).attributes.spec, banks));
    const out = await model.run({
      images: rendered.map((r) => ({ width: CANVAS, height: CANVAS, channels: 3 as const, data: r.pixels })),
      maps: units.map((unit) => ({ layer, unit })),
      signal,
    });
    units.forEach((u, k) => {
      const t = out.maps[`${layer}#${u}`];
      [, h, w] = t.dims;
      for (let j = 0; j < rendered.length; j++) maps[k].push(t.data.slice(j * h * w, (j + 1) * h * w));
    });
    for (const r of rendered) {
      cells.push(itemCells(r.mask, h, w));
      const a = r.attributes;
      concepts.push([`class:${a.class}`, `color:${a.color}`, `texture:${a.texture}`, `background:${a.background.kind}`]);
    }
  }
  return units.map((unit, k) => {
    const all = new Float32Array(n * h * w);
    maps[k].forEach((m, j) => all.set(m, j * h * w));
    const threshold = topQuantile(all, NETDISSECT_QUANTILE);
    // IoU over the dataset: Σ|M ∩ L_c| / Σ|M ∪ L_c|, with |M ∪ L_c| = |M| + |L_c| − |M ∩ L_c|
    const inter = new Map<Attribute, number>();
    const area = new Map<Attribute, number>();
    let active = 0;
    for (let j = 0; j < n; j++) {
      const m = maps[k][j];
      const item = cells[j];
      for (let c = 0; c < h * w; c++) {
        const on = m[c] > threshold;
        if (on) active++;
        for (const concept of concepts[j]) {
          if ((concept.startsWith('background:') ? item[c] === 0 : item[c] === 1) === false) continue;
          area.set(concept, (area.get(concept) ?? 0) + 1);
          if (on) inter.set(concept, (inter.get(concept) ?? 0) + 1);
        }
      }
    }
    let best: DissectLabel = { unit, concept: CONCEPTS[0], iou: -1, description: '' };
    for (const concept of CONCEPTS) {
      const i = inter.get(concept) ?? 0;
      const u = active + (area.get(concept) ?? 0) - i;
      const iou = u > 0 ? i / u : 0;
      if (iou > best.iou) best = { unit, concept, iou, description: attributePhrase([concept]) };
    }
    return best;
  });
}
