/**
 * `lab exemplars`: index a dataset through a model at one or more layers (a built-in id, a folder,
 * a manifest URL or path, or a shard index), print the lab.exemplars/1 document, and optionally
 * write an index file (--out; --shard i/n for one part of the dataset); `--merge A B … --out C`
 * joins shard files into the index of the whole dataset.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { findDataset } from '../engine/data/datasets';
import { isFitMode, type FitMode } from '../engine/data/imageFit';
import { datasetPreprocess } from '../engine/data/imageDataset';
import { LabError } from '../engine/errors';
import { decodeIndexFile, encodeIndexFile, mergeIndexFiles, offsetRanking, type IndexFile } from '../engine/exemplars/indexFile';
import { indexDataset, type ImageSource, type IndexResult } from '../engine/exemplars/indexer';
import { LayerIndex } from '../engine/exemplars/layerIndex';
import type { LoadedModel } from '../engine/lab/loadedModel';
import type { Layer } from '../engine/types';
import type { Parsed } from './args';
import { JSON_OPTION, PREPROCESS_OPTIONS, THREADS_OPTION, usageError, type CommandHelp } from './command';
import { imageDiskSource, openImageDataset } from './exemplarsDataset';
import { exemplarsJson, formatExemplars } from './exemplarsFormat';
import { builtinSource, diskSource, type DiskSource } from './sources';

export const EXEMPLARS_HELP: CommandHelp = {
  name: 'exemplars',
  summary: "index a dataset through a model: each unit's top and bottom exemplars and statistics",
  usage: [
    'lab exemplars MODEL.onnx DATASET --layer L[,L2] [--units 0,5,7] [--k 15] [--batch N] [--fit stretch|center-crop|pad] [--out INDEX] [--shard i/n] [--json]',
    'lab exemplars --merge SHARD1 SHARD2 ... --out INDEX',
  ],
  args: [
    { name: 'MODEL.onnx', help: 'the model' },
    { name: 'DATASET', help: 'a built-in id (scenes-test), a folder of images (subfolders are labels), a manifest (URL or .json path), or a shard index (NAME.json beside NAME.u8)' },
    { name: 'SHARD…', help: 'with --merge: index files written by --out --shard i/n, of one dataset and model' },
  ],
  options: [
    { name: 'layer', value: 'L[,L2]', help: 'the layers to index (tensor names or `lab inspect` labels); required' },
    { name: 'units', value: '0,5,7', help: 'the units to print (default: all)' },
    { name: 'k', value: 'N', help: 'exemplars kept per unit, top and bottom (default 15, at most 1000)' },
    { name: 'batch', value: 'N', help: 'images per session run (default 32)' },
    { name: 'fit', value: 'stretch|center-crop|pad', help: "how folder and manifest images are fitted to the model's input (default stretch)" },
    { name: 'out', value: 'INDEX', help: 'also write the index file (imports into the Exemplars panel; with --merge: the merged file)' },
    { name: 'shard', value: 'i/n', help: 'index only part i (from 0) of n equal parts; --merge joins the parts' },
    { name: 'merge', help: 'merge the SHARD files into the index of the whole dataset (needs --out)' },
    ...PREPROCESS_OPTIONS,
    THREADS_OPTION,
    JSON_OPTION,
  ],
  examples: [
    'npx lab exemplars models/scenes-balanced.onnx scenes-test --layer stage3.block0.relu2 --units 3 --k 15',
    'npx lab exemplars models/scenes-balanced.onnx scenes-test --layer stage3.block0.relu2 --shard 0/2 --out part0.idx',
    'npx lab exemplars --merge part0.idx part1.idx --out all.idx',
  ],
};

export interface ExemplarsDeps {
  openModel: (path: string, args: Parsed) => Promise<LoadedModel>;
  resolveLayers: (summary: LoadedModel['summary'], spec: string) => Layer[];
  integerOption: (args: Parsed, name: string, fallback: number, min: number, max: number) => number;
  parseUnit: (text: string, channels: number) => number;
}

/** "i/n": part i (from 0) of n equal parts of `count` images. */
export function shardRange(spec: string, count: number): { start: number; end: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!(n >= 1 && i >= 0 && i < n)) throw new Error('--shard takes i/n with 0 ≤ i < n (e.g. 0/4)');
  return { start: Math.floor((i * count) / n), end: Math.floor(((i + 1) * count) / n) };
}

function fitOption(args: Parsed): FitMode {
  const v = args.options.get('fit') ?? 'stretch';
  if (!isFitMode(v)) throw new Error('--fit takes stretch, center-crop or pad');
  return v;
}

