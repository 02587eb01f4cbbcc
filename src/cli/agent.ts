/**
 * `lab agent MODEL DATASET --layer L --unit U`: the interpretability agent on the command line.
 * Runs the offline planner (default) or a model behind an OpenAI-compatible or Anthropic API on
 * one unit or several (`--units 0-63`, `--shard i/n` for a job's share), prints `lab.agent/1`
 * (description, label, rounds, tool calls, timings) and optionally writes each run's
 * `lab.agent-transcript/1` (--transcript FILE). The API key is read from an environment variable
 * (--api-key-env) and never printed, logged or written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '../engine/agent/clients';
import { mergeAgentDocs, parseAgentDoc } from '../engine/batch/agentMerge';
import { createOfflineClient } from '../engine/agent/clients/offline';
import { ImageStore } from '../engine/agent/imageStore';
import { AgentRun, DEFAULT_ROUNDS } from '../engine/agent/loop';
import { indexingExemplars } from '../engine/agent/tools/exemplarSource';
import type { VisionDescriber } from '../engine/agent/tools';
import { stringifyTranscript, toTranscript } from '../engine/agent/transcript';
import type { AgentRunSettings, BackendKind, BackendSettings } from '../engine/agent/types';
import { findDataset, loadBanks, openDataset } from '../engine/data/datasets';
import { LabError } from '../engine/errors';
import { decodeIndexFile } from '../engine/exemplars/indexFile';
import { LayerIndex } from '../engine/exemplars/layerIndex';
import type { LoadedModel } from '../engine/lab/loadedModel';
import type { Layer } from '../engine/types';
import type { Parsed } from './args';
import { numberOption, textOption } from './optionValues';
import { JSON_OPTION, THREADS_OPTION, usageError, type CommandHelp } from './command';
import { shardRange } from './exemplarsCommand';

export const AGENT_HELP: CommandHelp = {
  name: 'agent',
  summary: 'the interpretability agent (MAIA) on units of a layer: a description and label per unit (offline by default)',
  usage: [
    'lab agent MODEL.onnx DATASET --layer L (--unit U | --units 0-63) [--shard i/n] [--backend offline|openai|anthropic] [--base-url URL] [--model NAME] [--api-key-env VAR] [--sees-images] [--tool-mode native|json-in-text] [--rounds 25] [--seed S] [--temperature T] [--max-failures N] [--transcript FILE] [--index INDEX] [--count N] [--threads N] [--out FILE] [--json]',
    'lab agent --merge SHARD1.json SHARD2.json ... --out FILE [--json]',
  ],
  args: [
    { name: 'MODEL.onnx', help: 'the model whose units are described' },
    { name: 'DATASET', help: 'a built-in scene dataset (scenes-test): its scene attributes feed the statistics and the describer' },
    { name: 'SHARD…', help: 'with --merge: lab.agent/1 files written by --shard i/n --out of one run' },
  ],
  options: [
    { name: 'layer', value: 'L', help: 'the layer (tensor name or label); required' },
    { name: 'unit', value: 'U', help: 'one unit of the layer' },
    { name: 'units', value: '0-63', help: 'several units in sequence: numbers and ranges (0,5,7-9)' },
    { name: 'shard', value: 'i/n', help: "this job's share of --units (for job arrays)" },
    { name: 'backend', value: 'offline|openai|anthropic', help: 'who designs the experiments: the offline planner (default, no model, no key) or a model behind an OpenAI-compatible or Anthropic API' },
    { name: 'base-url', value: 'URL', help: "the API's base URL (OpenAI, vLLM, Ollama, llama.cpp server; docs/agent-backends.md)" },
    { name: 'model', value: 'NAME', help: "the backend's model id (default: the first one it lists)" },
    { name: 'api-key-env', value: 'VAR', help: 'environment variable holding the key (default OPENAI_API_KEY or ANTHROPIC_API_KEY); the key is never printed or written' },
    { name: 'sees-images', help: 'the model accepts image parts (otherwise images go as captions)' },
    { name: 'tool-mode', value: 'native|json-in-text', help: 'native tool calls (default) or the JSON-in-text fallback' },
    { name: 'rounds', value: 'N', help: 'round cap, after which the agent is asked for its conclusion (default 25)' },
    { name: 'seed', value: 'S', help: 'seed of generated scenes and the planner (default 0)' },
    { name: 'temperature', value: 'T', help: "the backend's sampling temperature (0 to 2)" },
    { name: 'max-failures', value: 'N', help: 'consecutive failures after which a run pauses (default 3)' },
    { name: 'transcript', value: 'FILE', help: 'write each run as lab.agent-transcript/1 ({unit} in the name is replaced; else .uN is added for several units)' },
    { name: 'index', value: 'INDEX', help: 'an exemplar index from `lab exemplars --out` (skips indexing the layer)' },
    { name: 'count', value: 'N', help: 'use only the first N scenes of the dataset (quick runs)' },
    THREADS_OPTION,
    { name: 'out', value: 'FILE', help: 'also write the lab.agent/1 document (with --merge: the merged one)' },
    { name: 'merge', help: 'merge the SHARD files of one run (every shard once, every unit once) into --out' },
    JSON_OPTION,
  ],
  examples: [
    'npx lab agent models/scenes-balanced.onnx scenes-test --layer stage3.block2.relu2 --unit 1 --count 2000',
    'npx lab agent --merge part0.json part1.json --out all.json',
  ],
  notes: ['The JSON document lab.agent/1 and the transcript lab.agent-transcript/1 are specified in docs/cli.md.'],
};

export interface AgentDeps {
  openModel: (path: string, args: Parsed) => Promise<LoadedModel>;
  resolveLayers: (summary: LoadedModel['summary'], spec: string) => Layer[];
}

/** "0-63", "3", "0,5,7-9" → unit numbers in order, each in 0..channels−1. */
export function parseUnits(spec: string, channels: number): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new LabError('bad-request', `--units takes numbers and ranges such as 0-63 or 0,5,7 (got "${part}").`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b >= channels) throw new LabError('bad-request', `Units ${part} are not within 0..${channels - 1}.`);
    for (let u = a; u <= b; u++) out.push(u);
  }
  return out;
}

