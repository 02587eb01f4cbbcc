/** Large models keep fewer probe sessions: each holds its own copy of the weights. */
import { describe, expect, it } from 'vitest';
import { MAX_PROBE_SESSIONS, PROBE_SESSION_BYTES, probeSessionCap } from '../../src/engine/lab/loadedModel';

describe('probeSessionCap', () => {
  it('keeps the usual number for small models and fewer, one at least, for large ones', () => {
    expect(probeSessionCap(4 * 2 ** 20)).toBe(MAX_PROBE_SESSIONS);
    expect(probeSessionCap(528 * 2 ** 20)).toBe(2);
    expect(probeSessionCap(PROBE_SESSION_BYTES + 1)).toBe(1);
    expect(probeSessionCap(2 * 1024 ** 3)).toBe(1);
  });
});
