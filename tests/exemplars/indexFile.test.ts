/**
 * Index files: the binary layout round-trips every array; damaged or foreign files are refused
 * with a reason; shards of a dataset merge into exactly the index of a single pass (with the real
 * model and scenes, and through the CLI's --shard/--merge).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset, type SceneDataset } from '../../src/engine/data/datasets';
import { decodeIndexFile, encodeIndexFile, mergeIndexFiles, offsetRanking, type IndexFile } from '../../src/engine/exemplars/indexFile';
import { indexDataset, type ImageSource } from '../../src/engine/exemplars/indexer';
import { LayerIndex, type LayerIndexSnapshot } from '../../src/engine/exemplars/layerIndex';
import { sceneSource } from '../../src/engine/exemplars/sceneSource';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { REPO_ROOT } from '../setup/fixturePaths';
import { loadTestBanks } from '../synth/banks';

const SHA_M = 'a'.repeat(64);
const SHA_D = 'b'.repeat(64);
const L3 = '/stage3/block0/relu2/Relu_output_0';

/** An index over `count` images with pseudo-random tables (ties included), rows from `start`. */
function synthetic(count: number, channels: number, k: number, seed: number, start = 0): LayerIndexSnapshot {
  const index = new LayerIndex('layer/x', channels, count, k);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
  const max = new Float32Array(count * channels).map(() => Math.round(rnd() * 20) / 4 - 1);
  const mean = max.map((v) => v / 2);
  index.add(0, max, mean);
  const snap = index.snapshot();
  return { ...snap, top: offsetRanking(snap.top, start), bottom: offsetRanking(snap.bottom, start) };
}

function file(layers: LayerIndexSnapshot[], start: number, end: number, total: number, model = SHA_M, dataset = SHA_D): IndexFile {
  return {
    header: { schema: 'lab.index/1', model: { name: 'm.onnx', sha256: model }, dataset: { id: 'd', sha256: dataset, count: total }, shard: { start, end }, createdBy: 'test' },
    layers,
  };
}

describe('index file format', () => {
  it('round-trips header and every array bit for bit', () => {
    const a = synthetic(37, 5, 4, 1);
    const b = { ...synthetic(37, 3, 2, 2), tensor: 'other' };
    const f = file([a, b], 0, 37, 37);
    const bytes = encodeIndexFile(f);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('LABINDEX');
    const back = decodeIndexFile(bytes);
    expect(back).toEqual(f);
    expect(back.layers[0].max).toBeInstanceOf(Float32Array);
    expect(back.layers[0].top.values).toBeInstanceOf(Float64Array);
    // A restored index answers like the original.
    expect(LayerIndex.restore(back.layers[0]).stats(2)).toEqual(LayerIndex.restore(a).stats(2));
  });

  it('refuses damaged and foreign files with a reason', () => {
    const bytes = encodeIndexFile(file([synthetic(10, 2, 3, 3)], 0, 10, 10));
    expect(() => decodeIndexFile(new TextEncoder().encode('{"schema":"lab.exemplars/1"}'))).toThrow(/does not start with LABINDEX/);
    expect(() => decodeIndexFile(bytes.subarray(0, bytes.length - 9))).toThrow(/cut off/);
    expect(() => decodeIndexFile(bytes.subarray(0, 40))).toThrow(/header is cut off/);
    const wrongSchema = file([synthetic(10, 2, 3, 3)], 0, 10, 10);
    (wrongSchema.header as { schema: string }).schema = 'lab.index/9';
    expect(() => decodeIndexFile(encodeIndexFile(wrongSchema))).toThrow(/schema "lab.index\/9"/);
    expect(() => decodeIndexFile(encodeIndexFile(file([synthetic(10, 2, 3, 3)], 0, 10, 10, 'nope')))).toThrow(/sha256/);
    expect(() => decodeIndexFile(encodeIndexFile(file([synthetic(10, 2, 3, 3)], 0, 9, 10)))).toThrow(/does not fit the image range/);
  });
});

