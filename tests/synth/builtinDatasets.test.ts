/** The built-in datasets (src/engine/data/datasets.ts) and their worker requests, under Node. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_DATASETS,
  DEFAULT_DATASET_ID,
  FILTER_KEYS,
  FILTER_VALUES,
  SceneDataset,
  checkFilter,
  facetCounts,
  filterIndices,
  findDataset,
  loadBanks,
  openDataset,
  type DatasetFilter,
} from '../../src/engine/data/datasets';
import { Sha256 } from '../../src/engine/data/sha256';
import { generateDataset, shardImage } from '../../src/engine/data/shards';
import type { LabError } from '../../src/engine/errors';
import type { Runtime } from '../../src/engine/runtime/types';
import type { SceneAttributes } from '../../src/engine/synth';
import { EngineHandlers } from '../../src/worker/handlers';
import type { Progress } from '../../src/worker/protocol';
import { ASSETS, loadTestBanks } from './banks';
import { mulberry32, picker } from '../store/prng';

/**
 * sha256 of the 10,000 balanced test scenes (N×64×64×3 uint8), as `npm run data` writes
 * data/fmnist-scenes-balanced-test.u8 (recorded from its index, generator version 1).
 */
const SCENES_TEST_SHA256 = 'b41e862a2d6b55ea9cad50fe59bda7f30e5d4a32be02c9b5b91150c43b042512';
const SHARD_INDEX = join(ASSETS, '..', 'data', 'fmnist-scenes-balanced-test.json');

const banks = loadTestBanks();
const def = findDataset(DEFAULT_DATASET_ID)!;
const N = 400;
const shard = generateDataset({ ...def.options, count: N }, banks);
const attrs: SceneAttributes[] = shard.index.attributes;

const signal = new AbortController().signal;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const codeOf = async (p: Promise<unknown>) => p.then(() => 'no error', (e: LabError) => e.code);
/** Naive reference filter. */
const passes = (a: SceneAttributes, f: DatasetFilter) =>
  (f.class === undefined || a.class === f.class) &&
  (f.color === undefined || a.color === f.color) &&
  (f.texture === undefined || a.texture === f.texture) &&
  (f.background === undefined || a.background.kind === f.background);

function randomFilter(rand: () => number): DatasetFilter {
  const { pick, chance } = picker(rand);
  const f: Record<string, string> = {};
  for (const k of FILTER_KEYS) if (chance(0.45)) f[k] = pick(FILTER_VALUES[k] as readonly string[]);
  return f as DatasetFilter;
}

describe('sha256', () => {
  it('matches node:crypto for any split of the input', () => {
    const rand = mulberry32(5);
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 12288 * 3 + 7]) {
      const data = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      const h = new Sha256();
      for (let i = 0; i < n; ) {
        const k = Math.min(n - i, 1 + Math.floor(rand() * 200));
        h.update(data.subarray(i, i + k));
        i += k;
      }
      expect(h.hex(), `length ${n}`).toBe(sha(data));
    }
  });
});

