/**
 * The built-in describer (when the backend does not see images): for scene images, what lies
 * inside the highlighted region from the scene's known attributes (item or background, class,
 * colour, texture); for other images, measured properties of the region (dominant colours,
 * orientation, texture period). For backends that see images, a vision-language call with
 * MAIA's instructions in our words. Results say which describer spoke.
 */
import { DEFAULT_THRESHOLD, mapRange, thresholdFor, upsampleBilinear } from '../../exemplars/maps';
import { render } from '../../synth/render';
import { COLORS, PALETTE, type ColorName } from '../../synth/vocabulary';
import type { RawImage } from '../../types';
import type { ContentPart, StoredImage } from '../types';
import type { ToolContext } from './context';
import { unmasked } from './callUnit';
import { respond } from './measure';
import { sceneText } from './scene';

export interface ImageFacts {
  image: string;
  /** Where the highlighted region lies on a scene: 'item', 'background', 'both', or 'none' (nothing highlighted). */
  region?: 'item' | 'background' | 'both' | 'none' | 'whole';
  /** Share of the highlighted region on the item. */
  itemShare?: number;
  scene?: StoredImage['scene'];
  /** Measured, for images without scene attributes. */
  colors?: Array<{ color: string; share: number }>;
  orientation?: { degrees: number; coherence: number };
  periodPx?: number | null;
  text: string;
}

/** The image (a masked handle stands for its source) with a map of the unit, computed if missing. */
async function withMap(ctx: ToolContext, id: string): Promise<{ img: StoredImage; pixels: RawImage }> {
  const src = unmasked(ctx.images, id);
  const pixels = await ctx.images.pixelsOf(src);
  let img = ctx.images.need(src);
  if (!img.map && ctx.subject.kind === 'unit' && !ctx.synthetic) {
    const [r] = await respond(ctx, [pixels], [img.scene]);
    ctx.images.annotate(src, { activation: r.value, ...(r.map ? { map: r.map } : {}) });
    img = ctx.images.need(src);
  }
  return { img, pixels };
}

function regionOf(ctx: ToolContext, img: StoredImage): Uint8Array | null {
  if (!img.map) return null;
  const up = upsampleBilinear(img.map.data, img.map.h, img.map.w, img.height, img.width);
  const max = mapRange(up).max;
  const thr = max > 0 ? thresholdFor(ctx.threshold ?? DEFAULT_THRESHOLD, max) : Infinity;
  return Uint8Array.from(up, (v) => (v > thr ? 1 : 0));
}

const NAMED: Array<{ name: string; rgb: readonly number[] }> = [...COLORS.map((c: ColorName) => ({ name: c, rgb: PALETTE[c].rgb })), { name: 'black', rgb: [15, 15, 15] }];

/** Colours, orientation and texture period of the pixels in `region` (all pixels when null). */
export function measureRegion(p: RawImage, region: Uint8Array | null): Pick<ImageFacts, 'colors' | 'orientation' | 'periodPx'> {
  const { width: w, height: h, channels: c, data } = p;
  const inside = (i: number) => !region || region[i] === 1;
  const counts = new Map<string, number>();
  let n = 0;
  const gray = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) {
    const r = data[i * c];
    const g = data[i * c + 1];
    const b = data[i * c + 2];
    gray[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    if (!inside(i)) continue;
    n++;
    let best = NAMED[0].name;
    let bd = Infinity;
    for (const k of NAMED) {
      const d = (k.rgb[0] - r) ** 2 + (k.rgb[1] - g) ** 2 + (k.rgb[2] - b) ** 2;
      if (d < bd) {
        bd = d;
        best = k.name;
      }
    }
    counts.set(best, (counts.get(best) ?? 0) + 1);
  }
  const colors = [...counts]
    .map(([color, k]) => ({ color, share: Math.round((k / Math.max(1, n)) * 100) / 100 }))
    .sort((a, b) => b.share - a.share || (a.color < b.color ? -1 : 1))
    .slice(0, 3);
  // structure tensor of the grey gradients: the dominant edge direction and how strong it is
  let jxx = 0;
  let jyy = 0;
  let jxy = 0;
  let mean = 0;
  let m = 0;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (!inside(i)) continue;
      const gx = (gray[i + 1] - gray[i - 1]) / 2;
      const gy = (gray[i + w] - gray[i - w]) / 2;
      jxx += gx * gx;
      jyy += gy * gy;
      jxy += gx * gy;
      mean += gray[i];
      m++;
    }
  const coherence = jxx + jyy > 0 ? Math.sqrt((jxx - jyy) ** 2 + 4 * jxy * jxy) / (jxx + jyy) : 0;
  // the gradient's angle; edges run perpendicular to it
  const gradDeg = (Math.atan2(2 * jxy, jxx - jyy) * 90) / Math.PI;
  const degrees = Math.round(((gradDeg + 90 + 180) % 180) * 10) / 10;
  // texture period from mean-crossings along rows and along columns inside the region; the
  // direction that crosses the pattern most often runs across it
  mean /= Math.max(1, m);
  const cross = [0, 0];
  const steps = [0, 0];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!inside(i)) continue;
      for (const [axis, j, ok] of [[0, i + 1, x + 1 < w], [1, i + w, y + 1 < h]] as const) {
        if (!ok || !inside(j)) continue;
        steps[axis]++;
        if (gray[i] - mean > 0 !== gray[j] - mean > 0) cross[axis]++;
      }
    }
  const rate = Math.max(steps[0] ? cross[0] / steps[0] : 0, steps[1] ? cross[1] / steps[1] : 0);
  return { colors, orientation: { degrees, coherence: Math.round(coherence * 100) / 100 }, periodPx: rate > 0.04 ? Math.round((2 / rate) * 10) / 10 : null };
}

