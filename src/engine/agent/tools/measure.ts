/**
 * The unit's response to images, shared by every tool that shows the model an activation: the
 * spatial max of the unit's map (MAIA's score) or the class logit, the map itself, and MAIA's
 * masked image (outside the region above the threshold dimmed to 25%).
 */
import { DEFAULT_THRESHOLD, maskImage, mapRange, thresholdFor, upsampleBilinear } from '../../exemplars/maps';
import type { RawImage } from '../../types';
import type { ImageMeta } from '../imageStore';
import type { AgentSubject, StoredImage } from '../types';
import { syntheticValue } from '../synthetic';
import { ToolError, type ToolContext } from './context';
import type { SceneFacts } from './scene';

export interface Response {
  value: number;
  /** The unit's [h, w] map (none for a logit). */
  map?: { h: number; w: number; data: number[] };
}

const BATCH = 32;

/** The subject's layer tensor and channel (a logit is a channel of the output). */
export function subjectTarget(ctx: Pick<ToolContext, 'model' | 'subject'>): { layer: string; unit: number } {
  const s: AgentSubject = ctx.subject;
  return s.kind === 'unit' ? { layer: s.layer, unit: s.unit } : { layer: ctx.model.summary.outputs[0].name, unit: s.index };
}

/** The subject's response to each image; `scenes` gives the images' scene facts where known (a synthetic unit needs them). */
export async function respond(ctx: ToolContext, images: RawImage[], scenes: ReadonlyArray<SceneFacts | undefined> = []): Promise<Response[]> {
  if (ctx.synthetic) {
    const unit = ctx.synthetic;
    return images.map((_, i) => {
      const s = scenes[i];
      if (!s) throw new ToolError('This synthetic unit responds only to scene images (generated, edited as scenes, or from the dataset).');
      return { value: syntheticValue(unit, s) };
    });
  }
  const out: Response[] = [];
  for (let i = 0; i < images.length; i += BATCH) {
    const batch = images.slice(i, i + BATCH);
    if (ctx.subject.kind === 'logit') {
      const logits = await ctx.model.logits(batch, ctx.signal);
      const C = logits.dims[1];
      batch.forEach((_, n) => out.push({ value: logits.data[n * C + (ctx.subject as { index: number }).index] }));
      continue;
    }
    const { layer, unit } = subjectTarget(ctx);
    const res = await ctx.model.run({ images: batch, maps: [{ layer, unit }], signal: ctx.signal });
    const t = res.maps[`${layer}#${unit}`];
    const [, h, w] = t.dims;
    batch.forEach((_, n) => {
      const data = Array.from(t.data.subarray(n * h * w, (n + 1) * h * w), (v) => Math.round(v * 1e4) / 1e4);
      out.push({ value: mapRange(data).max, map: { h, w, data } });
    });
  }
  return out;
}

/** MAIA's masked image of `image` under its map (the whole image, unmasked, when there is no map). */
export function masked(ctx: ToolContext, image: RawImage, map: Response['map']): RawImage {
  if (!map) return image;
  const up = upsampleBilinear(map.data, map.h, map.w, image.height, image.width);
  const rule = ctx.threshold ?? DEFAULT_THRESHOLD;
  const max = mapRange(up).max;
  // A map that never rises above zero highlights nothing.
  const threshold = max > 0 ? thresholdFor(rule, max) : Infinity;
  return { width: image.width, height: image.height, channels: 4, data: maskImage(image, up, threshold) };
}

/** Stores the masked copy of an already stored image. */
export function storeMask(ctx: ToolContext, of: StoredImage, image: RawImage, r: Response): Promise<StoredImage> {
  return ctx.images.add(masked(ctx, image, r.map), { origin: { kind: 'mask', of: of.id }, activation: r.value, ...(of.scene ? { scene: of.scene } : {}) });
}

/** Stores an image with its response and its masked copy; returns both stored images. */
export async function storeMeasured(
  ctx: ToolContext,
  image: RawImage,
  meta: ImageMeta,
  r: Response,
): Promise<{ image: StoredImage; masked: StoredImage }> {
  const stored = await ctx.images.add(image, { ...meta, activation: r.value, ...(r.map ? { map: r.map } : {}) });
  return { image: stored, masked: await storeMask(ctx, stored, image, r) };
}

/** Activations as the model reads them. */
export const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3));
