/**
 * `lab circuit MODEL DATASET [--concept class=coat,texture=checks] …` — the circuit that
 * recognises a concept (dataset images passing a filter), by CLA or ablation, with causal tests
 * against seeded random circuits on held-out images; prints or writes `lab.circuit/1`
 * (docs/cli.md). The images are chosen exactly as the tab chooses them (engine/circuits/concept).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFilter, filterIndices, findDataset, loadBanks, openDataset, type DatasetFilter, type SceneFacets } from '../engine/data/datasets';
import { parseShard, shardImage } from '../engine/data/shards';
import { LabError } from '../engine/errors';
import { discoverCircuit } from '../engine/circuits';
import { restOf, splitConcept } from '../engine/circuits/concept';
import { argmaxRow } from '../engine/circuits/rank';
import type { Circuit, CircuitSpec, CircuitTarget, ContrastSource } from '../engine/circuits/types';
import type { LoadedModel } from '../engine/lab/loadedModel';
import { nodeRuntime } from '../engine/runtime/node';
import type { Layer, RawImage } from '../engine/types';
import type { Parsed } from './args';
import { JSON_OPTION, THREADS_OPTION, usageError, type CommandHelp } from './command';
import { openImageDataset } from './exemplarsDataset';

export const CIRCUIT_HELP: CommandHelp = {
  name: 'circuit',
  summary: 'the circuit that recognises a concept (units per layer, edges, causal tests against random circuits) as lab.circuit/1',
  usage: [
    'lab circuit MODEL.onnx DATASET [--concept class=coat,texture=checks] [--contrast rest|FILTER] [--examples 16] [--held-out N] [--target logit:4|logit:coat|LAYER:UNIT|selective:N] [--layers L1,L2,...] [--k 5] [--method cla|ablation] [--compare] [--reduce mean|max] [--ablation zero|mean] [--random 20] [--seed S] [--batch N] [--threads N] [--json] [--out FILE]',
  ],
  args: [
    { name: 'MODEL.onnx', help: 'the model' },
    { name: 'DATASET', help: 'a built-in id (scenes-test), a shard (NAME.json beside NAME.u8), a folder or a manifest; folders and manifests filter by class only' },
  ],
  options: [
    { name: 'concept', value: 'class=coat,texture=checks', help: "the concept's filter (class, color, texture, background); without it, the dataset's first images" },
    { name: 'contrast', value: 'rest|FILTER', help: 'the contrast set (selective targets, mean ablation): the rest of the dataset (default) or another filter' },
    { name: 'examples', value: 'N', help: 'discovery examples (default 16, at most 64)' },
    { name: 'held-out', value: 'N', help: 'held-out examples of the same concept for the causal tests (default: as many as --examples)' },
    { name: 'target', value: 'logit:4|logit:coat|LAYER:UNIT|selective:N', help: "what the circuit explains (default: the concept's class logit, else the model's top class on the examples)" },
    { name: 'layers', value: 'L1,L2,...', help: 'circuit layers from input to output (default: up to 8 evenly spaced block outputs)' },
    { name: 'k', value: 'N', help: 'units kept per layer (default 5)' },
    { name: 'method', value: 'cla|ablation', help: 'cross-layer attribution (default) or forward-only ablation' },
    { name: 'compare', help: 'run both methods and report per layer the overlap of kept units and the rank correlation of edge weights' },
    { name: 'reduce', value: 'mean|max', help: "how an upper unit's map becomes a number (default mean)" },
    { name: 'ablation', value: 'zero|mean', help: 'ablate to zero (default) or to the mean over the contrast images' },
    { name: 'random', value: 'N', help: 'random baseline circuits for the causal tests (default 20; 0 skips them)' },
    { name: 'seed', value: 'S', help: 'seed of the example split and the random circuits (default 0)' },
    { name: 'batch', value: 'N', help: 'images per run (default 16)' },
    THREADS_OPTION,
    JSON_OPTION,
    { name: 'out', value: 'FILE', help: 'also write the lab.circuit/1 document to FILE' },
  ],
  examples: ['npx lab circuit models/scenes-balanced.onnx scenes-test --concept class=coat --random 5'],
  notes: ['lab.circuit/1 is specified in docs/cli.md.'],
};

export interface CircuitDeps {
  openModel: (path: string, args: Parsed) => Promise<LoadedModel>;
  integerOption: (args: Parsed, name: string, fallback: number, min: number, max: number) => number;
}

/** A dataset as the circuit command needs it: facets to filter, images by index. */
interface ConceptDataset {
  id: string;
  sha256?: string;
  count: number;
  facets: readonly SceneFacets[];
  image(i: number): RawImage;
}

