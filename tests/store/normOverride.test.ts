/**
 * The mean/std override: the dataset card's six fields and the link's `norm=m0,m1,m2;s0,s1,s2`
 * parse to the same override, bad input gives a problem in words (never a throw, never a value),
 * and the URL codec round-trips it while a malformed value falls back with a problem.
 */
import { describe, expect, it } from 'vitest';
import { formatNormParam, isValidNorm, NORM_LIMITS, parseNormFields, parseNormParam, sameNorm, type NormOverride } from '../../src/store/normOverride';
import { decodeHash, DEFAULT_URL_STATE, encodeHash, isValidUrlState, type UrlState } from '../../src/store/url';
import { mulberry32, picker } from './prng';

const ok = (mean: string[], std: string[]) => {
  const r = parseNormFields(mean, std);
  if (!r.ok) throw new Error(r.problem);
  return r.norm;
};
const problem = (mean: string[], std: string[]) => {
  const r = parseNormFields(mean, std);
  if (r.ok) throw new Error(`accepted ${JSON.stringify(r.norm)}`);
  return r.problem;
};

describe('mean/std fields', () => {
  it('reads plain decimals, with blanks around them, signs and exponents', () => {
    expect(ok(['0.485', ' 0.456 ', '.406'], ['0.229', '2.24e-1', '+0.225'])).toEqual({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(ok(['-1', '0', '1000'], ['1e-6', '1', '1000'])).toEqual({ mean: [-1, 0, 1000], std: [1e-6, 1, 1000] });
  });

  it('refuses what is not a finite number, naming the field', () => {
    const good = ['0.5', '0.5', '0.5'];
    expect(problem(['', '0', '0'], good)).toBe('mean R is empty');
    expect(problem(good, ['0.2', 'abc', '0.2'])).toBe('std G “abc” is not a number');
    for (const bad of ['0x10', 'Infinity', 'NaN', '1e999', '1,5', '1 2', '--1', '.', 'e5', '１']) {
      expect(problem(['0', '0', bad], good), bad).toMatch(/^mean B .*(not a number|not a finite number)/);
    }
  });

  it('refuses std ≤ 0 and values beyond the limits with a clear reason', () => {
    const m = ['0', '0', '0'];
    expect(problem(m, ['0.2', '0', '0.2'])).toBe('std G must be greater than 0');
    expect(problem(m, ['-0.2', '0.2', '0.2'])).toBe('std R must be greater than 0');
    expect(problem(m, ['0.2', '0.2', '1e-9'])).toBe(`std B must be at least ${NORM_LIMITS.minStd}`);
    expect(problem(m, ['0.2', '0.2', '1001'])).toBe(`std B must be at most ${NORM_LIMITS.maxStd}`);
    expect(problem(['1e4', '0', '0'], ['1', '1', '1'])).toMatch(/^mean R must lie between/);
    expect(problem(['0', '0'], ['1', '1', '1'])).toMatch(/three numbers each/);
  });

  it('turns −0 into 0, so the override prints and reads back the same', () => {
    const n = ok(['-0', '0', '0'], ['1', '1', '1']);
    expect(Object.is(n.mean[0], 0)).toBe(true);
    expect(isValidNorm(n)).toBe(true);
  });

  it('isValidNorm accepts exactly what the parser gives', () => {
    expect(isValidNorm({ mean: [0, 0, 0], std: [1, 1, 1] })).toBe(true);
    for (const bad of [null, 1, {}, { mean: [0, 0], std: [1, 1, 1] }, { mean: [0, 0, NaN], std: [1, 1, 1] }, { mean: [0, 0, 0], std: [1, 0, 1] }, { mean: [-0, 0, 0], std: [1, 1, 1] }, { mean: ['0', 0, 0], std: [1, 1, 1] }]) {
      expect(isValidNorm(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('sameNorm compares values; null and undefined are "the model’s"', () => {
    const a: NormOverride = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
    expect(sameNorm(a, { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] })).toBe(true);
    expect(sameNorm(a, { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.5] })).toBe(false);
    expect(sameNorm(null, undefined)).toBe(true);
    expect(sameNorm(a, null)).toBe(false);
  });
});

describe('norm in the link', () => {
  const exemplars: UrlState = { ...DEFAULT_URL_STATE, panel: 'exemplars', dataset: 'https://example.org/m.json' };

  it('round-trips through the codec, readable in the hash', () => {
    const s: UrlState = { ...exemplars, norm: { mean: [0.5, 0.25, 0], std: [0.25, 1, 1e-6] } };
    expect(isValidUrlState(s)).toBe(true);
    const hash = encodeHash(s);
    expect(hash).toContain('&norm=0.5,0.25,0;0.25,1,0.000001');
    expect(decodeHash(hash)).toEqual({ state: s, problems: [] });
    // absent: the model's values, and nothing in the hash
    expect(encodeHash(exemplars)).not.toContain('norm');
    expect(decodeHash(encodeHash(exemplars)).state.norm).toBeUndefined();
    // %-encoded separators read the same
    expect(decodeHash('#/exemplars?v=1&norm=0.5%2C0.25%2C0%3B0.25%2C1%2C0.000001').state.norm).toEqual(s.norm);
  });

  it('round-trips random valid overrides exactly', () => {
    const { int, chance } = picker(mulberry32(11));
    const rand = mulberry32(12);
    for (let i = 0; i < 500; i++) {
      const mean = [0, 1, 2].map(() => (chance(0.2) ? int(3) : (rand() - 0.5) * (chance(0.5) ? 2 : 2000))) as NormOverride['mean'];
      const std = [0, 1, 2].map(() => (chance(0.2) ? 1 : NORM_LIMITS.minStd + rand() * (chance(0.5) ? 1 : 999))) as NormOverride['std'];
      const norm = { mean: mean.map((v) => (v === 0 ? 0 : v)), std } as NormOverride;
      expect(isValidNorm(norm)).toBe(true);
      const back = parseNormParam(formatNormParam(norm));
      expect(back).toEqual({ ok: true, norm });
      expect(decodeHash(encodeHash({ ...exemplars, norm })).state.norm).toEqual(norm);
    }
  });

  it('a malformed value is ignored with a problem, the rest of the link still applies', () => {
    const bad = [
      '0.5,0.5,0.5', '0.5,0.5,0.5;0.2,0.2', '0.5,0.5,0.5;0.2,0,0.2', 'a,b,c;d,e,f', ';', ';;', '1;2;3', '0.5,0.5,0.5;0.2,0.2,0.2;', 'NaN,0,0;1,1,1',
      'Infinity,0,0;1,1,1', '0x1,0,0;1,1,1', '%zz', '%00', '1e999,0,0;1,1,1', '0,0,0;-1,1,1', '0,0,0;1e-300,1,1', '🧠', 'x'.repeat(5000),
    ];
    for (const value of bad) {
      let r!: ReturnType<typeof decodeHash>;
      expect(() => (r = decodeHash(`#/exemplars?v=1&layer=l&unit=2&norm=${value}`)), value).not.toThrow();
      expect(r.state.norm, value).toBeUndefined();
      expect(r.state).toMatchObject({ panel: 'exemplars', layer: 'l', unit: 2 });
      expect(r.problems.length, value).toBe(1);
      expect(isValidUrlState(r.state)).toBe(true);
    }
    expect(decodeHash('#/exemplars?v=1&norm=0,0,0;0,1,1').problems[0]).toMatch(/mean\/std override .*std R must be greater than 0/);
  });

  it('FUZZ: random norm values never throw, give a valid state and re-encode stably', () => {
    const rand = mulberry32(0xbeef);
    const { int, pick } = picker(rand);
    const atoms = ['0', '1', '-1', '0.5', '.5', '1e-3', '1e3', '1e-7', '-0', '+2', 'e', '.', ',', ';', '%', '%2C', '%3B', 'NaN', ' ', '🧠', '\uD800', '&', '='];
    for (let i = 0; i < 1000; i++) {
      const value = Array.from({ length: int(16) }, () => pick(atoms)).join('');
      let r!: ReturnType<typeof decodeHash>;
      expect(() => (r = decodeHash(`#/model?v=1&norm=${value}`)), value).not.toThrow();
      expect(isValidUrlState(r.state), value).toBe(true);
      expect(decodeHash(encodeHash(r.state))).toEqual({ state: r.state, problems: [] });
    }
    // random atoms rarely make a well-formed value: the accepting path with well-formed triples
    const triples = Array.from({ length: 200 }, () => `${[0, 1, 2].map(() => pick(['0', '1', '0.5', '-1'])).join(',')};${[0, 1, 2].map(() => pick(['1', '0.5', '2'])).join(',')}`);
    for (const t of triples) expect(decodeHash(`#/model?v=1&norm=${t}`).state.norm).toBeDefined();
  });
});
