/**
 * edit_images: edits in words. Scene images (generated or from the dataset) are edited as scenes
 * (synth/edits.ts: one attribute changes, the rest stays, and the result is re-rendered, so its
 * attributes stay true): colour, texture, item class, background, size, place, occlusion, noise.
 * Pixel edits hold for any image: crop, flip, grayscale, hue shift, blur, noise, occlusion.
 * Every instruction is applied to every image; "a; b" chains two edits. An instruction it cannot
 * carry out is an error that lists the instructions it knows.
 */
import { render } from '../../synth/render';
import { Rng, hashSeed, hashString } from '../../synth/rng';
import { addNoise, move, occlude, recolor, rescale, retexture, swapBackground } from '../../synth/edits';
import { backgroundOfKind, completeSpec } from '../../synth/sample';
import type { SceneSpec } from '../../synth/spec';
import { parseSceneText } from '../../synth/text';
import { PALETTE, PHOTO_KINDS, type BackgroundKind, type ClassName, type ColorName, type TextureName } from '../../synth/vocabulary';
import type { RawImage } from '../../types';
import type { ImageRef, StoredImage } from '../types';
import { ToolError, type Tool, type ToolContext } from './context';
import { imageList, unmasked } from './callUnit';
import { fmt, respond, storeMeasured } from './measure';
import { applyPixelEdit, halfBox, type Half, type PixelEdit } from './pixelEdits';
import { caption, sceneFacts } from './scene';

export interface EditImagesArgs {
  images: string[];
  instructions: string[];
}

export const KNOWN_EDITS =
  'for scene images: "make it blue" (any colour), "make it striped" / "add dots" / "add checks" / "make it plain", ' +
  '"make it a bag" (another item), "replace the background with grass" (or flowers, sky, rock, city, a solid/gradient/striped/dotted/noisy background, a blue background), ' +
  '"make the item smaller" / "larger", "move it left" (right, up, down); for any image: "cover the top half" (bottom, left, right), ' +
  '"add noise", "crop", "flip" / "flip vertically", "grayscale", "shift the hue by 90 degrees", "blur"';

type SceneEdit =
  | { kind: 'item'; class?: ClassName; color?: ColorName; texture?: TextureName }
  | { kind: 'background'; background: BackgroundKind | 'photo'; color?: ColorName }
  | { kind: 'scale'; factor: number }
  | { kind: 'move'; dx: number; dy: number }
  | { kind: 'occlude'; half: Half }
  | { kind: 'noise' }
  | { kind: 'pixel'; edit: PixelEdit };

const HALF = /\b(top|bottom|left|right|upper|lower)\b/;

function halfOf(text: string): Half {
  const m = HALF.exec(text)?.[1] ?? 'top';
  return m === 'upper' ? 'top' : m === 'lower' ? 'bottom' : (m as Half);
}

