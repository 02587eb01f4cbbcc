/**
 * dataset_exemplars: the unit's top exemplars from the exemplar index (indexing the layer first
 * when needed, with progress), each with its activation and MAIA's masked image, plus the
 * attributes over-represented among them against the dataset's base rates (concepts.ts).
 */
import { baseRates, conceptAssociation, labelText, type BaseRates } from '../../exemplars/concepts';
import type { SceneDataset } from '../../data/datasets';
import type { ImageRef } from '../types';
import { ToolError, type Tool, type ToolContext } from './context';
import { fmt, respond, storeMeasured, subjectTarget } from './measure';
import { caption, sceneFacts, sceneText } from './scene';

export interface DatasetExemplarsArgs {
  unit?: number;
  k?: number;
}

const rateCache = new WeakMap<SceneDataset, BaseRates>();

export const datasetExemplars: Tool<DatasetExemplarsArgs> = {
  spec: {
    name: 'dataset_exemplars',
    version: 1,
    description:
      'The k images of the dataset that activate the unit most, best first, each with its activation (spatial maximum of the unit\'s map) and a masked copy where everything outside the region of high activation is dimmed to 25%. Also lists the scene attributes (class, colour, texture, background) over-represented among them compared with the whole dataset. Call it first.',
    parameters: {
      type: 'object',
      properties: {
        unit: { type: 'integer', minimum: 0, description: 'Another unit of the same layer to compare with (default: the unit under study).' },
        k: { type: 'integer', minimum: 1, maximum: 15, default: 15, description: 'How many exemplars.' },
      },
      additionalProperties: false,
    },
  },
  async run(args, ctx) {
    const { dataset, exemplars } = ctx;
    if (!dataset || !exemplars) throw new ToolError('This run has no exemplar dataset; use text2image to make test images instead.');
    const target = subjectTarget(ctx);
    const unit = args.unit ?? target.unit;
    const channels = ctx.model.summary.layers.find((l) => l.tensor === target.layer)?.channels;
    if (channels !== undefined && unit >= channels) throw new ToolError(`Unit ${unit} is out of range: this layer has units 0..${channels - 1}.`);
    const k = args.k ?? 15;
    const ranked = await exemplars.top(target.layer, unit, k, {
      signal: ctx.signal,
      onProgress: (done, total) => ctx.onProgress?.({ tool: 'dataset_exemplars', done, total, message: `Indexing ${target.layer}: ${done}/${total} images` }),
    });
    const sub: ToolContext = ctx.subject.kind === 'unit' ? { ...ctx, subject: { ...ctx.subject, unit } } : { ...ctx, subject: { kind: 'logit', index: unit } };
    const images = ranked.map((r) => dataset.image(r.index));
    const responses = await respond(sub, images, ranked.map((r) => sceneFacts(dataset.scene(r.index).attributes)));
    const rows = [];
    const refs: ImageRef[] = [];
    for (let i = 0; i < ranked.length; i++) {
      const attrs = dataset.scene(ranked[i].index).attributes;
      const scene = sceneFacts(attrs);
      const { image, masked } = await storeMeasured(sub, images[i], { origin: { kind: 'dataset', index: ranked[i].index }, scene, spec: attrs.spec }, responses[i]);
      rows.push({ rank: i + 1, index: ranked[i].index, image: image.id, masked: masked.id, activation: responses[i].value, scene });
      refs.push(ctx.images.ref(masked.id, caption(masked)));
    }
    let rates = rateCache.get(dataset);
    if (!rates) rateCache.set(dataset, (rates = baseRates(dataset.facets)));
    const assoc = conceptAssociation(dataset.facets, ranked.map((r) => r.index), rates)
      .filter((a) => a.lift > 1)
      .slice(0, 8)
      .map((a) => ({ key: a.key, value: a.value, count: a.count, precision: a.precision, baseRate: a.baseRate, lift: a.lift, z: a.z }));
    const lines = rows.map((r) => `${r.rank}. ${r.image} (masked ${r.masked}): activation ${fmt(r.activation)} — ${sceneText(r.scene)}`);
    const over = assoc.map((a) => `${labelText(a)} [${a.key}] in ${a.count}/${rows.length} (dataset ${(a.baseRate * 100).toFixed(0)}%, lift ${a.lift.toFixed(1)}, z ${a.z.toFixed(1)})`);
    const text = [
      `Top ${rows.length} exemplars of unit ${unit} of ${target.layer} in ${dataset.info.id}:`,
      ...lines,
      over.length ? `Over-represented among them: ${over.join('; ')}.` : 'No attribute is over-represented among them.',
    ].join('\n');
    return { text, images: refs, data: { unit, layer: target.layer, exemplars: rows, associations: assoc } };
  },
};