/** A dataset argument under a model: built-in id, shard index, folder or manifest. */
async function openSource(arg: string, model: LoadedModel, args: Parsed): Promise<{ source: DiskSource; preprocess: ReturnType<typeof datasetPreprocess> }> {
  if (findDataset(arg)) return { source: await builtinSource(arg), preprocess: undefined };
  if (/\.json$/i.test(arg) && existsSync(arg.replace(/\.json$/i, '.u8'))) return { source: diskSource(arg), preprocess: undefined };
  const p = model.summary.preprocess;
  // --mean/--std already changed the model's preprocessing (openModel); the dataset records them.
  const prep = { size: p.size, fit: fitOption(args), ...(p.source === 'override' ? { mean: p.mean, std: p.std } : {}) };
  const ds = await openImageDataset(arg, prep);
  return { source: imageDiskSource(ds), preprocess: datasetPreprocess(p, ds.info.prep) };
}

function sliceSource(source: ImageSource, start: number, end: number): ImageSource {
  return { id: `${source.id}[${start},${end})`, count: end - start, load: (s, e) => source.load(start + s, start + e) };
}

function merge(args: Parsed): number {
  const out = args.options.get('out');
  if (typeof out !== 'string') throw usageError(EXEMPLARS_HELP, 'lab exemplars --merge A B … takes --out FILE');
  if (args.positionals.length < 1) throw usageError(EXEMPLARS_HELP, 'lab exemplars --merge takes the index files to merge');
  const files = args.positionals.map((path) => {
    try {
      return decodeIndexFile(new Uint8Array(readFileSync(path)));
    } catch (err) {
      if (err instanceof LabError) throw new LabError(err.code, `${path}: ${err.message}`);
      throw new LabError('bad-request', `Cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const merged = mergeIndexFiles(files);
  writeFileSync(out, encodeIndexFile(merged));
  const h = merged.header;
  console.log(`merged ${files.length} shard(s) of ${h.dataset.id} (${h.dataset.count} images) for ${h.model.name}: ${merged.layers.map((l) => l.tensor).join(', ')} → ${out}`);
  return 0;
}

export async function exemplarsCommand(args: Parsed, deps: ExemplarsDeps): Promise<number> {
  if (args.options.has('merge')) return merge(args);
  const json = args.options.has('json');
  const [modelPath, datasetArg] = args.positionals;
  const layerSpec = args.options.get('layer');
  if (!modelPath || !datasetArg || typeof layerSpec !== 'string') throw usageError(EXEMPLARS_HELP, 'lab exemplars takes MODEL.onnx DATASET --layer L');
  const out = args.options.get('out');
  if (out === true) throw new Error('--out needs a file name');
  const model = await deps.openModel(modelPath, args);
  try {
    const layers = deps.resolveLayers(model.summary, layerSpec);
    const { source, preprocess } = await openSource(datasetArg, model, args);
    const shardOpt = args.options.get('shard');
    const { start, end } = typeof shardOpt === 'string' ? shardRange(shardOpt, source.count) : { start: 0, end: source.count };
    if (end <= start) throw new LabError('bad-request', `Shard ${String(shardOpt)} of ${source.count} images is empty.`);
    const k = deps.integerOption(args, 'k', 15, 1, 1000);
    const started = performance.now();
    const raw = await indexDataset(model, sliceSource(source, start, end), {
      layers: layers.map((l) => l.tensor),
      k,
      batch: deps.integerOption(args, 'batch', 32, 1, 4096),
      preprocess,
      onProgress: (p) => {
        if (!json && process.stderr.isTTY) process.stderr.write(`\r${p.done}/${p.total} images, ${p.imagesPerSecond.toFixed(0)}/s`);
      },
    });
    if (!json && process.stderr.isTTY) process.stderr.write('\n');
    const seconds = (performance.now() - started) / 1000;
    // Image indices of the dataset, not of the shard.
    const snapshots = layers.map((l) => {
      const s = raw.layers.get(l.tensor)!.snapshot();
      return { ...s, top: offsetRanking(s.top, start), bottom: offsetRanking(s.bottom, start) };
    });
    if (typeof out === 'string') {
      if (!source.sha256) throw new LabError('bad-request', `${datasetArg} has no content hash, so its index cannot be written.`);
      const file: IndexFile = {
        header: {
          schema: 'lab.index/1',
          model: { name: model.summary.name, sha256: model.summary.sha256 },
          dataset: { id: source.id, sha256: source.sha256, count: source.count },
          shard: { start, end },
          createdBy: 'lab exemplars (onnxruntime-node)',
        },
        layers: snapshots,
      };
      writeFileSync(out, encodeIndexFile(file));
      if (!json) console.error(`index written to ${out}`);
    }
    const result: IndexResult = { layers: new Map(snapshots.map((s) => [s.tensor, LayerIndex.restore(s)])), skipped: raw.skipped.map((i) => i + start) };
    const unitsOpt = args.options.get('units');
    const docs = layers.map((layer) => {
      const units = typeof unitsOpt === 'string' ? unitsOpt.split(',').map((u) => deps.parseUnit(u, layer.channels)) : null;
      return exemplarsJson(model.summary, source, layer, result, units, seconds, { start, end });
    });
    if (json) console.log(JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2));
    else console.log(docs.map(formatExemplars).join('\n\n'));
  } finally {
    await model.release();
  }
  return 0;
}