describe('merging shards', () => {
  it('equals one pass over synthetic tables with ties, in any order', () => {
    const whole = synthetic(50, 6, 5, 7);
    const rows = (from: number, to: number): LayerIndexSnapshot => {
      const idx = new LayerIndex('layer/x', 6, to - from, 5);
      idx.add(0, whole.max.slice(from * 6, to * 6), whole.mean.slice(from * 6, to * 6));
      const s = idx.snapshot();
      return { ...s, top: offsetRanking(s.top, from), bottom: offsetRanking(s.bottom, from) };
    };
    const shards = [file([rows(30, 50)], 30, 50, 50), file([rows(0, 13)], 0, 13, 50), file([rows(13, 30)], 13, 30, 50)];
    const merged = mergeIndexFiles(shards);
    expect(merged.layers[0]).toEqual(whole);
    expect(merged.header.shard).toEqual({ start: 0, end: 50 });
    // Any order of the shards gives the same.
    expect(mergeIndexFiles([shards[1], shards[2], shards[0]]).layers[0]).toEqual(whole);
  });

  it('refuses gaps, overlaps, other models and other datasets', () => {
    const s = (a: number, b: number, model = SHA_M, dataset = SHA_D) => file([synthetic(b - a, 2, 2, a + 1, a)], a, b, 20, model, dataset);
    expect(() => mergeIndexFiles([s(0, 10), s(12, 20)])).toThrow(/No shard covers images 10–11/);
    expect(() => mergeIndexFiles([s(0, 10)])).toThrow(/No shard covers images 10–19/);
    expect(() => mergeIndexFiles([s(0, 12), s(10, 20)])).toThrow(/overlap at image 10/);
    expect(() => mergeIndexFiles([s(0, 10), s(10, 20, 'c'.repeat(64))])).toThrow(/different models/);
    expect(() => mergeIndexFiles([s(0, 10), s(10, 20, SHA_M, 'd'.repeat(64))])).toThrow(/different datasets/);
    // The same shard twice, and a shard with a layer more than the others.
    expect(() => mergeIndexFiles([s(0, 10), s(0, 10), s(10, 20)])).toThrow(/overlap at image 0/);
    const extra = s(10, 20);
    extra.layers.push({ ...synthetic(10, 2, 2, 3, 10), tensor: 'layer/y' });
    expect(() => mergeIndexFiles([s(0, 10), extra])).toThrow(/shard from image 10 holds layers layer\/x, layer\/y, the others layer\/x/);
  });
});

describe('shards of real scenes through the built-in model', () => {
  const N = 120;
  let ds: SceneDataset;
  let model: LoadedModel;
  let dir = '';
  beforeAll(async () => {
    ds = await openDataset('scenes-test', loadTestBanks(), { count: N });
    model = await LoadedModel.open(nodeRuntime(), new Uint8Array(readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx'))), 'placeholder-fmnist.onnx');
    dir = mkdtempSync(join(tmpdir(), 'lab-indexfile-'));
  });
  afterAll(async () => {
    await model.release();
    rmSync(dir, { recursive: true, force: true });
  });

  const slice = (src: ImageSource, start: number, end: number): ImageSource => ({ id: 's', count: end - start, load: (a, b) => src.load(start + a, start + b) });

  it('merged shards equal a single pass (same batches: bit for bit)', async () => {
    const source = sceneSource(ds);
    const single = (await indexDataset(model, source, { layers: [L3], k: 7, batch: 20 })).layers.get(L3)!.snapshot();
    const bounds = [0, 40, 80, 120];
    const shards: IndexFile[] = [];
    for (let i = 0; i < 3; i++) {
      const [a, b] = [bounds[i], bounds[i + 1]];
      const s = (await indexDataset(model, slice(source, a, b), { layers: [L3], k: 7, batch: 20 })).layers.get(L3)!.snapshot();
      shards.push(decodeIndexFile(encodeIndexFile(file([{ ...s, top: offsetRanking(s.top, a), bottom: offsetRanking(s.bottom, a) }], a, b, N))));
    }
    expect(mergeIndexFiles(shards.reverse()).layers[0]).toEqual(single);
  });

  it('the CLI writes shards with --shard and joins them with --merge into the single-pass file', async () => {
    const run = (args: string[]) => promisify(execFile)(process.execPath, ['bin/lab.mjs', 'exemplars', ...args], { cwd: REPO_ROOT, maxBuffer: 2 ** 26 });
    // A shard index on disk: the first N scenes as `npm run data` would write them.
    const { writeFileSync } = await import('node:fs');
    const { generateDataset, encodeShardIndex } = await import('../../src/engine/data/shards');
    const shard = generateDataset({ split: 'test', variant: 'balanced', seed: 1, count: N }, loadTestBanks());
    writeFileSync(join(dir, 'scenes.json'), encodeShardIndex(shard.index));
    writeFileSync(join(dir, 'scenes.u8'), shard.pixels);
    const m = 'models/placeholder-fmnist.onnx';
    const common = [join(dir, 'scenes.json'), '--layer', L3, '--k', '5', '--batch', '20', '--units', '0'];
    await run([m, ...common, '--out', join(dir, 'all.idx')]);
    for (const [i, n] of [[0, 3], [1, 3], [2, 3]]) await run([m, ...common, '--shard', `${i}/${n}`, '--out', join(dir, `s${i}.idx`)]);
    const { stdout } = await run(['--merge', join(dir, 's2.idx'), join(dir, 's0.idx'), join(dir, 's1.idx'), '--out', join(dir, 'merged.idx')]);
    expect(stdout).toMatch(/merged 3 shard/);
    const all = decodeIndexFile(new Uint8Array(readFileSync(join(dir, 'all.idx'))));
    const merged = decodeIndexFile(new Uint8Array(readFileSync(join(dir, 'merged.idx'))));
    expect(merged).toEqual(all);
    // The file names the model and the dataset by sha256 (the shard's bytes: the built-in dataset's hash).
    expect(all.header.model.sha256).toBe(model.summary.sha256);
    expect(all.header.dataset.sha256).toBe(ds.info.sha256);
    // A gap is refused with a message, exit code 1.
    await expect(run(['--merge', join(dir, 's0.idx'), join(dir, 's2.idx'), '--out', join(dir, 'x.idx')])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/No shard covers images 40–79/) });
  }, 120_000);
});
