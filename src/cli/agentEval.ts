/**
 * `lab agent-eval`: score unit descriptions the MAIA way. With --describe, one description of
 * one unit (a researcher's own hypothesis): predictive scores, plus precision/recall against the
 * ground truth when the model ships synthetic-unit formulas. Without it, the describer
 * benchmark over a layer's units, one table per unit kind (lab.agent-eval/1, docs/cli.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBanks, openDataset } from '../engine/data/datasets';
import { topActivations } from '../engine/agent/eval/activations';
import { BUILTIN_DESCRIBERS, runBenchmark, type BenchmarkResult, type KindSummary } from '../engine/agent/eval/benchmark';
import { readSyntheticUnits } from '../engine/agent/eval/groundTruth';
import { attributeMatch, scoreDescription } from '../engine/agent/eval/score';
import { LabError } from '../engine/errors';
import { metadata } from '../engine/onnx/model';
import type { Parsed } from './args';
import { AGENT_EVAL_EXPERIMENT_OPTIONS, agentEvalExperiment } from './agentEvalExperiment';
import { JSON_OPTION, THREADS_OPTION, usageError, type CommandHelp } from './command';
import { shardRange } from './exemplarsCommand';
import { integerOption, openModel, parseUnit, resolveLayers } from './modelArgs';

export const AGENT_EVAL_HELP: CommandHelp = {
  name: 'agent-eval',
  summary: 'score unit descriptions (MAIA predictive protocol; precision/recall against synthetic ground truth)',
  usage: [
    'lab agent-eval MODEL.onnx --layer L --unit U --describe "TEXT" [--exemplars N] [--seed S] [--json]',
    'lab agent-eval MODEL.onnx [--layer L] [--units 0,5,7] [--describers groundtruth,netdissect,control] [--exemplars N] [--shard i/n] [--json]',
    'lab agent-eval --experiment spurious [MODEL.onnx] [--reference MODEL.onnx] [--layer L] [--per-class 50] [--draws 5] [--samples 3] [--swaps 3] [--seed S] [--count N] [--out FILE] [--json]',
    'lab agent-eval --experiment failures [MODEL.onnx ...] [--samples 4] [--seed S] [--count N] [--out FILE] [--json]',
  ],
  args: [{ name: 'MODEL.onnx', help: 'the model (models/synthetic-units.onnx carries ground truth; any scene model works for predictive scores)' }],
  options: [
    { name: 'layer', value: 'L', help: "the layer (tensor name or `lab inspect` label); default: the synthetic units' layer" },
    { name: 'unit', value: 'U', help: 'with --describe: the unit to score' },
    { name: 'describe', value: 'TEXT', help: 'a description to score ("red items or bags"), read with the scene grammar' },
    { name: 'units', value: '0,5,7', help: 'benchmark only these units (default: all of the layer)' },
    { name: 'describers', value: 'A,B', help: `benchmark describers, of ${BUILTIN_DESCRIBERS.join(', ')} (default: all that apply)` },
    { name: 'exemplars', value: 'N', help: 'scenes of scenes-test for the top-exemplar activation and NetDissect (default 1000)' },
    { name: 'seed', value: 'S', help: 'seed of the predicted scenes (default 0)' },
    { name: 'descriptions', value: 'NAME=FILE', help: 'also benchmark a describer whose descriptions are in FILE: `lab agent --json` output (lab.agent/1; each unit\'s label) or {"unit": "text"}; repeat with commas' },
    { name: 'shard', value: 'i/n', help: 'benchmark only part i (from 0) of n equal parts of the units; rows of the parts concatenate' },
    ...AGENT_EVAL_EXPERIMENT_OPTIONS.filter((o) => o.name !== 'seed'),
    THREADS_OPTION,
    JSON_OPTION,
  ],
  examples: [
    'npx lab agent-eval models/synthetic-units.onnx --layer units --unit 21 --describe "striped items" --json',
    'npx lab agent-eval models/synthetic-units.onnx --units 0,24,44 --describers groundtruth,netdissect,control',
    'npx lab agent-eval models/scenes-balanced.onnx --layer stage3.block2.relu2 --units 0,1,2 --describers netdissect,control',
    'npx lab agent-eval --experiment failures models/scenes-spurious.onnx --count 2000',
  ],
  notes: [
    'Predictive scores: 10 scenes drawn to satisfy the description and 10 to violate it; score = mean unit activation (spatial max) on each set / the top exemplar activation over the first N scenes of scenes-test.',
    'precision/recall compare the attributes the description names with the formula\'s (models/synthetic-units.card.json lists them).',
  ],
};

/** `NAME=FILE[,NAME=FILE]`: descriptions per unit from lab.agent/1 documents (the label) or plain {unit: text} maps. */
export function readDescriptions(spec: string): Record<string, Record<number, string>> {
  const out: Record<string, Record<number, string>> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 1) throw new Error('--descriptions takes NAME=FILE');
    const name = part.slice(0, eq);
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(part.slice(eq + 1), 'utf8'));
    } catch (err) {
      throw new LabError('bad-request', `Cannot read ${part.slice(eq + 1)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const o = doc as { schema?: string; units?: Array<{ unit: number; label?: string | null; description?: string | null }> };
    const map: Record<number, string> = {};
    if (o.schema === 'lab.agent/1' && Array.isArray(o.units)) {
      for (const u of o.units) {
        const text = u.label ?? u.description;
        if (typeof text === 'string' && text.trim()) map[u.unit] = text;
      }
    } else for (const [k, v] of Object.entries(doc as Record<string, unknown>)) if (typeof v === 'string') map[Number(k)] = v;
    out[name] = map;
  }
  return out;
}

async function nodeBanks() {
  const assets = fileURLToPath(new URL('../../assets/', import.meta.url));
  return loadBanks(async (name) => new Uint8Array(readFileSync(join(assets, name))));
}

const f3 = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(3));

export function formatSummary(summary: readonly KindSummary[]): string {
  const out: string[] = [];
  for (const kind of [...new Set(summary.map((s) => s.kind))]) {
    out.push(`${kind} units`, '  describer      units  positive  neutral  precision  recall');
    for (const s of summary.filter((x) => x.kind === kind)) {
      out.push(`  ${s.describer.padEnd(13)} ${String(s.units).padStart(5)}  ${f3(s.positive).padStart(8)}  ${f3(s.neutral).padStart(7)}  ${f3(s.precision).padStart(9)}  ${f3(s.recall).padStart(6)}`);
    }
  }
  return out.join('\n');
}

function formatRows(r: BenchmarkResult): string {
  return r.rows.map((x) => `#${x.unit} ${x.kind} ${x.describer}: "${x.description}" pos ${f3(x.positive)} neu ${f3(x.neutral)}${x.recall === undefined ? '' : ` P ${f3(x.precision)} R ${f3(x.recall)} (truth: ${x.groundTruth})`}`).join('\n');
}

export async function agentEvalCommand(args: Parsed): Promise<number> {
  // MAIA's two applied experiments (spurious-feature removal, failure discovery): ./agentEvalExperiment.
  if (args.options.has('experiment')) return agentEvalExperiment(args, { openModel, resolveLayers });
  const json = args.options.has('json');
  const [modelPath] = args.positionals;
  if (!modelPath || args.positionals.length !== 1) throw usageError(AGENT_EVAL_HELP, 'lab agent-eval takes one MODEL.onnx');
  const model = await openModel(modelPath, args);
  try {
    const truth = readSyntheticUnits(metadata(model.model));
    const layerOpt = args.options.get('layer');
    const layerSpec = typeof layerOpt === 'string' ? layerOpt : truth?.layer;
    if (!layerSpec) throw usageError(AGENT_EVAL_HELP, `${modelPath} has no synthetic units: name a --layer`);
    const [layer] = resolveLayers(model.summary, layerSpec);
    const exemplars = integerOption(args, 'exemplars', 1000, 1, 100000);
    const seed = integerOption(args, 'seed', 0, 0, 2 ** 31 - 1);
    const banks = await nodeBanks();
    const dataset = await openDataset('scenes-test', banks, { count: exemplars, cacheScenes: 0 });
    const ground = truth && truth.layer === layer.tensor ? truth : null;
    const describe = args.options.get('describe');
    if (describe !== undefined) {
      if (typeof describe !== 'string' || describe.trim() === '') throw usageError(AGENT_EVAL_HELP, '--describe takes the text of a description');
      const unitOpt = args.options.get('unit');
      if (typeof unitOpt !== 'string') throw usageError(AGENT_EVAL_HELP, '--describe needs --unit U');
      const unit = parseUnit(unitOpt, layer.channels);
      const top = await topActivations(model, layer.tensor, dataset, exemplars);
      const s = await scoreDescription(model, layer.tensor, unit, describe, { banks, topActivation: top[unit], seed });
      const gt = ground?.units[unit];
      const doc = {
        schema: 'lab.agent-eval/1',
        model: { name: model.summary.name, sha256: model.summary.sha256 },
        layer: layer.tensor,
        unit,
        description: describe,
        attributes: s.parsed.attributes,
        disjuncts: s.parsed.disjuncts,
        ignored: s.parsed.ignored,
        positive: s.positive,
        neutral: s.neutral,
        topActivation: s.topActivation,
        exemplars: dataset.count,
        seed,
        positiveActivations: s.positiveActivations,
        neutralActivations: s.neutralActivations,
        positiveScenes: s.positiveScenes,
        neutralScenes: s.neutralScenes,
        ...(gt ? { groundTruth: { formula: gt.text, description: gt.description, kind: gt.kind }, ...attributeMatch(s.parsed.attributes, gt.attributes) } : {}),
      };
      if (json) console.log(JSON.stringify(doc, null, 2));
      else {
        console.log(`${layer.label} #${unit}: "${describe}" → ${s.parsed.attributes.join(', ') || '(nothing understood)'}${s.parsed.ignored.length ? ` (ignored: ${s.parsed.ignored.join(' ')})` : ''}`);
        console.log(`positive ${f3(s.positive)}  neutral ${f3(s.neutral)}  (top exemplar ${f3(s.topActivation)} over ${dataset.count} scenes)`);
        if (gt) console.log(`ground truth: ${gt.text} ("${gt.description}")  precision ${f3(doc.precision)}  recall ${f3(doc.recall)}`);
      }
      return 0;
    }
    if (args.options.has('unit')) throw usageError(AGENT_EVAL_HELP, '--unit goes with --describe; the benchmark takes --units');
    const unitsOpt = args.options.get('units');
    let units = typeof unitsOpt === 'string' ? unitsOpt.split(',').map((u) => parseUnit(u.trim(), layer.channels)) : Array.from({ length: layer.channels }, (_, i) => i);
    const shard = args.options.get('shard');
    if (typeof shard === 'string') {
      const { start, end } = shardRange(shard, units.length);
      units = units.slice(start, end);
    }
    const dOpt = args.options.get('describers');
    const descOpt = args.options.get('descriptions');
    const external = typeof descOpt === 'string' ? readDescriptions(descOpt) : {};
    const describers = [
      ...(typeof dOpt === 'string' ? dOpt.split(',').map((d) => d.trim()) : BUILTIN_DESCRIBERS.filter((d) => d !== 'groundtruth' || ground)),
      ...Object.keys(external),
    ];
    const started = performance.now();
    const result = await runBenchmark(model, {
      layer: layer.tensor,
      units,
      describers,
      truth: ground,
      banks,
      dataset,
      exemplars,
      seed,
      external,
      onProgress: (done, total, what) => {
        if (!json && process.stderr.isTTY) process.stderr.write(`\r${done}/${total} ${what}        `);
      },
    });
    if (!json && process.stderr.isTTY) process.stderr.write('\n');
    const seconds = (performance.now() - started) / 1000;
    if (json) {
      console.log(JSON.stringify({ schema: 'lab.agent-eval/1', model: { name: model.summary.name, sha256: model.summary.sha256 }, layer: layer.tensor, exemplars: dataset.count, seed, seconds, units, describers, rows: result.rows, summary: result.summary }, null, 2));
    } else {
      console.log(formatRows(result));
      console.log('');
      console.log(formatSummary(result.summary));
      console.log(`(${units.length} units, ${seconds.toFixed(1)} s)`);
    }
  } finally {
    await model.release();
  }
  return 0;
}