/** One edit in words, or null when it is not one the tool knows. */
export function parseEdit(raw: string): SceneEdit | null {
  const t = raw.toLowerCase().trim();
  if (/\b(crop|zoom)/.test(t)) return { kind: 'pixel', edit: { op: 'crop' } };
  if (/\b(flip|mirror|upside[\s-]down)/.test(t)) return { kind: 'pixel', edit: { op: 'flip', vertical: /vertical|upside/.test(t) } };
  if (/gr[ae]y[\s-]?scale|black and white|desaturate|remove (the )?colou?r/.test(t)) return { kind: 'pixel', edit: { op: 'grayscale' } };
  if (/\bhue\b/.test(t)) {
    const n = /(-?\d+(\.\d+)?)/.exec(t);
    return { kind: 'pixel', edit: { op: 'hue', degrees: n ? Number(n[1]) : 90 } };
  }
  if (/\bblur/.test(t)) return { kind: 'pixel', edit: { op: 'blur' } };
  if (/\b(cover|occlude|hide|block|mask)\b/.test(t)) return { kind: 'occlude', half: halfOf(t) };
  if (/\b(noise|noisy|grain)\b/.test(t) && !/background|backdrop/.test(t)) return { kind: 'noise' };
  if (/\b(smaller|shrink|reduce|tinier)\b/.test(t)) return { kind: 'scale', factor: 0.7 };
  if (/\b(larger|bigger|enlarge|grow)\b/.test(t)) return { kind: 'scale', factor: 1.35 };
  if (/\b(move|shift|slide)\b/.test(t)) {
    const d = /\b(left|right|up|down|top|bottom)\b/.exec(t)?.[1];
    if (!d) return null;
    const step = 16;
    return { kind: 'move', dx: d === 'left' ? -step : d === 'right' ? step : 0, dy: d === 'up' || d === 'top' ? -step : d === 'down' || d === 'bottom' ? step : 0 };
  }
  if (/\b(background|backdrop)\b|\b(put|place|set) it (on|against|in front of)\b/.test(t)) {
    const tail = /\b(with|to|into|on|against|by|for)\b(.*)$/.exec(t.replace(/\b(replace|change|make|turn|swap|set|put|place) (the )?(background|backdrop|it)\b/, ''))?.[2] ?? t;
    const parsed = parseSceneText(`it on ${tail.replace(/\b(background|backdrop)\b/g, ' background ')}`);
    const kind = parsed.partial.background;
    const background = typeof kind === 'string' ? kind : parsed.anyPhoto ? 'photo' : undefined;
    if (!background) return null;
    return parsed.backgroundColor ? { kind: 'background', background, color: parsed.backgroundColor } : { kind: 'background', background };
  }
  const p = parseSceneText(t.replace(/\b(remove|no) (the )?(pattern|texture|stripes|dots|checks)\b/, 'plain')).partial;
  const texture = typeof p.texture === 'string' ? p.texture : p.texture?.name;
  if (p.class || p.color || texture) return { kind: 'item', ...(p.class ? { class: p.class } : {}), ...(p.color ? { color: p.color } : {}), ...(texture ? { texture } : {}) };
  return null;
}

function editScene(spec: SceneSpec, e: SceneEdit, ctx: ToolContext, salt: number): SceneSpec {
  const rng = new Rng(hashSeed(ctx.seed, salt));
  switch (e.kind) {
    case 'item': {
      let s = spec;
      if (e.class && e.class !== s.class) {
        // a new item of that class at the same place and size, keeping colour, texture and background
        const c = completeSpec({ class: e.class, split: s.split, scale: s.scale, position: s.position, background: s.background }, rng, ctx.banks);
        s = { ...s, class: c.class, itemIndex: c.itemIndex };
      }
      if (e.color) s = recolor(s, e.color);
      if (e.texture) s = retexture(s, e.texture);
      return s;
    }
    case 'background': {
      const kind = e.background === 'photo' ? PHOTO_KINDS[rng.int(PHOTO_KINDS.length)] : e.background;
      let bg = backgroundOfKind(kind, rng, ctx.banks, PALETTE[spec.color].rgb);
      const c = e.color ? PALETTE[e.color].rgb : null;
      if (c && bg.kind === 'solid') bg = { ...bg, color: [...c] };
      else if (c && bg.kind === 'gradient') bg = { ...bg, from: [...c] };
      else if (c && (bg.kind === 'stripes' || bg.kind === 'dots' || bg.kind === 'noise')) bg = { ...bg, colors: [[...c], bg.colors[1]] };
      return swapBackground(spec, bg);
    }
    case 'scale':
      return rescale(spec, Math.max(0.3, Math.min(1, Math.round(spec.scale * e.factor * 100) / 100)));
    case 'move':
      return move(spec, e.dx, e.dy);
    case 'occlude':
      return occlude(spec, halfBox(e.half, 64, 64));
    case 'noise':
      return addNoise(spec, 24, rng.nextU32());
    case 'pixel':
      throw new Error('pixel edits are not scene edits');
  }
}

interface Edited {
  image: RawImage;
  spec?: SceneSpec;
}