function transcriptPath(spec: string, unit: number, many: boolean): string {
  if (spec.includes('{unit}')) return spec.replace(/\{unit\}/g, String(unit));
  if (!many) return spec;
  const dot = spec.lastIndexOf('.');
  return dot > 0 ? `${spec.slice(0, dot)}.u${unit}${spec.slice(dot)}` : `${spec}.u${unit}`;
}

/** `--merge A B … --out C`: the shards of one run joined, or a refusal naming what does not fit. */
function mergeCommand(args: Parsed, json: boolean): number {
  const out = args.options.get('out');
  if (typeof out !== 'string') throw usageError(AGENT_HELP, 'lab agent --merge A B … takes --out FILE');
  const docs = args.positionals.map((name) => {
    if (!existsSync(name)) throw new LabError('bad-request', `No shard file at ${name}.`);
    return { name, doc: parseAgentDoc(readFileSync(name, 'utf8'), name) };
  });
  const merged = mergeAgentDocs(docs);
  writeFileSync(out, JSON.stringify(merged, null, 2));
  if (json) console.log(JSON.stringify(merged, null, 2));
  else console.log(`merged ${docs.length} shard(s): ${merged.units.length} unit(s) of ${merged.layer.label} → ${out}`);
  return merged.units.every((u) => u.status === 'done') ? 0 : 1;
}