/** "class=coat,texture=checks" → a checked DatasetFilter. */
export function parseFilter(text: string): DatasetFilter {
  const raw: Record<string, string> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new LabError('bad-request', `--concept takes key=value pairs (class=coat,texture=checks); got "${part}".`);
    raw[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return checkFilter(raw);
}

async function openConceptDataset(arg: string, model: LoadedModel): Promise<ConceptDataset> {
  if (findDataset(arg)) {
    const assets = fileURLToPath(new URL('../../assets/', import.meta.url));
    const banks = await loadBanks(async (name) => new Uint8Array(readFileSync(join(assets, name))));
    const ds = await openDataset(arg, banks);
    return { id: arg, sha256: ds.info.sha256, count: ds.count, facets: ds.facets, image: (i) => ds.image(i) };
  }
  if (/\.json$/i.test(arg) && existsSync(arg.replace(/\.json$/i, '.u8'))) {
    const shard = parseShard(readFileSync(arg, 'utf8'), new Uint8Array(readFileSync(arg.replace(/\.json$/i, '.u8'))));
    const { index } = shard;
    return {
      id: `shard:${index.name}:${index.seed}`,
      count: index.count,
      facets: index.attributes,
      image: (i) => ({ width: index.width, height: index.height, channels: 3, data: shardImage(shard, i) }),
    };
  }
  const p = model.summary.preprocess;
  const ds = await openImageDataset(arg, { size: p.size, fit: 'stretch' });
  return { id: ds.info.id, sha256: ds.info.sha256, count: ds.count, facets: ds.facets, image: (i) => ds.image(i) };
}

/** The class index of a label name in the model's labels (or a plain number). */
function classIndex(model: LoadedModel, name: string): number | null {
  const labels = model.summary.labels;
  const i = labels ? labels.indexOf(name) : -1;
  if (i >= 0) return i;
  return /^\d+$/.test(name) ? Number(name) : null;
}

export function parseCircuitTarget(text: string, model: LoadedModel): CircuitTarget {
  const at = text.lastIndexOf(':');
  if (at <= 0 || at === text.length - 1) throw new LabError('bad-request', `--target takes logit:CLASS, LAYER:UNIT or selective:N; got "${text}".`);
  const head = text.slice(0, at);
  const tail = text.slice(at + 1);
  if (head === 'logit') {
    const index = classIndex(model, tail);
    if (index === null) throw new LabError('bad-request', `Unknown class "${tail}" (the model's labels: ${model.summary.labels?.join(', ') ?? 'none; use a number'}).`);
    return { kind: 'logit', index };
  }
  const n = Number(tail);
  if (!Number.isInteger(n)) throw new LabError('bad-request', `--target ${text}: "${tail}" is not a whole number.`);
  if (head === 'selective') return { kind: 'selective', count: n };
  const layer = model.summary.layers.find((l: Layer) => l.tensor === head || l.label === head);
  return { kind: 'unit', layer: layer?.tensor ?? head, unit: n };
}

function choice<T extends string>(args: Parsed, name: string, values: readonly T[], fallback: T): T {
  const v = args.options.get(name) ?? fallback;
  if (!(values as readonly string[]).includes(v as string)) throw new Error(`--${name} takes ${values.join(' or ')}`);
  return v as T;
}

/** The model's most frequent top class on some images (the default target without a class filter). */
async function topClass(model: LoadedModel, images: RawImage[]): Promise<number> {
  const logits = await model.logits(images);
  const K = logits.dims[1];
  const votes = new Array<number>(K).fill(0);
  for (let i = 0; i < images.length; i++) votes[argmaxRow(logits.data, i, K)]++;
  return votes.indexOf(Math.max(...votes));
}

export function formatCircuit(c: Circuit, labelOf: (layer: string) => string): string {
  const lines = [`circuit of ${JSON.stringify(c.target)} in ${c.model.name} (${c.spec.method}, k=${c.spec.k}, ${c.ms} ms)`];
  for (const layer of c.layers) {
    const nodes = c.nodes.filter((n) => n.layer === layer);
    lines.push(`  ${labelOf(layer).padEnd(28)} ${nodes.map((n) => `${n.unit} (${n.score.toPrecision(3)})`).join('  ')}`);
  }
  const causal = c.causal;
  if (causal) {
    for (const [name, t] of Object.entries(causal)) {
      if (t.n === 0) {
        lines.push(`  ${name.padEnd(12)} effect ${t.effect.toFixed(3)}  (no random baselines: --random 0)`);
        continue;
      }
      lines.push(`  ${name.padEnd(12)} effect ${t.effect.toFixed(3)}  random ${t.randomMean.toFixed(3)} ± ${t.randomSd.toFixed(3)}  z ${t.z.toFixed(2)}  p ${t.p.toFixed(3)}`);
    }
  }
  return lines.join('\n');
}

export async function circuitCommand(args: Parsed, json: boolean, deps: CircuitDeps): Promise<number> {
  const [modelPath, datasetArg, ...extra] = args.positionals;
  if (!modelPath || !datasetArg || extra.length) throw usageError(CIRCUIT_HELP, 'lab circuit takes MODEL.onnx DATASET');
  const out = args.options.get('out');
  if (out === true) throw new Error('--out needs a file name');
  const conceptOpt = args.options.get('concept');
  const filter = typeof conceptOpt === 'string' ? parseFilter(conceptOpt) : null;
  const contrastOpt = args.options.get('contrast');
  const contrast: ContrastSource = typeof contrastOpt === 'string' && contrastOpt !== 'rest' ? { kind: 'filter', filter: parseFilter(contrastOpt) } : { kind: 'rest' };
  const examples = deps.integerOption(args, 'examples', 16, 1, 64);
  const model = await deps.openModel(modelPath, args);
  try {
    const ds = await openConceptDataset(datasetArg, model);
    const matching = filter ? filterIndices(ds.facets, filter) : Array.from({ length: ds.count }, (_, i) => i);
    const pool = contrast.kind === 'filter' ? filterIndices(ds.facets, contrast.filter) : filter ? restOf(ds.count, matching) : matching;
    const heldOutCount = deps.integerOption(args, 'held-out', examples, 0, 1024);
    const split = splitConcept(matching, pool, examples, heldOutCount);
    const load = (idx: number[]) => idx.map((i) => ds.image(i));
    const discovery = load(split.discovery);
    const targetOpt = args.options.get('target');
    let target: CircuitTarget;
    if (typeof targetOpt === 'string') target = parseCircuitTarget(targetOpt, model);
    else if (filter?.class) {
      const index = classIndex(model, filter.class);
      if (index === null) throw new LabError('bad-request', `The model has no class "${filter.class}"; give --target.`);
      target = { kind: 'logit', index };
    } else target = { kind: 'logit', index: await topClass(model, discovery) };
    const layersOpt = args.options.get('layers');
    const spec: CircuitSpec = {
      concept: { kind: 'filter', filter: filter ?? {} },
      contrast,
      examples,
      heldOut: heldOutCount,
      target,
      layers: typeof layersOpt === 'string' ? layersOpt.split(',').filter(Boolean) : [],
      k: deps.integerOption(args, 'k', 5, 1, 4096),
      method: choice(args, 'method', ['cla', 'ablation'] as const, 'cla'),
      reduce: choice(args, 'reduce', ['mean', 'max'] as const, 'mean'),
      ablation: choice(args, 'ablation', ['zero', 'mean'] as const, 'zero'),
      random: deps.integerOption(args, 'random', 20, 0, 1000),
      seed: deps.integerOption(args, 'seed', 0, 0, 2 ** 31 - 1),
    };
    const labelOf = (name: string | null | undefined) => {
      const i = name ? classIndex(model, name) : null;
      return i ?? undefined;
    };
    const heldOutLabels = split.heldOut.map((i) => labelOf(ds.facets[i].class));
    const contrastLabels = split.contrast.map((i) => labelOf(ds.facets[i].class));
    const circuit = await discoverCircuit(
      nodeRuntime(),
      model,
      spec,
      {
        discovery,
        heldOut: load(split.heldOut),
        contrast: load(split.contrast),
        heldOutLabels: heldOutLabels.every((l) => l !== undefined) ? (heldOutLabels as number[]) : undefined,
        contrastLabels: contrastLabels.every((l) => l !== undefined) ? (contrastLabels as number[]) : undefined,
        indices: { discovery: split.discovery, heldOut: split.heldOut },
      },
      {
        batch: deps.integerOption(args, 'batch', 16, 1, 4096),
        compare: args.options.has('compare'),
        dataset: { id: ds.id, ...(ds.sha256 ? { sha256: ds.sha256 } : {}) },
        onProgress: (p) => {
          if (!json && process.stderr.isTTY) process.stderr.write(`\r${p.stage} ${p.done}/${p.total}   `);
        },
      },
    );
    if (!json && process.stderr.isTTY) process.stderr.write('\n');
    const text = JSON.stringify(circuit, null, 2);
    if (typeof out === 'string') writeFileSync(out, text + '\n');
    const label = (t: string) => model.summary.layers.find((l) => l.tensor === t)?.label ?? t;
    console.log(json ? text : formatCircuit(circuit, label) + (typeof out === 'string' ? `\nwritten to ${out}` : ''));
  } finally {
    await model.release();
  }
  return 0;
}