describe('registry and filters', () => {
  it('scenes-test is the default: the balanced test shard of scripts/data.ts (seed 1)', () => {
    expect(DEFAULT_DATASET_ID).toBe('scenes-test');
    expect(BUILTIN_DATASETS.map((d) => d.id)).toEqual(['scenes-test']);
    expect(def.options).toEqual({ split: 'test', variant: 'balanced', seed: 1 });
  });

  it('checkFilter accepts the vocabulary and refuses anything else', () => {
    expect(checkFilter(undefined)).toEqual({});
    expect(checkFilter({ class: 'sneaker', color: undefined, texture: null })).toEqual({ class: 'sneaker' });
    expect(checkFilter({ class: 'bag', color: 'red', texture: 'dots', background: 'water-sky' })).toEqual({
      class: 'bag', color: 'red', texture: 'dots', background: 'water-sky',
    });
    for (const bad of [{ class: 'shoe' }, { color: 'RED' }, { texture: 3 }, { background: 'photo' }, { size: 'big' }, 'class=bag', [1]]) {
      expect(() => checkFilter(bad), JSON.stringify(bad)).toThrow(/Unknown|must be an object/);
    }
    expect(() => filterIndices(attrs, { class: 'shoe' } as unknown as DatasetFilter)).toThrow(/Unknown class “shoe”/);
  });

  it('filterIndices agrees with a naive filter over the attributes (200 random filters)', () => {
    const rand = mulberry32(11);
    expect(filterIndices(attrs, {})).toEqual(attrs.map((_, i) => i));
    let nonEmpty = 0;
    for (let t = 0; t < 200; t++) {
      const f = randomFilter(rand);
      const want = attrs.flatMap((a, i) => (passes(a, f) ? [i] : []));
      expect(filterIndices(attrs, f), JSON.stringify(f)).toEqual(want);
      if (want.length > 0 && Object.keys(f).length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(50);
  });

  it('facetCounts: per value, the scenes passing the other filters', () => {
    const rand = mulberry32(12);
    for (let t = 0; t < 60; t++) {
      const f = t === 0 ? {} : randomFilter(rand);
      const counts = facetCounts(attrs, f);
      for (const key of FILTER_KEYS) {
        const values = FILTER_VALUES[key] as readonly string[];
        const want = values.map((v) => attrs.filter((a) => passes(a, { ...f, [key]: v })).length);
        expect(counts[key], `${key} ${JSON.stringify(f)}`).toEqual(want);
      }
    }
    // Unfiltered class counts add up to the whole set.
    expect(facetCounts(attrs, {}).class.reduce((a, b) => a + b, 0)).toBe(N);
  });
});

describe('an open dataset (first 400 scenes)', async () => {
  const progress: Array<[number, number]> = [];
  const ds = await openDataset(DEFAULT_DATASET_ID, banks, { count: N, cacheScenes: 50, onProgress: (n, t) => progress.push([n, t]) });

  it('hashes exactly the bytes the shard code writes, and reports progress', () => {
    expect(ds.count).toBe(N);
    expect(ds.info).toMatchObject({ id: 'scenes-test', count: N, seed: 1, split: 'test', variant: 'balanced', width: 64, height: 64 });
    expect(ds.info.sha256).toBe(sha(shard.pixels));
    expect(ds.info.classes).toHaveLength(10);
    expect(ds.info.backgroundKinds).toHaveLength(10);
    expect(progress[0]).toEqual([0, N]);
    expect(progress.at(-1)).toEqual([N, N]);
  });

  it('keeps each scene’s facets, equal to the rendered attributes', () => {
    ds.facets.forEach((f, i) => {
      expect(f).toEqual({ class: attrs[i].class, color: attrs[i].color, texture: attrs[i].texture, background: { kind: attrs[i].background.kind } });
    });
  });

  it('pages through a filter: items, attributes and images match the shard', () => {
    const f: DatasetFilter = { texture: 'stripes' };
    const want = filterIndices(attrs, f);
    const seen: number[] = [];
    for (let offset = 0; offset < want.length + 7; offset += 7) {
      const page = ds.page(f, offset, 7);
      expect(page.total).toBe(want.length);
      expect(page.offset).toBe(offset);
      expect(page.items.length).toBe(Math.max(0, Math.min(7, want.length - offset)));
      for (const it of page.items) {
        seen.push(it.index);
        expect(it.attributes).toEqual(attrs[it.index]);
        expect(it.image).toMatchObject({ width: 64, height: 64, channels: 3 });
        expect(Buffer.compare(Buffer.from(it.image.data), Buffer.from(shardImage(shard, it.index)))).toBe(0);
        // The image owns its buffer (the worker transfers it).
        expect(it.image.data.buffer.byteLength).toBe(64 * 64 * 3);
      }
    }
    expect(seen).toEqual(want);
    const page = ds.page(f, 1_000_000, 10);
    expect(page).toMatchObject({ total: want.length, items: [] });
    expect(page.counts).toEqual(facetCounts(attrs, f));
  });

  it('re-renders scenes evicted from its cache identically', () => {
    // cacheScenes 50: scene 0 has been evicted by the pages above
    for (const i of [0, 1, 399, 0]) expect(Buffer.compare(Buffer.from(ds.image(i).data), Buffer.from(shardImage(shard, i)))).toBe(0);
  });

  it('refuses bad pages and scenes', () => {
    expect(() => ds.page({}, -1, 10)).toThrow(/offset/);
    expect(() => ds.page({}, 0.5, 10)).toThrow(/offset/);
    expect(() => ds.page({}, 0, 257)).toThrow(/limit/);
    expect(() => ds.page({}, 0, -1)).toThrow(/limit/);
    expect(() => ds.page({ color: 'teal' } as unknown as DatasetFilter, 0, 10)).toThrow(/Unknown color/);
    expect(() => ds.scene(N)).toThrow(/no scene/);
  });

  it('can be cancelled while generating', async () => {
    const ac = new AbortController();
    const p = SceneDataset.open(def, banks, { count: 2000, signal: ac.signal, onProgress: (n) => n >= 250 && ac.abort() });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('unknown ids are refused', async () => {
    expect(await codeOf(openDataset('mnist', banks))).toBe('bad-request');
  });
});

describe('worker requests', () => {
  // Datasets do not touch the runtime.
  const reads: string[] = [];
  const handlers = new EngineHandlers({} as Runtime, {
    readAsset: async (name) => {
      reads.push(name);
      return new Uint8Array(readFileSync(join(ASSETS, name)));
    },
  });

  it('openDataset generates all 10,000 test scenes: the hash of the npm run data shard', async () => {
    const stages: Progress[] = [];
    const t0 = performance.now();
    const body = await handlers.handle({ kind: 'openDataset', id: 'scenes-test' }, signal, (p) => stages.push(p));
    if (body.kind !== 'openDataset') throw new Error('wrong body');
    const { info } = body;
    console.log(`scenes-test opened in Node in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(info).toMatchObject({ id: 'scenes-test', count: 10000, seed: 1 });
    expect(info.sha256).toBe(SCENES_TEST_SHA256);
    if (existsSync(SHARD_INDEX)) expect(info.sha256).toBe(JSON.parse(readFileSync(SHARD_INDEX, 'utf8')).sha256);
    expect(stages[0].stage).toBe('assets');
    expect(stages.at(-1)).toMatchObject({ stage: 'dataset', fraction: 1 });
    expect(stages.filter((p) => p.stage === 'dataset').length).toBeGreaterThan(20);
    expect(reads.sort()).toEqual(['backgrounds.bin.gz', 'backgrounds.json', 'fmnist-test.bin.gz']);
  });

  it('datasetPage answers from the open dataset (no second generation), filters and counts', async () => {
    const stages: string[] = [];
    const body = await handlers.handle(
      { kind: 'datasetPage', id: 'scenes-test', filter: { class: 'sneaker', color: 'red' }, offset: 0, limit: 48 },
      signal,
      (p) => stages.push(p.stage),
    );
    if (body.kind !== 'datasetPage') throw new Error('wrong body');
    expect(stages).toEqual([]);
    expect(body.total).toBeGreaterThan(50);
    expect(body.total).toBeLessThan(150);
    expect(body.items).toHaveLength(48);
    expect(body.items.every((it) => it.attributes.class === 'sneaker' && it.attributes.color === 'red')).toBe(true);
    expect(body.counts.class[7]).toBe(body.total); // sneaker is class 7
    expect(body.counts.color[0]).toBe(body.total); // red is colour 0
    // Classes are counted over the red scenes (the class filter itself left out).
    expect(body.counts.class.reduce((a, b) => a + b, 0)).toBeGreaterThan(body.total * 5);
  });

  it('refuses unknown datasets and filters as bad requests', async () => {
    expect(await codeOf(handlers.handle({ kind: 'openDataset', id: 'nope' }, signal, () => undefined))).toBe('bad-request');
    const bad = { kind: 'datasetPage', id: 'scenes-test', filter: { class: 'shoe' }, offset: 0, limit: 4 } as never;
    expect(await codeOf(handlers.handle(bad, signal, () => undefined))).toBe('bad-request');
  });

  it('a failing asset read is reported and retried on the next request', async () => {
    let fail = true;
    const h = new EngineHandlers({} as Runtime, {
      readAsset: async (name) => {
        if (fail) throw new Error(`no ${name}`);
        return new Uint8Array(readFileSync(join(ASSETS, name)));
      },
    });
    await expect(h.handle({ kind: 'openDataset', id: 'scenes-test' }, signal, () => undefined)).rejects.toThrow(/assets could not be loaded/);
    fail = false;
    const ac = new AbortController();
    // The second try gets past the assets (then is cancelled, to keep the test short).
    const stages: string[] = [];
    const p = h.handle({ kind: 'openDataset', id: 'scenes-test' }, ac.signal, (s) => {
      stages.push(s.stage);
      if (s.stage === 'dataset') ac.abort();
    });
    expect(await codeOf(p)).toBe('cancelled');
    expect(stages).toContain('dataset');
  });
});

describe('loadBanks', () => {
  it('reads the three committed assets through the injected reader (DecompressionStream gunzip)', async () => {
    const b = await loadBanks(async (name) => new Uint8Array(readFileSync(join(ASSETS, name))));
    expect(b.items.test!.count).toBe(10000);
    expect(b.backgrounds.count).toBe(banks.backgrounds.count);
    expect(Buffer.compare(Buffer.from(b.backgrounds.pixels), Buffer.from(banks.backgrounds.pixels))).toBe(0);
  });
});