async function applyInstruction(src: StoredImage, instruction: string, ctx: ToolContext): Promise<Edited> {
  let spec = src.spec;
  let image: RawImage | null = spec ? null : await ctx.images.pixelsOf(src.id);
  const steps = instruction.split(';').map((s) => s.trim()).filter(Boolean);
  if (steps.length === 0) throw new ToolError(`An empty instruction. Instructions it knows: ${KNOWN_EDITS}.`);
  for (const [n, step] of steps.entries()) {
    const salt = hashString(`${src.id}|${instruction}|${n}`);
    const e = parseEdit(step);
    if (!e) throw new ToolError(`edit_images cannot carry out "${step.slice(0, 80)}". Instructions it knows: ${KNOWN_EDITS}.`);
    if (spec && e.kind !== 'pixel') {
      spec = editScene(spec, e, ctx, salt);
      continue;
    }
    // from here on the image is pixels only
    if (spec) {
      image = { width: 64, height: 64, channels: 3, data: render(spec, ctx.banks).pixels };
      spec = undefined;
    }
    const px: PixelEdit | null =
      e.kind === 'pixel' ? e.edit : e.kind === 'occlude' ? { op: 'occlude', half: e.half } : e.kind === 'noise' ? { op: 'noise', sigma: 24, seed: salt } : null;
    if (!px) {
      throw new ToolError(`"${step.slice(0, 80)}" is a scene edit, and ${src.id} is not a scene (or a pixel edit came first): for it use crop, flip, grayscale, hue shift, blur, noise or "cover the top half".`);
    }
    image = applyPixelEdit(image!, px);
  }
  if (spec) return { image: { width: 64, height: 64, channels: 3, data: render(spec, ctx.banks).pixels }, spec };
  return { image: image! };
}

export const editImages: Tool<EditImagesArgs> = {
  spec: {
    name: 'edit_images',
    version: 1,
    description:
      `Edits images by instructions in words; every instruction is applied to every image (at most 64 results), and "a; b" chains two edits. Returns the edited images with the unit's activation on each, beside the activation on the original. Edits it knows — ${KNOWN_EDITS}.`,
    parameters: {
      type: 'object',
      properties: {
        images: imageList(32),
        instructions: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, minItems: 1, maxItems: 16 },
      },
      required: ['images', 'instructions'],
      additionalProperties: false,
    },
  },
  async run(args, ctx) {
    if (args.images.length * args.instructions.length > 64) throw new ToolError('At most 64 edited images per call (images × instructions).');
    const sources = args.images.map((id) => ctx.images.need(unmasked(ctx.images, id)));
    // the originals' activations, where no tool measured them yet
    const unmeasured = sources.filter((s) => s.activation === undefined);
    if (unmeasured.length) {
      const rs = await respond(ctx, await Promise.all(unmeasured.map((s) => ctx.images.pixelsOf(s.id))), unmeasured.map((s) => s.scene));
      unmeasured.forEach((s, i) => ctx.images.annotate(s.id, { activation: rs[i].value, ...(rs[i].map ? { map: rs[i].map } : {}) }));
    }
    const jobs: Array<{ src: StoredImage; instruction: string; edited: Edited }> = [];
    for (const src of sources) for (const instruction of args.instructions) jobs.push({ src, instruction, edited: await applyInstruction(src, instruction, ctx) });
    const scenes = jobs.map((j) => (j.edited.spec ? sceneFacts(render(j.edited.spec, ctx.banks).attributes) : undefined));
    const responses = await respond(ctx, jobs.map((j) => j.edited.image), scenes);
    const rows = [];
    const refs: ImageRef[] = [];
    for (let i = 0; i < jobs.length; i++) {
      const { src, instruction, edited } = jobs[i];
      const scene = scenes[i];
      const { image, masked } = await storeMeasured(
        ctx,
        edited.image,
        { origin: { kind: 'edit', of: src.id, instruction }, ...(scene ? { scene, spec: edited.spec } : {}) },
        responses[i],
      );
      const before = ctx.images.need(src.id).activation ?? NaN;
      rows.push({ source: src.id, instruction, image: image.id, masked: masked.id, activation: responses[i].value, sourceActivation: before, ...(scene ? { scene } : {}) });
      refs.push(ctx.images.ref(image.id, caption(image)));
    }
    const text = rows.map((r) => `${r.image} = ${r.source} + "${r.instruction}": activation ${fmt(r.activation)} (was ${fmt(r.sourceActivation)})`).join('\n');
    return { text, images: refs, data: { results: rows } };
  },
};
