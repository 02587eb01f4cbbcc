/**
 * text2image: scenes drawn from text by the scene generator (synth/text.ts). Words outside its
 * vocabulary come back as a tool error naming them, so the agent can rephrase. Seeded: the same
 * prompt, sample and run seed give the same scene; samples of one prompt differ in whatever the
 * prompt leaves open, and sample i of every prompt shares its random draws, so two prompts that
 * differ in one word give matched scenes that differ in that attribute only (synth/sample.ts). Each image comes with the unit's activation, as call_unit would give.
 */
import { render } from '../../synth/render';
import { hashSeed } from '../../synth/rng';
import { parseSceneText, sceneFromText } from '../../synth/text';
import { CLASSES, COLORS } from '../../synth/vocabulary';
import type { ImageRef } from '../types';
import { ToolError, type Tool } from './context';
import { fmt, respond, storeMeasured } from './measure';
import { caption, sceneFacts, sceneText, type SceneFacts } from './scene';

export interface Text2ImageArgs {
  prompts: string[];
  samples?: number;
}

/** The most images one call makes. */
export const MAX_GENERATED = 64;

export const VOCABULARY_HINT =
  `items: ${CLASSES.join(', ')}; colours: ${COLORS.join(', ')}; textures: plain, striped, dotted, checked; ` +
  `backgrounds ("on …"): grass, flowers, sky/water, rock/sand, city/room, or a solid, gradient, striped, dotted or noisy background; ` +
  `sizes: tiny, small, medium, large; places: left, right, top, bottom, center`;

export const text2image: Tool<Text2ImageArgs> = {
  spec: {
    name: 'text2image',
    version: 1,
    description:
      `Draws synthetic scenes (a garment or accessory on a background, 64×64) from short descriptions such as "red striped sneaker on grass" or "small blue bag, left, on a dotted background". Anything a prompt leaves open is drawn at random, differently for each sample; sample i of every prompt shares its random draws, so prompts that differ in one word give matched scenes (controls). Returns the images with the unit's activation on each. Words it understands — ${VOCABULARY_HINT}. Unknown words are an error that names them.`,
    parameters: {
      type: 'object',
      properties: {
        prompts: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, minItems: 1, maxItems: 32 },
        samples: { type: 'integer', minimum: 1, maximum: 8, default: 1, description: 'Images per prompt.' },
      },
      required: ['prompts'],
      additionalProperties: false,
    },
  },
  async run(args, ctx) {
    const samples = args.samples ?? 1;
    if (args.prompts.length * samples > MAX_GENERATED) throw new ToolError(`At most ${MAX_GENERATED} images per call (prompts × samples).`);
    const unknown = new Set<string>();
    for (const p of args.prompts) for (const w of parseSceneText(p).ignored) unknown.add(w);
    if (unknown.size) {
      throw new ToolError(`text2image does not know the word(s) ${[...unknown].map((w) => `"${w}"`).join(', ')}. Rephrase with: ${VOCABULARY_HINT}.`);
    }
    const made = args.prompts.flatMap((prompt) =>
      Array.from({ length: samples }, (_, sample) => {
        const { spec } = sceneFromText(prompt, ctx.banks, hashSeed(ctx.seed, 0x7217, sample));
        return { prompt, sample, ...render(spec, ctx.banks) };
      }),
    );
    const images = made.map((m) => ({ width: 64, height: 64, channels: 3 as const, data: m.pixels }));
    const responses = await respond(ctx, images, made.map((m) => sceneFacts(m.attributes)));
    const rows: Array<{ prompt: string; sample: number; image: string; masked: string; activation: number; scene: SceneFacts }> = [];
    const refs: ImageRef[] = [];
    for (let i = 0; i < made.length; i++) {
      const scene = sceneFacts(made[i].attributes);
      const { image, masked } = await storeMeasured(
        ctx,
        images[i],
        { origin: { kind: 'text2image', prompt: made[i].prompt, sample: made[i].sample }, scene, spec: made[i].attributes.spec },
        responses[i],
      );
      rows.push({ prompt: made[i].prompt, sample: made[i].sample, image: image.id, masked: masked.id, activation: responses[i].value, scene });
      refs.push(ctx.images.ref(image.id, caption(image)));
    }
    const byPrompt = args.prompts.map((prompt) => {
      const acts = rows.filter((r) => r.prompt === prompt).map((r) => r.activation);
      return { prompt, mean: acts.reduce((a, b) => a + b, 0) / acts.length, activations: acts };
    });
    const text = [
      ...rows.map((r) => `${r.image} ← "${r.prompt}" #${r.sample}: activation ${fmt(r.activation)} — ${sceneText(r.scene)}`),
      ...(samples > 1 ? byPrompt.map((p) => `mean over "${p.prompt}": ${fmt(p.mean)}`) : []),
    ].join('\n');
    return { text, images: refs, data: { images: rows, prompts: byPrompt } };
  },
};
