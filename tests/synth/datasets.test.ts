/** Dataset variants and the shard format. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeShardIndex,
  generateDataset,
  parseShard,
  sceneSpecAt,
  shardImage,
  shardName,
  type Shard,
} from '../../src/engine/data/shards';
import { BACKGROUND_KINDS, CLASSES, SPURIOUS_MAP, isBijective, render, type SceneAttributes } from '../../src/engine/synth';
import { loadTestBanks } from './banks';

const banks = loadTestBanks(); // test items stand in for the train bank (see banks.ts)

/** Pearson chi-square statistic of independence between class and background kind. */
function chiSquare(attrs: SceneAttributes[]): number {
  const K = BACKGROUND_KINDS.length;
  const table = CLASSES.map(() => new Array<number>(K).fill(0));
  for (const a of attrs) table[a.classIndex][BACKGROUND_KINDS.indexOf(a.background.kind)]++;
  const n = attrs.length;
  const rows = table.map((r) => r.reduce((x, y) => x + y, 0));
  const cols = BACKGROUND_KINDS.map((_, j) => table.reduce((x, r) => x + r[j], 0));
  let chi = 0;
  for (let i = 0; i < CLASSES.length; i++)
    for (let j = 0; j < K; j++) {
      const e = (rows[i] * cols[j]) / n;
      if (e > 0) chi += (table[i][j] - e) ** 2 / e;
    }
  return chi;
}
/** Byte equality without vitest's element-wise diff (large arrays). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}
const CHI2_81_P001 = 124.8; // chi-square critical value, 81 degrees of freedom, p = 0.001

describe('variants', () => {
  const n = 3000;
  const spuriousTrain = generateDataset({ split: 'train', variant: 'spurious', count: n, seed: 7 }, banks);
  const balancedTrain = generateDataset({ split: 'train', variant: 'balanced', count: n, seed: 7 }, banks);
  const spuriousTest = generateDataset({ split: 'test', variant: 'spurious', count: n, seed: 7 }, banks);
  const balancedTest = generateDataset({ split: 'test', variant: 'balanced', count: n, seed: 7 }, banks);

  it('the spurious map pairs the 10 classes with the 10 background kinds one to one', () => {
    expect(isBijective(SPURIOUS_MAP)).toBe(true);
    expect(spuriousTrain.index.spurious).toEqual({ map: SPURIOUS_MAP, rate: 0.95 });
    expect(spuriousTest.index.spurious).toBeNull();
  });

  it('spurious train: at least 93% of scenes (and 90% per class) sit on their class’s background kind', () => {
    const attrs = spuriousTrain.index.attributes;
    const on = attrs.filter((a) => a.background.kind === SPURIOUS_MAP[a.class]).length / attrs.length;
    expect(on).toBeGreaterThanOrEqual(0.93);
    expect(on).toBeLessThanOrEqual(0.97);
    for (const c of CLASSES) {
      const of = attrs.filter((a) => a.class === c);
      expect(of.filter((a) => a.background.kind === SPURIOUS_MAP[c]).length / of.length).toBeGreaterThan(0.9);
    }
    expect(chiSquare(attrs)).toBeGreaterThan(10 * CHI2_81_P001);
  });

  it('test sets (both variants) and balanced train are independent of class, and test sets agree byte for byte', () => {
    for (const d of [balancedTest, spuriousTest, balancedTrain]) {
      expect(chiSquare(d.index.attributes)).toBeLessThan(CHI2_81_P001);
      // each class: every kind present, none above 2× its fair share
      for (const c of CLASSES) {
        const of = d.index.attributes.filter((a) => a.class === c);
        for (const k of BACKGROUND_KINDS) {
          const share = of.filter((a) => a.background.kind === k).length / of.length;
          expect(share).toBeGreaterThan(0.02);
          expect(share).toBeLessThan(0.2);
        }
      }
    }
    expect(sameBytes(spuriousTest.pixels, balancedTest.pixels)).toBe(true);
  });

  it('balanced and spurious train share item, colour, texture and placement scene by scene', () => {
    const a = balancedTrain.index.attributes, b = spuriousTrain.index.attributes;
    const strip = (x: SceneAttributes) => JSON.stringify([x.class, x.itemIndex, x.color, x.spec.texture, x.scale, x.position, x.bbox]);
    expect(b.map(strip)).toEqual(a.map(strip));
    expect(b.filter((x, i) => x.background.kind !== a[i].background.kind).length).toBeGreaterThan(n / 2);
  });

  it('test scene i uses test item i', () => {
    balancedTest.index.attributes.forEach((a, i) => {
      expect(a.itemIndex).toBe(i);
      expect(a.split).toBe('test');
      expect(a.classIndex).toBe(banks.items.test!.labels[i]);
    });
  });

  it('covers every colour, texture and background kind', () => {
    const attrs = balancedTest.index.attributes;
    expect(new Set(attrs.map((a) => a.color)).size).toBe(10);
    expect(new Set(attrs.map((a) => a.texture)).size).toBe(4);
    expect(new Set(attrs.map((a) => a.background.kind)).size).toBe(10);
    const photos = attrs.filter((a) => a.background.type === 'photo');
    expect(photos.every((a) => a.background.source && a.background.licence && a.background.crop !== undefined)).toBe(true);
  });
});

describe('shards', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synth-shard-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const opts = { split: 'test' as const, variant: 'balanced' as const, count: 40, seed: 3 };

  it('write → read round-trips bytes and index; attributes re-render to the stored images', () => {
    const shard = generateDataset(opts, banks);
    const name = shardName(opts);
    expect(name).toBe('fmnist-scenes-balanced-test');
    writeFileSync(join(dir, `${name}.u8`), shard.pixels);
    writeFileSync(join(dir, `${name}.json`), encodeShardIndex(shard.index));
    const back: Shard = parseShard(readFileSync(join(dir, `${name}.json`), 'utf8'), new Uint8Array(readFileSync(join(dir, `${name}.u8`))));
    expect(sameBytes(back.pixels, shard.pixels)).toBe(true);
    expect(back.index).toEqual(JSON.parse(encodeShardIndex(shard.index)));
    expect(back.index).toMatchObject({ version: 1, count: 40, height: 64, width: 64, seed: 3, variant: 'balanced', split: 'test' });
    expect(back.index.classes).toEqual([...CLASSES]);
    expect(back.index.provenance).toBeTruthy();
    for (let i = 0; i < back.index.count; i++) expect(sameBytes(render(back.index.attributes[i].spec, banks).pixels, shardImage(back, i))).toBe(true);
  });

  it('rejects an index that does not fit the bytes', () => {
    const shard = generateDataset({ ...opts, count: 3 }, banks);
    expect(() => parseShard(encodeShardIndex(shard.index), shard.pixels.subarray(1))).toThrow(/bytes/);
    expect(() => parseShard({ ...shard.index, version: 99 }, shard.pixels)).toThrow(/version/);
    expect(() => shardImage(shard, 3)).toThrow();
  });

  it('scene i does not depend on the count', () => {
    const small = generateDataset({ ...opts, count: 5 }, banks);
    const big = generateDataset({ ...opts, count: 40 }, banks);
    expect(sameBytes(big.pixels.subarray(0, small.pixels.length), small.pixels)).toBe(true);
    expect(sceneSpecAt(opts, 4, banks)).toEqual(small.index.attributes[4].spec);
  });
});
