/** The agent's link keys: backend kind, model name, seed and round cap round-trip; bad values are problems; the key never enters the link. */
import { describe, expect, it } from 'vitest';
import { decodeHash, encodeHash, isValidUrlState, DEFAULT_URL_STATE, type UrlState } from '../../src/store/url';
import { urlStateOf } from '../../src/store/urlSync';
import { useLab } from '../../src/store';

describe('agent link keys', () => {
  it('round-trip and stay out of the link at their defaults', () => {
    const s: UrlState = { ...DEFAULT_URL_STATE, panel: 'agent', layer: 'l', unit: 4, agentBackend: 'openai', agentModel: 'qwen2.5-vl:7b & co', agentSeed: 7, agentRounds: 10 };
    expect(isValidUrlState(s)).toBe(true);
    const hash = encodeHash(s);
    expect(hash).toContain('&abackend=openai&amodel=qwen2.5-vl%3A7b%20%26%20co&aseed=7&arounds=10');
    expect(decodeHash(hash)).toEqual({ state: s, problems: [] });
    expect(encodeHash({ ...DEFAULT_URL_STATE, panel: 'agent' })).toBe('#/agent?v=1');
    expect(decodeHash('#/agent?v=1&abackend=offline&aseed=0&arounds=25')).toEqual({ state: { ...DEFAULT_URL_STATE, panel: 'agent' }, problems: [] });
  });

  it('refuses bad values with a problem each, keeping the rest', () => {
    const r = decodeHash('#/agent?v=1&abackend=gemini&amodel=a%00b&aseed=-1&arounds=0&layer=l&unit=2');
    expect(r.state).toEqual({ ...DEFAULT_URL_STATE, panel: 'agent', layer: 'l', unit: 2 });
    expect(r.problems).toEqual([
      expect.stringMatching(/unknown agent backend/),
      expect.stringMatching(/agent model .* control characters/),
      expect.stringMatching(/agent seed/),
      expect.stringMatching(/agent rounds/),
    ]);
    expect(decodeHash('#/agent?v=1&arounds=201').problems).toEqual([expect.stringMatching(/from 1 to 200/)]);
  });

  it('the store writes kind, model, seed and rounds to the link, never the key', () => {
    const s = useLab.getState();
    s.setAgentBackend({ kind: 'anthropic', model: 'claude-x', baseUrl: 'http://127.0.0.1:9/' });
    s.setAgentKey('sk-never-in-a-link');
    s.setAgentSeed(3);
    s.setAgentRounds(12);
    const hash = encodeHash(urlStateOf(useLab.getState()));
    expect(hash).toContain('abackend=anthropic&amodel=claude-x&aseed=3&arounds=12');
    expect(hash).not.toContain('sk-never');
    expect(hash).not.toContain('9%2F');
  });
});
