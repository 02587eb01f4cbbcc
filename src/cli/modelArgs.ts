/** What several `lab` commands share: opening a model with --size/--mean/--std/--threads, layer and unit arguments. */
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LabError } from '../engine/errors';
import { LoadedModel } from '../engine/lab/loadedModel';
import { nodeRuntime } from '../engine/runtime/node';
import type { Layer, ModelSummary, Preprocess } from '../engine/types';
import { MAX_MODEL_BYTES, checkModelSize } from '../engine/lab/sizeLimits';
import { numberList, type Parsed } from './args';

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

/** The file's bytes without a copy (a Buffer is a Uint8Array over a pooled or own ArrayBuffer). */
const view = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export async function openModel(path: string, args: Parsed): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    checkModelSize(path, statSync(path).size, MAX_MODEL_BYTES);
    bytes = view(readFileSync(path));
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError('bad-model', `Cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const threads = args.options.get('threads');
  return LoadedModel.open(nodeRuntime(), bytes, basename(path), {
    preprocess: preprocessOverride(args),
    session: { threads: typeof threads === 'string' ? Number(threads) : undefined },
    // External data (model.onnx + model.onnx.data) sits beside the model file.
    readDataFile: async (location) => view(await readFile(join(dirname(path), location))),
  });
}

export function integerOption(args: Parsed, name: string, fallback: number, min: number, max: number): number {
  const v = args.options.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} takes a whole number from ${min} to ${max}`);
  return n;
}

export function parseUnit(text: string, channels: number): number {
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
