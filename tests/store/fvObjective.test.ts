/**
 * The feature-visualisation objective in the store and the link: `fvobj=mean` round-trips, the
 * default (max) is left out of links, anything else falls back to the default with a problem, and
 * the store's objective goes into the featureVis request.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useLab } from '../../src/store';
import { setEngine } from '../../src/store/engine';
import { decodeHash, encodeHash, isValidUrlState, DEFAULT_URL_STATE, type UrlState } from '../../src/store/url';
import { urlStateOf } from '../../src/store/urlSync';

beforeEach(() => {
  setEngine(null);
  useLab.setState(useLab.getInitialState(), true);
});
afterEach(() => setEngine(null));

describe('fvobj', () => {
  it('round-trips mean, leaves the default out, and refuses unknown objectives', () => {
    const s: UrlState = { ...DEFAULT_URL_STATE, panel: 'exemplars', layer: 'l', unit: 3, fvSeed: 1, fvObjective: 'mean' };
    expect(isValidUrlState(s)).toBe(true);
    const hash = encodeHash(s);
    expect(hash).toContain('&fvobj=mean');
    expect(decodeHash(hash)).toEqual({ state: s, problems: [] });
    const { fvObjective: _, ...plain } = s;
    expect(encodeHash(plain)).not.toContain('fvobj');
    // An explicit default decodes as no objective (links stay canonical).
    expect(decodeHash('#/exemplars?v=1&fvobj=max')).toEqual({ state: { ...DEFAULT_URL_STATE, panel: 'exemplars' }, problems: [] });
    const bad = decodeHash('#/exemplars?v=1&fvobj=median');
    expect(bad.state.fvObjective).toBeUndefined();
    expect(bad.problems).toEqual([expect.stringContaining('objective “median” (use max or mean)')]);
    expect(isValidUrlState({ ...s, fvObjective: 'max' as never })).toBe(false);
    expect(isValidUrlState({ ...s, fvObjective: 'median' as never })).toBe(false);
  });

  it('the store keeps the objective, the link shows it, bad values are ignored', () => {
    const { setFvObjective } = useLab.getState();
    expect(useLab.getState().fvObjective).toBe('max');
    expect(encodeHash(urlStateOf(useLab.getState()))).not.toContain('fvobj');
    setFvObjective('mean');
    expect(useLab.getState().fvObjective).toBe('mean');
    expect(encodeHash(urlStateOf(useLab.getState()))).toContain('&fvobj=mean');
    setFvObjective('median' as never);
    expect(useLab.getState().fvObjective).toBe('mean');
  });
});
