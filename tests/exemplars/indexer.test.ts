/** Indexing real images through the built-in model: rankings, skipped files, resume, CLI. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderSource } from '../../src/cli/sources';
import { indexDataset } from '../../src/engine/exemplars/indexer';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { REPO_ROOT } from '../setup/fixturePaths';

const MODEL = join(REPO_ROOT, 'models/placeholder-fmnist.onnx');
let dir = '';
let model: LoadedModel;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-exemplars-'));
  let s = 99;
  for (let i = 0; i < 40; i++) {
    const png = new PNG({ width: 64, height: 64 });
    const level = (i * 37) % 256;
    for (let p = 0; p < png.data.length; p += 4) {
      s = (s * 1103515245 + 12345) >>> 0;
      const v = (level + ((s >>> 16) % 64)) % 256;
      png.data[p] = v;
      png.data[p + 1] = (v * 3) % 256;
      png.data[p + 2] = 255 - v;
      png.data[p + 3] = 255;
    }
    writeFileSync(join(dir, `img-${String(i).padStart(2, '0')}.png`), PNG.sync.write(png));
  }
  writeFileSync(join(dir, 'img-17-corrupt.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]));
  model = await LoadedModel.open(nodeRuntime(), new Uint8Array(readFileSync(MODEL)), 'placeholder');
});
afterAll(async () => {
  await model.release();
  rmSync(dir, { recursive: true, force: true });
});

const layerOf = (label: string) => model.summary.layers.find((l) => l.label === label)!;

describe('indexDataset', () => {
  it('ranks images by spatial max exactly as a full sort of its own table, and reports the bad file', async () => {
    const source = folderSource(dir);
    const layer = layerOf('stage2.block0.relu2');
    const progress: number[] = [];
    const { layers, skipped } = await indexDataset(model, source, { layers: [layer.tensor], k: 5, batch: 8, onProgress: (p) => progress.push(p.done) });
    expect(skipped).toEqual([source.names.indexOf('img-17-corrupt.png')]);
    expect(source.failures.get('img-17-corrupt.png')).toMatch(/cannot decode/);
    expect(progress[progress.length - 1]).toBe(41);
    const index = layers.get(layer.tensor)!;
    for (const unit of [0, 5, 31]) {
      const column = Array.from(index.unitColumn(unit), (value, i) => ({ index: i, value })).filter((r) => !Number.isNaN(r.value));
      column.sort((a, b) => b.value - a.value || a.index - b.index);
      expect(index.stats(unit).top).toEqual(column.slice(0, 5));
    }
    // The table's rows equal a direct probed run on those images.
    const direct = await model.run({ images: (await source.load(0, 3)) as never, layers: [layer.tensor] });
    expect(Array.from(index.max.subarray(0, 3 * layer.channels))).toEqual(Array.from(direct.stats[layer.tensor].max.data));
  });

  it('resumes after a cancel and ends where one pass ends', async () => {
    const source = folderSource(dir);
    const layer = layerOf('stage3.block0.relu2');
    const once = await indexDataset(model, source, { layers: [layer.tensor], batch: 8 });
    const controller = new AbortController();
    const resume = new Map();
    await expect(
      indexDataset(model, source, {
        layers: [layer.tensor],
        batch: 8,
        signal: controller.signal,
        resume,
        onProgress: (p) => p.done >= 16 && controller.abort(),
      }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    const partial = resume.get(layer.tensor)!;
    expect(partial.done).toBe(16);
    const seen: number[] = [];
    const resumed = await indexDataset(model, source, { layers: [layer.tensor], batch: 8, resume, onProgress: (p) => seen.push(p.done) });
    expect(seen[0]).toBe(24); // continued, not restarted
    const a = once.layers.get(layer.tensor)!;
    const b2 = resumed.layers.get(layer.tensor)!;
    expect(b2).toBe(partial);
    expect(Array.from(b2.max)).toEqual(Array.from(a.max));
    for (let u = 0; u < layer.channels; u += 9) expect(b2.stats(u)).toEqual(a.stats(u));
  });
});

describe('lab exemplars', () => {
  it('prints the lab.exemplars/1 document with top-k, histogram and the unreadable file', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(REPO_ROOT, 'bin/lab.mjs'), 'exemplars', MODEL, dir, '--layer', 'stage3.block0.relu2', '--units', '0,3', '--k', '4', '--json'],
      { cwd: REPO_ROOT, maxBuffer: 2 ** 26 },
    );
    const doc = JSON.parse(stdout);
    expect(doc.schema).toBe('lab.exemplars/1');
    // A folder opens as the tab opens it: the unreadable file is listed and is not a position.
    expect(doc.dataset.count).toBe(40);
    expect(doc.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.dataset.skipped).toEqual([]);
    expect(doc.dataset.unreadable).toEqual([{ name: 'img-17-corrupt.png', reason: expect.stringMatching(/cannot decode/) }]);
    expect(doc.units.map((u: { unit: number }) => u.unit)).toEqual([0, 3]);
    const u0 = doc.units[0];
    expect(u0.top).toHaveLength(4);
    expect(u0.top[0].value).toBeGreaterThanOrEqual(u0.top[3].value);
    expect(u0.histogram.counts.reduce((a: number, b: number) => a + b, 0)).toBe(40);
    expect(u0.max).toBeCloseTo(u0.top[0].value, 5);
  });
});
