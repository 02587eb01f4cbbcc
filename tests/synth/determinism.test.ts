/**
 * Same seed, same bytes; and goldens, so a browser run (same code over the same assets) can be
 * compared with Node: generate the first 64 balanced test scenes at seed 1 and hash them.
 */
import { describe, expect, it } from 'vitest';
import { generateDataset, SYNTH_GENERATOR_VERSION } from '../../src/engine/data/shards';
import { sha256Hex } from '../../src/engine/lab/hash';
import { Rng, hashSeed, render, sampleSpec } from '../../src/engine/synth';
import { loadTestBanks } from './banks';

const banks = loadTestBanks();

/** Bump together with SYNTH_GENERATOR_VERSION when the renderer's bytes change on purpose. */
const GOLDEN = {
  generatorVersion: 1,
  first64TestSeed1: {
    pixels: '61b3dd0013fe2fce8dd22248fbfaded99acbae115a4f19e29846cffba9b44d78',
    attributes: '75cf7f50f6b0ab8f313ccfeebc3627162f35fd30335364047a11f63a155803aa',
  },
};

describe('determinism', () => {
  it('the PRNG is mulberry32 (reference values) and seeds hash stably', () => {
    const r = new Rng(1);
    expect([r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([2693262067, 11749833, 2265367787]);
    expect(hashSeed(1, 2, 3)).toBe(3906383291);
    expect(hashSeed(1, 2, 3)).not.toBe(hashSeed(3, 2, 1));
  });

  it('the same seed gives identical bytes twice in one process', () => {
    const o = { split: 'test' as const, variant: 'balanced' as const, count: 200, seed: 42 };
    const a = generateDataset(o, banks);
    const b = generateDataset(o, banks);
    expect(Buffer.compare(Buffer.from(a.pixels), Buffer.from(b.pixels))).toBe(0);
    expect(JSON.stringify(b.index)).toBe(JSON.stringify(a.index));
    const c = generateDataset({ ...o, seed: 43 }, banks);
    expect(Buffer.compare(Buffer.from(a.pixels), Buffer.from(c.pixels))).not.toBe(0);
  });

  it('sampled specs render the same every time', () => {
    const specs = (() => {
      const rng = new Rng(5);
      return Array.from({ length: 30 }, () => sampleSpec(rng, banks));
    })();
    const again = (() => {
      const rng = new Rng(5);
      return Array.from({ length: 30 }, () => sampleSpec(rng, banks));
    })();
    expect(again).toEqual(specs);
    for (const s of specs) expect(Buffer.from(render(s, banks).pixels).equals(Buffer.from(render(s, banks).pixels))).toBe(true);
  });

  it('golden: sha256 of the first 64 balanced test scenes at seed 1', async () => {
    expect(SYNTH_GENERATOR_VERSION).toBe(GOLDEN.generatorVersion);
    const d = generateDataset({ split: 'test', variant: 'balanced', count: 64, seed: 1 }, banks);
    expect(await sha256Hex(d.pixels)).toBe(GOLDEN.first64TestSeed1.pixels);
    expect(await sha256Hex(new TextEncoder().encode(JSON.stringify(d.index.attributes)))).toBe(GOLDEN.first64TestSeed1.attributes);
  });
});
