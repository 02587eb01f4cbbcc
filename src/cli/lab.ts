/**
 * `lab` — the engine on the command line (onnxruntime-node).
 *   lab inspect MODEL.onnx [--json]
 *   lab run MODEL.onnx IMAGE… [--layers L1,L2] [--size H,W] [--mean r,g,b] [--std r,g,b] [--json]
 *   lab exemplars MODEL.onnx DATASET --layer L [--out INDEX] …  ·  lab exemplars --merge A B … --out C
 *   lab upscale IN.png OUT.png [--model M.onnx] [--tile N] [--overlap N] [--json]
 * JSON output follows the schemas documented in docs/cli.md ("lab.inspect/1", "lab.run/1").
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { LabError, asLabError } from '../engine/errors';
import { LoadedModel } from '../engine/lab/loadedModel';
import { nodeRuntime } from '../engine/runtime/node';
import type { Layer, ModelSummary, Preprocess } from '../engine/types';
import { toPrediction } from '../worker/handlers';
import { MAX_MODEL_BYTES } from '../worker/protocol';
import { numberList, parseArgs, type Parsed } from './args';
import { decodeImageFile } from './decode';
import { formatInspect, formatRun, inspectJson, runJson, type RunRecord } from './format';
import { exemplarsCommand } from './exemplarsCommand';
import { UPSCALE_USAGE, upscaleCommand } from './upscale';
import { GRAD_USAGE, gradCommand } from './grad';
import { AGENT_USAGE, agentCommand } from './agent';

const USAGE = `usage:
  lab inspect MODEL.onnx [--json]
  lab run MODEL.onnx IMAGE... [--layers L1,L2|all] [--size H,W] [--mean r,g,b] [--std r,g,b] [--batch N] [--json]
  lab exemplars MODEL.onnx DATASET --layer L[,L2] [--units 0,5,7] [--k 15] [--batch N] [--fit stretch|center-crop|pad]
                [--out INDEX] [--shard i/n] [--json]
      DATASET: a built-in id (scenes-test), a folder of images, a manifest (URL or .json path),
               or a shard index (NAME.json beside NAME.u8)
  lab exemplars --merge SHARD1 SHARD2 ... --out INDEX
  ${UPSCALE_USAGE}
  ${GRAD_USAGE}
  ${AGENT_USAGE}`;

const VALUED = new Set(['layers', 'layer', 'units', 'k', 'size', 'mean', 'std', 'batch', 'threads', 'model', 'tile', 'overlap', 'out', 'shard', 'fit', 'target', 'wrt', 'reduce']);

function preprocessOverride(args: Parsed): Partial<Omit<Preprocess, 'source'>> {
  const out: Partial<Omit<Preprocess, 'source'>> = {};
  const size = args.options.get('size');
  if (typeof size === 'string') {
    const s = numberList('size', size, [1, 2]);
    if (s.some((v) => !Number.isInteger(v) || v < 1 || v > 4096)) throw new Error('--size takes whole numbers from 1 to 4096');
    out.size = s.length === 1 ? [s[0], s[0]] : [s[0], s[1]];
  }
  const mean = args.options.get('mean');
  if (typeof mean === 'string') out.mean = numberList('mean', mean, [3]) as [number, number, number];
  const std = args.options.get('std');
  if (typeof std === 'string') {
    out.std = numberList('std', std, [3]) as [number, number, number];
    if (out.std.some((v) => v <= 0)) throw new Error('--std values must be positive');
  }
  return out;
}

async function openModel(path: string, args: Parsed): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    const size = statSync(path).size;
    if (size > MAX_MODEL_BYTES) throw new LabError('too-large', `${path} is ${Math.round(size / 2 ** 20)} MB; the limit is ${MAX_MODEL_BYTES / 2 ** 20} MB.`);
    bytes = new Uint8Array(readFileSync(path));
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError('bad-model', `Cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const threads = args.options.get('threads');
  return LoadedModel.open(nodeRuntime(), bytes, basename(path), {
    preprocess: preprocessOverride(args),
    session: { threads: typeof threads === 'string' ? Number(threads) : undefined },
  });
}

function integerOption(args: Parsed, name: string, fallback: number, min: number, max: number): number {
  const v = args.options.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} takes a whole number from ${min} to ${max}`);
  return n;
}

function parseUnit(text: string, channels: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n >= channels) throw new LabError('bad-request', `Unit "${text}" is not in 0..${channels - 1}.`);
  return n;
}

/** Resolves --layers names (tensor names or friendly labels, or "all") against the summary. */
export function resolveLayers(summary: ModelSummary, spec: string | true | undefined): Layer[] {
  if (spec === undefined || spec === true) return [];
  if (spec === 'all') return summary.layers;
  return spec.split(',').map((name) => {
    const layer = summary.layers.find((l) => l.tensor === name || l.label === name);
    if (!layer) throw new LabError('bad-request', `Unknown layer "${name}". \`lab inspect\` lists the layers.`);
    return layer;
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  // lab agent parses its own options (src/cli/agent.ts)
  if (command === 'agent') return agentCommand(rest, { openModel, resolveLayers });
  const args = parseArgs(rest, VALUED);
  const json = args.options.has('json');
  if (command === 'inspect') {
    if (args.positionals.length !== 1) throw new Error('lab inspect takes one MODEL.onnx');
    const model = await openModel(args.positionals[0], args);
    try {
      console.log(json ? JSON.stringify(inspectJson(model.summary), null, 2) : formatInspect(model.summary));
    } finally {
      await model.release();
    }
    return 0;
  }
  if (command === 'run') {
    const [modelPath, ...images] = args.positionals;
    if (!modelPath || images.length === 0) throw new Error('lab run takes MODEL.onnx and at least one IMAGE');
    const model = await openModel(modelPath, args);
    try {
      const layers = resolveLayers(model.summary, args.options.get('layers'));
      const batchOpt = args.options.get('batch');
      const batch = typeof batchOpt === 'string' ? Math.max(1, Number(batchOpt) | 0) : 16;
      const records: RunRecord[] = [];
      for (let i = 0; i < images.length; i += batch) {
        const files = images.slice(i, i + batch);
        const raws = files.map(decodeImageFile);
        const result = await model.run({ images: raws, layers: layers.map((l) => l.tensor) });
        const classes = result.logits.dims[1];
        files.forEach((file, n) => {
          const logits = { dims: [1, classes], data: result.logits.data.slice(n * classes, (n + 1) * classes) };
          const stats = layers.map((l) => ({
            layer: l,
            max: Array.from(result.stats[l.tensor].max.data.slice(n * l.channels, (n + 1) * l.channels)),
            mean: Array.from(result.stats[l.tensor].mean.data.slice(n * l.channels, (n + 1) * l.channels)),
          }));
          records.push({ file, prediction: toPrediction(logits, model.summary.labels, 0), stats });
        });
      }
      console.log(json ? JSON.stringify(runJson(model.summary, records), null, 2) : formatRun(model.summary, records));
    } finally {
      await model.release();
    }
    return 0;
  }
  if (command === 'exemplars') return exemplarsCommand(args, { openModel, resolveLayers, integerOption, parseUnit });
  if (command === 'upscale') return upscaleCommand(args, json);
  if (command === 'grad') return gradCommand(args, json, { openModel, resolveLayers });
  throw new Error(`Unknown command "${command}".\n${USAGE}`);
}

/** Exits once stdout has drained: process.exit() alone truncates large output written to a pipe. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exitAfterFlush, (err: unknown) => {
  const e = asLabError(err);
  console.error(`lab: ${e.code === 'internal' ? '' : `[${e.code}] `}${e.message}`);
  exitAfterFlush(e.code === 'internal' ? 2 : 1);
});
