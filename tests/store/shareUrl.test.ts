import { describe, expect, it } from 'vitest';
import { decodeHash, encodeHash, isValidUrlState } from '../../src/store/url';

describe('URL codec: exp and embed', () => {
  it('round-trips an experiment address and embed mode', () => {
    const hash = '#/upscale?v=1&exp=https%3A%2F%2Fexample.org%2Fa%20b.labexp.json&embed=1';
    const { state, problems } = decodeHash(hash);
    expect(problems).toEqual([]);
    expect(state.exp).toBe('https://example.org/a b.labexp.json');
    expect(state.embed).toBe(true);
    expect(isValidUrlState(state)).toBe(true);
    expect(encodeHash(state)).toBe(hash);
    expect(decodeHash('#/model?v=1&exp=examples%2Funit.labexp.json').state.exp).toBe('examples/unit.labexp.json');
  });
  it('refuses script and data addresses and other embed values with a problem, keeping the rest', () => {
    const { state, problems } = decodeHash('#/exemplars?v=1&layer=x&exp=javascript%3Aalert(1)&embed=yes');
    expect(state.exp).toBeUndefined();
    expect(state.embed).toBeUndefined();
    expect(state.layer).toBe('x');
    expect(problems.join(' ')).toMatch(/experiment file “javascript:alert\(1\)”: “javascript:” addresses are not allowed/);
    expect(problems.join(' ')).toMatch(/embed “yes” is not 1/);
    expect(decodeHash('#/model?exp=data%3Atext%2Fhtml,x').state.exp).toBeUndefined();
    expect(isValidUrlState({ ...decodeHash('').state, exp: 'file:///etc/passwd' })).toBe(false);
  });
});
