import { describe, expect, it } from 'vitest';
import { DEFAULT_URL_STATE, decodeHash, encodeHash, isValidUrlState, type UrlState } from '../../src/store/url';
import type { CircuitLink } from '../../src/store/circuitUrl';
import { mulberry32 } from './prng';

const L1 = '/stage2/block0/relu2/Relu_output_0';
const L2 = '/stage3/block2/relu2/Relu_output_0';

const LINKS: CircuitLink[] = [
  { concept: { kind: 'filter', filter: { class: 'coat', texture: 'checks' } } },
  { concept: { kind: 'filter', filter: {} }, k: 5, seed: 0 },
  { concept: { kind: 'prompts', prompts: ['red striped sneaker on grass', 'a bag & a hat?', 'слой 🧠'] }, target: { kind: 'selective', count: 3 } },
  { target: { kind: 'unit', layer: 'weird:name/with=chars&?', unit: 7 }, layers: [L1, L2], method: 'ablation', reduce: 'max', seed: 4294967295, examples: 64, random: 0 },
  { target: { kind: 'logit', index: 4 }, k: 64, edits: [{ kind: 'unit', layer: L1, unit: 3, scale: 0 }, { kind: 'unit', layer: L2, unit: 12, scale: 0.25 }, { kind: 'edge', from: { layer: L1, unit: 1 }, to: { layer: L2, unit: 9 } }] },
  { edits: [{ kind: 'unit', layer: L1, unit: 0, scale: -1.5e-3 }] },
];

describe('circuit link codec', () => {
  it('round-trips circuit states beside the other keys', () => {
    for (const circuit of LINKS) {
      const state: UrlState = { ...DEFAULT_URL_STATE, panel: 'circuits', model: 'scenes-balanced', circuit };
      expect(isValidUrlState(state)).toBe(true);
      const hash = encodeHash(state);
      expect(decodeHash(hash)).toEqual({ state, problems: [] });
    }
  });

  it('writes readable keys for the common case', () => {
    const hash = encodeHash({ ...DEFAULT_URL_STATE, panel: 'circuits', circuit: { concept: { kind: 'filter', filter: { class: 'coat' } }, target: { kind: 'logit', index: 4 }, k: 3, method: 'cla', seed: 2 } });
    expect(hash).toBe('#/circuits?v=1&concept=class%3Acoat&target=logit%3A4&k=3&method=cla&seed=2');
    expect(encodeHash({ ...DEFAULT_URL_STATE })).not.toMatch(/concept|edits/);
  });

  it('drops a bad circuit key with a problem naming it and keeps the rest', () => {
    const cases: Array<[string, RegExp]> = [
      ['concept=class%3Ahat', /circuit concept “class:hat”/],
      ['concept=class%3Acoat%2Cclass%3Abag', /circuit concept/],
      ['concept=text%3A', /prompts are 1 to 64/],
      ['target=logit%3A-1', /circuit target/],
      ['target=selective%3A0', /circuit target/],
      ['target=unit%3Al', /circuit target/],
      ['layers=a%2Ca', /distinct layer names/],
      ['k=0', /circuit k “0”/],
      ['k=65', /circuit k/],
      ['method=gcc', /unknown circuit method “gcc”/],
      ['reduce=sum', /unknown circuit reduce/],
      ['seed=4294967296', /circuit seed/],
      ['examples=0', /circuit examples/],
      ['random=201', /circuit random/],
      ['edits=a%233*x', /circuit edits/],
      ['edits=a%233*0%3Bnope', /circuit edits/],
    ];
    for (const [part, why] of cases) {
      const { state, problems } = decodeHash(`#/circuits?v=1&k=7&${part}`);
      expect(problems.join('; ')).toMatch(why);
      expect(isValidUrlState(state)).toBe(true);
      // The good key next to it survives (unless it is the one broken).
      if (!part.startsWith('k=')) expect(state.circuit?.k).toBe(7);
    }
  });

  it('refuses states the decoder cannot produce', () => {
    const bad: CircuitLink[] = [
      {},
      { k: 0 },
      { layers: ['a,b'] },
      { layers: [] },
      { concept: { kind: 'prompts', prompts: ['a|b'] } },
      { edits: [{ kind: 'unit', layer: 'a', unit: 1, scale: Number.NaN }] },
      { target: { kind: 'logit', index: 1.5 } },
    ];
    for (const circuit of bad) expect(isValidUrlState({ ...DEFAULT_URL_STATE, circuit })).toBe(false);
  });

  it('FUZZ: random circuit parts never throw and give valid states', () => {
    const rnd = mulberry32(15);
    const bits = ['concept=', 'target=', 'layers=', 'k=', 'method=', 'reduce=', 'seed=', 'edits=', 'class%3A', 'logit%3A', 'unit%3A', '%23', '*', '%3E', '%3B', ',', '%2C', '0', '5', '-', 'x', '&', '%3A', 'text%3A', '|', 'coat'];
    for (let i = 0; i < 3000; i++) {
      let hash = '#/circuits?v=1&';
      const n = 1 + Math.floor(rnd() * 12);
      for (let j = 0; j < n; j++) hash += bits[Math.floor(rnd() * bits.length)];
      const { state } = decodeHash(hash);
      expect(isValidUrlState(state)).toBe(true);
      expect(decodeHash(encodeHash(state)).state).toEqual(state);
    }
  });
});