export async function builtinFacts(ctx: ToolContext, id: string): Promise<ImageFacts> {
  const { img, pixels } = await withMap(ctx, id);
  const region = regionOf(ctx, img);
  const area = region ? region.reduce((a, b) => a + b, 0) : pixels.width * pixels.height;
  if (img.scene && img.spec) {
    if (!region) return { image: img.id, region: 'whole', scene: img.scene, text: `${img.id}: (the whole image; a logit has no map) ${sceneText(img.scene)}` };
    if (area === 0) return { image: img.id, region: 'none', scene: img.scene, text: `${img.id}: nothing is highlighted (the unit is silent); the scene is a ${sceneText(img.scene)}` };
    const alpha = render(img.spec, ctx.banks).mask;
    let onItem = 0;
    for (let i = 0; i < region.length; i++) if (region[i] && alpha[i] > 127) onItem++;
    const itemShare = Math.round((onItem / area) * 100) / 100;
    const where = itemShare >= 0.6 ? 'item' : itemShare <= 0.4 ? 'background' : 'both';
    const s = img.scene;
    const texture = s.texture === 'plain' ? 'plain' : `${s.texture}-textured`;
    const a = /^[aeiou]/.test(s.color) ? 'an' : 'a';
    const what =
      where === 'item'
        ? `the highlighted region lies on the item (${Math.round(itemShare * 100)}% of it): ${a} ${s.color} ${texture} ${s.class}; background ${s.background}`
        : where === 'background'
          ? `the highlighted region lies on the background (${Math.round((1 - itemShare) * 100)}% of it): ${s.background} (${s.backgroundKind}); the item is ${a} ${s.color} ${texture} ${s.class}`
          : `the highlighted region covers the item (${a} ${s.color} ${texture} ${s.class}) and the background (${s.background}) about equally`;
    return { image: img.id, region: where, itemShare, scene: s, text: `${img.id}: ${what}` };
  }
  const m = measureRegion(pixels, region && area > 0 ? region : null);
  const o = m.orientation!;
  const dir = o.coherence < 0.2 ? 'no dominant orientation' : `edges mostly at ${o.degrees}° (coherence ${o.coherence})`;
  const tex = m.periodPx === null ? 'smooth (no repeating texture)' : `texture period ≈ ${m.periodPx} px`;
  const cols = m.colors!.map((c) => `${c.color} ${Math.round(c.share * 100)}%`).join(', ');
  const where = region ? (area === 0 ? 'nothing is highlighted; whole image' : `highlighted region (${Math.round((area / region.length) * 100)}% of the image)`) : 'whole image';
  return { image: img.id, ...m, text: `${img.id}: ${where}: colours ${cols}; ${dir}; ${tex}` };
}

/** MAIA's describer instructions, in our words. */
export const VISION_DESCRIBE =
  'Each image is masked: the region where a neuron responds stays bright, the rest is dimmed. For each image, describe in one short line only what lies inside the bright region (object, part, colour, texture), not the dimmed surroundings.';
export const VISION_SUMMARIZE =
  'These images all activate one neuron; bright regions mark where. Say in one or two sentences what they have in common inside the bright regions (objects, colours, textures, backgrounds), most specific first.';

/** A vision-language call over the images' masked copies (their sources' masks when given a source). */
export async function visionText(ctx: ToolContext, ids: string[], instructions: string): Promise<string> {
  const v = ctx.vision!;
  const content: ContentPart[] = [{ type: 'text', text: instructions }];
  for (const id of ids) {
    content.push({ type: 'text', text: `${id}:` });
    content.push({ type: 'image', image: { id } });
  }
  const reply = await v.client.chat({ messages: [{ role: 'user', content }], tools: [], images: ctx.images, signal: ctx.signal });
  return reply.text.trim();
}
