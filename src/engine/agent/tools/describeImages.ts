/** describe_images / summarize_images: the vision model when the backend sees images, else the built-in describer. */
import { ToolError, type Tool, type ToolContext, type ToolOutput } from './context';
import { imageList } from './callUnit';
import { VISION_DESCRIBE, VISION_SUMMARIZE, builtinFacts, visionText, type ImageFacts } from './describer';

export interface ImagesArgs {
  images: string[];
}

const params = { type: 'object', properties: { images: imageList(32) }, required: ['images'], additionalProperties: false };

async function vision(ctx: ToolContext, ids: string[], how: string) {
  try {
    return { describer: `vision:${ctx.vision!.name}`, text: await visionText(ctx, ids, how) };
  } catch (err) {
    throw new ToolError(`The vision describer failed (${err instanceof Error ? err.message : String(err)}).`);
  }
}

/** The vision model's answer when there is one, else the built-in facts of every image. */
async function describeOr(ctx: ToolContext, ids: string[], how: string): Promise<ToolOutput | ImageFacts[]> {
  for (const id of ids) ctx.images.need(id);
  if (ctx.vision) {
    const v = await vision(ctx, ids, how);
    return { text: `[describer: ${v.describer}]\n${v.text}`, images: [], data: { describer: v.describer, text: v.text } };
  }
  const facts: ImageFacts[] = [];
  for (const id of ids) facts.push(await builtinFacts(ctx, id));
  return facts;
}

export const describeImages: Tool<ImagesArgs> = {
  spec: {
    name: 'describe_images',
    version: 1,
    description: 'Describes, for each image, what lies inside the region where the unit is most active (dimmed elsewhere in masked images). Says which describer spoke.',
    parameters: params,
  },
  async run(args, ctx) {
    const facts = await describeOr(ctx, args.images, VISION_DESCRIBE);
    if (!Array.isArray(facts)) return facts;
    return { text: `[describer: built-in]\n${facts.map((f) => f.text).join('\n')}`, images: [], data: { describer: 'built-in', facts } };
  },
};

function tally<T>(items: T[], key: (t: T) => string | undefined): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const t of items) {
    const k = key(t);
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

export const summarizeImages: Tool<ImagesArgs> = {
  spec: {
    name: 'summarize_images',
    version: 1,
    description: 'Says what a set of images has in common inside the regions where the unit is most active. Says which describer spoke.',
    parameters: params,
  },
  async run(args, ctx) {
    const facts = await describeOr(ctx, args.images, VISION_SUMMARIZE);
    if (!Array.isArray(facts)) return facts;
    const n = facts.length;
    // a value counts as common when at least half the images share it
    const common = (label: string, rows: Array<[string, number]>) => (rows.length && rows[0][1] * 2 >= n ? `${label} ${rows[0][0]} (${rows[0][1]}/${n})` : null);
    const scenes = facts.filter((f) => f.scene);
    const onItem = scenes.filter((f) => f.region === 'item' || f.region === 'whole');
    const parts = [
      common('region on the', tally(facts, (f) => (f.region && f.region !== 'whole' ? f.region : undefined))),
      common('item', tally(onItem, (f) => f.scene?.class)),
      common('colour', tally(onItem, (f) => f.scene?.color)),
      common('texture', tally(onItem, (f) => f.scene?.texture)),
      common('background', tally(scenes, (f) => f.scene?.background)),
      common('measured colour', tally(facts.filter((f) => !f.scene), (f) => f.colors?.[0]?.color)),
    ].filter((p): p is string => p !== null);
    const summary = parts.length ? `Most common: ${parts.join('; ')}.` : 'Nothing in common could be measured.';
    return { text: `[describer: built-in]\n${summary}`, images: [], data: { describer: 'built-in', summary, facts } };
  },
};
