/**
 * `lab agent-eval --experiment spurious|failures`: MAIA's two applied experiments on the scene
 * classifiers. `spurious` classifies the last feature layer's units of scenes-spurious (or MODEL)
 * with the agent's edits and scores the kept units' regression against all units, random and
 * ℓ1-selected subsets of the same size and scenes-balanced (`lab.agent-eval.spurious/1`);
 * `failures` reports each classifier's predicted failure groups with precision@5 against the test
 * set's worst groups (`lab.agent-eval.failures/1`). The lead wires this into `lab agent-eval`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failureDiscovery, type FailureReport } from '../engine/agent/eval/failures';
import { lastFeatureLayer, spuriousRemoval, type SpuriousReport } from '../engine/agent/eval/spurious';
import { loadBanks, openDataset } from '../engine/data/datasets';
import { LabError } from '../engine/errors';
import type { LoadedModel } from '../engine/lab/loadedModel';
import type { Layer } from '../engine/types';
import type { Parsed } from './args';
import { numberOption, textOption } from './optionValues';
import type { OptionHelp } from './command';

export const AGENT_EVAL_EXPERIMENT_OPTIONS: OptionHelp[] = [
  { name: 'experiment', value: 'spurious|failures', help: 'spurious: remove background-driven units of scenes-spurious by the agent\'s edits and refit; failures: the groups the agent predicts a classifier gets wrong' },
  { name: 'reference', value: 'MODEL.onnx', help: 'spurious: the upper-bound model, all its units (default models/scenes-balanced.onnx)' },
  { name: 'per-class', value: 'N', help: 'spurious: balanced training scenes per class for the regression (default 50)' },
  { name: 'draws', value: 'N', help: 'spurious: random subsets of the kept size (default 5; mean ± sd)' },
  { name: 'swaps', value: 'N', help: 'spurious: background and item swaps per probe scene (default 3)' },
  { name: 'samples', value: 'N', help: 'text2image samples per class (spurious, default 3) or per group (failures, default 4)' },
  { name: 'count', value: 'N', help: 'use only the first N scenes of scenes-test (quick runs)' },
  { name: 'seed', value: 'S', help: 'seed of the probes, the split and the random subsets (default 0)' },
  { name: 'out', value: 'FILE', help: 'also write the JSON document to FILE' },
];

export interface ExperimentDeps {
  openModel: (path: string, args: Parsed) => Promise<LoadedModel>;
  resolveLayers: (summary: LoadedModel['summary'], spec: string) => Layer[];
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));

const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '—');

export function spuriousTable(r: SpuriousReport): string {
  const rw = r.rows;
  const lines = [
    `units of ${r.layer}: ${r.kept.length} of ${r.units.length} item-selective (kept) — ${r.probes.images} images, ${r.probes.toolCalls} tool calls, ${(r.probes.ms / 1000).toFixed(1)} s`,
    `regression on ${r.perClass} balanced scenes per class, scored on ${r.test} test scenes (seed ${r.seed})`,
    'units                      | balanced | worst group',
    `kept by the agent (${r.kept.length})`.padEnd(27) + `| ${pct(rw.kept.balancedAccuracy).padEnd(8)} | ${pct(rw.kept.worstGroup.accuracy)} (${rw.kept.worstGroup.group})`,
    `all (${rw.all.units})`.padEnd(27) + `| ${pct(rw.all.balancedAccuracy).padEnd(8)} | ${pct(rw.all.worstGroup.accuracy)} (${rw.all.worstGroup.group})`,
    `random ${r.kept.length} (${rw.random.draws} draws)`.padEnd(27) + `| ${pct(rw.random.balancedAccuracy.mean)} ± ${(100 * rw.random.balancedAccuracy.sd).toFixed(1)} | ${pct(rw.random.worstGroup.mean)} ± ${(100 * rw.random.worstGroup.sd).toFixed(1)}`,
    `ℓ1-selected ${rw.l1.units.length}`.padEnd(27) + `| ${pct(rw.l1.balancedAccuracy).padEnd(8)} | ${pct(rw.l1.worstGroup.accuracy)} (${rw.l1.worstGroup.group})`,
  ];
  if (rw.reference) lines.push(`${rw.reference.model}, all ${rw.reference.units}`.padEnd(27) + `| ${pct(rw.reference.balancedAccuracy).padEnd(8)} | ${pct(rw.reference.worstGroup.accuracy)} (${rw.reference.worstGroup.group})`);
  return lines.join('\n');
}

export function failuresTable(r: FailureReport): string {
  return [
    `${r.model}: ${r.toolCalls} tool calls, ${(r.ms / 1000).toFixed(1)} s, ${r.test} test scenes`,
    ...r.families.map(
      (f) =>
        `  ${f.family}: precision@5 ${f.precisionAt5.toFixed(2)} (chance ${f.chance.toFixed(2)}; ${f.worstTied} groups at or below the fifth worst, ${pct(f.worst[4]?.accuracy ?? NaN)})\n` +
        `    agent: ${f.predicted.map((p) => `${p.group} (${pct(p.errorRate)} wrong)`).join(', ')}\n` +
        `    test:  ${f.worst.map((w) => `${w.group} (${pct(w.accuracy)})`).join(', ')}`,
    ),
  ].join('\n');
}

export async function agentEvalExperiment(args: Parsed, deps: ExperimentDeps): Promise<number> {
  const experiment = textOption(args, 'experiment');
  if (experiment !== 'spurious' && experiment !== 'failures') throw new LabError('bad-request', '--experiment takes spurious or failures.');
  const json = args.options.has('json');
  const seed = numberOption(args, 'seed', 0, 0, 2 ** 31 - 1);
  const count = args.options.has('count') ? numberOption(args, 'count', 0, 200, 1_000_000) : undefined;
  const banks = await loadBanks(async (name) => new Uint8Array(readFileSync(join(REPO, 'assets', name))));
  const dataset = await openDataset('scenes-test', banks, count ? { count } : {});
  const say = (s: string) => {
    if (!json && process.stderr.isTTY) process.stderr.write(`  ${s}\n`);
  };
  let doc: SpuriousReport | { schema: 'lab.agent-eval.failures-set/1'; models: FailureReport[] };
  if (experiment === 'spurious') {
    const model = await deps.openModel(args.positionals[0] ?? join(REPO, 'models/scenes-spurious.onnx'), args);
    const reference = await deps.openModel(textOption(args, 'reference') ?? join(REPO, 'models/scenes-balanced.onnx'), args);
    try {
      const spec = textOption(args, 'layer');
      const layer = spec ? deps.resolveLayers(model.summary, spec)[0].tensor : lastFeatureLayer(model);
      doc = await spuriousRemoval({
        model,
        banks,
        layer,
        seed,
        dataset,
        samples: numberOption(args, 'samples', 3, 1, 8),
        swaps: numberOption(args, 'swaps', 3, 1, 9),
        perClass: numberOption(args, 'per-class', 50, 2, 500),
        randomDraws: numberOption(args, 'draws', 5, 1, 100),
        reference: { model: reference, layer: lastFeatureLayer(reference), name: reference.summary.name.replace(/\.onnx$/, '') },
        onStage: say,
      });
      if (!json) console.log(spuriousTable(doc));
    } finally {
      await model.release();
      await reference.release();
    }
  } else {
    const paths = args.positionals.length ? args.positionals : ['models/scenes-spurious.onnx', 'models/scenes-balanced.onnx'].map((p) => join(REPO, p));
    const models: FailureReport[] = [];
    for (const path of paths) {
      const model = await deps.openModel(path, args);
      try {
        const r = await failureDiscovery({ model, name: model.summary.name.replace(/\.onnx$/, ''), banks, dataset, seed, samples: numberOption(args, 'samples', 4, 1, 8), onStage: say });
        models.push(r);
        if (!json) console.log(failuresTable(r));
      } finally {
        await model.release();
      }
    }
    doc = { schema: 'lab.agent-eval.failures-set/1', models };
  }
  const text = JSON.stringify(doc, null, 2);
  const out = textOption(args, 'out');
  if (out) writeFileSync(out, text);
  if (json) console.log(text);
  return 0;
}
