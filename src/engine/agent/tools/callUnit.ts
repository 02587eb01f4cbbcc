/** call_unit: the unit's activation on each image (spatial max of its map) and MAIA's masked image. */
import type { ImageRef } from '../types';
import type { Tool } from './context';
import { fmt, respond, storeMask } from './measure';
import { caption } from './scene';

export interface CallUnitArgs {
  images: string[];
}

/** Image handles a tool accepts: the ids earlier results gave. */
export const imageList = (max: number) => ({
  type: 'array',
  items: { type: 'string', pattern: '^img-[0-9]+$' },
  minItems: 1,
  maxItems: max,
  description: 'Image handles from earlier results (img-N).',
});

/** A masked handle stands for the image it masks. */
export function unmasked(store: { need(id: string): { origin?: { kind: string; of?: string } } }, id: string): string {
  const o = store.need(id).origin;
  return o?.kind === 'mask' && o.of ? o.of : id;
}

export const callUnit: Tool<CallUnitArgs> = {
  spec: {
    name: 'call_unit',
    version: 1,
    description:
      'Runs the model on images and returns, for each, the unit\'s activation (spatial maximum of its map) and a masked copy where the region of high activation stays bright and the rest is dimmed to 25%.',
    parameters: { type: 'object', properties: { images: imageList(64) }, required: ['images'], additionalProperties: false },
  },
  async run(args, ctx) {
    const ids = args.images.map((id) => unmasked(ctx.images, id));
    const pixels = await Promise.all(ids.map((id) => ctx.images.pixelsOf(id)));
    const responses = await respond(ctx, pixels, ids.map((id) => ctx.images.need(id).scene));
    const rows = [];
    const refs: ImageRef[] = [];
    for (let i = 0; i < ids.length; i++) {
      const r = responses[i];
      ctx.images.annotate(ids[i], { activation: r.value, ...(r.map ? { map: r.map } : {}) });
      const masked = await storeMask(ctx, ctx.images.need(ids[i]), pixels[i], r);
      rows.push({ image: ids[i], masked: masked.id, activation: r.value });
      refs.push(ctx.images.ref(masked.id, caption(masked)));
    }
    const text = rows.map((r) => `${r.image}: activation ${fmt(r.activation)} (masked ${r.masked})`).join('\n');
    return { text, images: refs, data: { results: rows } };
  },
};