export async function agentCommand(args: Parsed, deps: AgentDeps): Promise<number> {
  if (args.options.has('merge')) return mergeCommand(args, args.options.has('json'));
  const json = args.options.has('json');
  const [modelPath, datasetId] = args.positionals;
  const layerSpec = textOption(args, 'layer');
  if (!modelPath || !datasetId || !layerSpec) throw usageError(AGENT_HELP, 'lab agent takes MODEL.onnx DATASET --layer L');
  if (!findDataset(datasetId)) throw new LabError('bad-request', `lab agent works on a built-in scene dataset (scenes-test): its scene attributes feed the exemplars' statistics and the describer (got "${datasetId.slice(0, 60)}").`);
  const kind = (textOption(args, 'backend') ?? 'offline') as BackendKind;
  if (!['offline', 'openai', 'anthropic'].includes(kind)) throw new LabError('bad-request', '--backend takes offline, openai or anthropic.');
  const unitSpec = textOption(args, 'units') ?? textOption(args, 'unit');
  if (unitSpec === undefined) throw new LabError('bad-request', 'lab agent takes --unit U or --units 0-63.');
  const rounds = numberOption(args, 'rounds', DEFAULT_ROUNDS, 1, 200);
  const seed = numberOption(args, 'seed', 0, 0, 2 ** 31 - 1);
  const maxFailures = numberOption(args, 'max-failures', 3, 1, 100);
  const keyEnv = textOption(args, 'api-key-env') ?? (kind === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY');
  const backend: BackendSettings = {
    kind,
    seesImages: args.options.has('sees-images'),
    ...(textOption(args, 'base-url') ? { baseUrl: textOption(args, 'base-url') } : {}),
    ...(textOption(args, 'model') ? { model: textOption(args, 'model') } : {}),
    ...(args.options.has('temperature') ? { temperature: numberOption(args, 'temperature', 0, 0, 2, false) } : {}),
  };
  const toolMode = textOption(args, 'tool-mode');
  if (toolMode !== undefined) {
    if (toolMode !== 'native' && toolMode !== 'json-in-text') throw new LabError('bad-request', '--tool-mode takes native or json-in-text.');
    backend.toolMode = toolMode;
  }
  const createRemote = kind === 'offline' ? null : createClient;
  const apiKey = kind === 'offline' ? undefined : process.env[keyEnv];

  const started = performance.now();
  const model = await deps.openModel(modelPath, args);
  try {
    const [layer] = deps.resolveLayers(model.summary, layerSpec);
    if (!layer || layer.shape.length !== 4) throw new LabError('bad-request', `${layerSpec} has no spatial map; the agent studies units of convolutional layers.`);
    const requested = parseUnits(unitSpec, layer.channels);
    let units = requested;
    const shard = textOption(args, 'shard');
    if (shard) {
      const { start, end } = shardRange(shard, units.length);
      units = units.slice(start, end);
    }
    const assets = fileURLToPath(new URL('../../assets/', import.meta.url));
    const banks = await loadBanks(async (name) => new Uint8Array(readFileSync(join(assets, name))));
    const count = args.options.has('count') ? numberOption(args, 'count', 0, 1, 1_000_000) : undefined;
    const dataset = await openDataset(datasetId, banks, count ? { count } : {});
    const known = new Map<string, LayerIndex>();
    const indexPath = textOption(args, 'index');
    if (indexPath) {
      if (!existsSync(indexPath)) throw new LabError('bad-request', `No index file at ${indexPath}.`);
      const file = decodeIndexFile(new Uint8Array(readFileSync(indexPath)));
      if (file.header.dataset.sha256 !== dataset.info.sha256 || file.header.model.sha256 !== model.summary.sha256) {
        throw new LabError('bad-request', `${indexPath} indexes another model or dataset (${file.header.model.name} on ${file.header.dataset.id}).`);
      }
      for (const s of file.layers) if (s.done === s.count) known.set(s.tensor, LayerIndex.restore(s));
    }
    const exemplars = indexingExemplars(model, dataset, known);
    const results = [];
    let unfinished = 0;
    for (const unit of units) {
      const settings: AgentRunSettings = { subject: { kind: 'unit', layer: layer.tensor, unit }, backend: { ...backend, ...(apiKey ? { apiKey } : {}) }, rounds, seed, maxFailures };
      const client = createRemote ? createRemote(settings.backend) : createOfflineClient();
      const vision: VisionDescriber | undefined = createRemote && backend.seesImages ? { client, name: backend.model ?? kind } : undefined;
      const images = new ImageStore();
      const t0 = performance.now();
      const run = new AgentRun({
        settings,
        client,
        ctx: { model, subject: settings.subject, banks, dataset, exemplars, images, seed, ...(vision ? { vision } : {}) },
        onEvent: (e) => {
          if (json || !process.stderr.isTTY) return;
          if (e.type === 'tool') process.stderr.write(`  unit ${unit} round ${e.round}: ${e.call.name} ${e.result.ok ? 'ok' : 'failed'} (${e.ms} ms)\n`);
          if (e.type === 'fault') process.stderr.write(`  unit ${unit} round ${e.round}: ${e.code}: ${e.message.slice(0, 160)}\n`);
        },
      });
      await run.run();
      const totalMs = Math.round(performance.now() - t0);
      const toolMs = run.events.reduce((a, e) => a + (e.type === 'tool' ? e.ms : 0), 0);
      const hyps = [...run.events].reverse().find((e) => e.type === 'hypotheses');
      const transcriptSpec = textOption(args, 'transcript');
      let transcript: string | undefined;
      if (transcriptSpec) {
        transcript = transcriptPath(transcriptSpec, unit, units.length > 1);
        const doc = toTranscript(run, settings, { model: { name: model.summary.name, sha256: model.summary.sha256 }, dataset: { id: dataset.info.id, sha256: dataset.info.sha256 } }, images.all());
        writeFileSync(transcript, stringifyTranscript(doc));
      }
      if (run.state !== 'done') unfinished++;
      const row = {
        layer: layer.label,
        tensor: layer.tensor,
        unit,
        status: run.state === 'done' ? 'done' : 'paused',
        description: run.result?.description ?? null,
        label: run.result?.label ?? null,
        ...(run.pauseReason ? { pausedReason: run.pauseReason } : {}),
        rounds: run.round,
        toolCalls: run.toolCalls,
        faults: run.events.filter((e) => e.type === 'fault').length,
        hypotheses: hyps && hyps.type === 'hypotheses' ? hyps.items : [],
        tokens: run.usage,
        timings: { totalMs, toolMs, modelMs: Math.max(0, totalMs - toolMs) },
        ...(transcript ? { transcript } : {}),
      };
      results.push(row);
      if (!json) console.log(`unit ${unit} · ${row.label ?? `(${row.status}: ${row.pausedReason})`}\n  ${row.description ?? ''}\n  ${row.rounds} rounds, ${row.toolCalls} tool calls, ${(totalMs / 1000).toFixed(1)} s`);
    }
    const doc = {
      schema: 'lab.agent/1',
      model: { name: model.summary.name, sha256: model.summary.sha256 },
      dataset: { id: dataset.info.id, sha256: dataset.info.sha256, count: dataset.count },
      backend: { kind, ...(backend.model ? { model: backend.model } : {}), ...(backend.baseUrl ? { baseUrl: backend.baseUrl } : {}), seesImages: backend.seesImages, ...(backend.toolMode ? { toolMode: backend.toolMode } : {}) },
      layer: { label: layer.label, tensor: layer.tensor },
      rounds,
      seed,
      ...(shard ? { requested, shard } : {}),
      units: results,
      timings: { totalMs: Math.round(performance.now() - started) },
    };
    if (json) console.log(JSON.stringify(doc, null, 2));
    const out = textOption(args, 'out');
    if (out) writeFileSync(out, JSON.stringify(doc, null, 2));
    return unfinished ? 1 : 0;
  } finally {
    await model.release();
  }
}
