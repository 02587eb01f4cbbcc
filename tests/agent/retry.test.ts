/** The pieces under the clients: retry-after parsing, key redaction, the seeded backoff, the SSE reader, the fault classes. */
import { describe, expect, it } from 'vitest';
import { AgentFault, faultFromStatus, parseRetryAfter, redact } from '../../src/engine/agent/clients/faults';
import { Backoff, DEFAULT_RETRY, withRetry } from '../../src/engine/agent/clients/retry';
import { sseEvents } from '../../src/engine/agent/clients/sse';
import type { RetryNotice } from '../../src/engine/agent/types';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-02T20:00:00Z');
  it('reads seconds, fractions, retry-after-ms and HTTP-dates', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '0.2' }), now)).toBe(200);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }), now)).toBe(150);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 02 Dec 2026 20:00:07 GMT' }), now)).toBe(7000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 02 Dec 2026 19:59:00 GMT' }), now)).toBe(0);
  });
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
  });
});

describe('redact', () => {
  const key = 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx';
  it('removes the key and any 8-character run of it, masked echoes included', () => {
    expect(redact(`bad key ${key}!`, key)).toBe('bad key [key]!');
    const masked = redact(`Incorrect API key provided: sk-proj-****************StUvWx. see docs`, key);
    expect(masked).not.toContain('sk-proj-');
    expect(masked).toContain('see docs');
    expect(redact('nothing here', key)).toBe('nothing here');
    expect(redact('text', undefined)).toBe('text');
  });
  it('is applied to the server message of a 401', () => {
    const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${key}` } });
    const f = faultFromStatus(401, body, new Headers(), 'the server', key);
    expect(f.code).toBe('unauthorized');
    expect(f.message).not.toContain(key.slice(8, 20));
  });
});

describe('faultFromStatus', () => {
  const h = new Headers();
  it('tells context overflows of each provider from other 400s', () => {
    const msgs = [
      "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
      'prompt is too long: 210000 tokens > 200000 maximum',
      'the request exceeds the available context size, try increasing it',
      'input length exceeds the context window',
    ];
    for (const m of msgs) expect(faultFromStatus(400, JSON.stringify({ error: { message: m } }), h, 's', undefined).code).toBe('context-overflow');
    expect(faultFromStatus(400, JSON.stringify({ error: { message: 'temperature must be <= 2' } }), h, 's', undefined).code).toBe('bad-response');
    expect(faultFromStatus(413, JSON.stringify({ error: 'prompt is too long' }), h, 's', undefined).code).toBe('context-overflow');
  });
  it('maps statuses to codes and marks the retryable ones', () => {
    const codes = [401, 403, 408, 429, 500, 502, 503, 529, 404, 422].map((s) => faultFromStatus(s, '', h, 's', undefined));
    expect(codes.map((f) => f.code)).toEqual(['unauthorized', 'unauthorized', 'timeout', 'rate-limited', 'server', 'server', 'server', 'server', 'bad-response', 'bad-response']);
    expect(codes.map((f) => f.retryable)).toEqual([false, false, true, true, true, true, true, true, false, false]);
  });
});

describe('Backoff and withRetry', () => {
  const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000, seed: 42 };
  it('draws the same waits from the same seed, other waits from another, within the bounds', () => {
    const a = new Backoff(policy);
    const b = new Backoff(policy);
    const c = new Backoff({ ...policy, seed: 43 });
    const wa = [1, 2, 3, 4, 5, 6].map((n) => a.delay(n));
    expect([1, 2, 3, 4, 5, 6].map((n) => b.delay(n))).toEqual(wa);
    expect([1, 2, 3, 4, 5, 6].map((n) => c.delay(n))).not.toEqual(wa);
    wa.forEach((d, i) => {
      const cap = Math.min(1000, 100 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(cap / 2);
      expect(d).toBeLessThanOrEqual(cap);
    });
  });
  it('stops at maxAttempts and does not retry faults that are not worth it', async () => {
    const fast = { ...policy, baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 };
    let tries = 0;
    const notices: RetryNotice[] = [];
    await expect(
      withRetry(
        async () => {
          tries++;
          throw new AgentFault('server', 'down', { status: 502 });
        },
        { policy: fast, backoff: new Backoff(fast), onRetry: (n) => notices.push(n) },
      ),
    ).rejects.toMatchObject({ code: 'server' });
    expect(tries).toBe(3);
    expect(notices.map((n) => n.attempt)).toEqual([1, 2]);
    tries = 0;
    await expect(
      withRetry(
        async () => {
          tries++;
          throw new AgentFault('context-overflow', 'too long');
        },
        { policy: fast, backoff: new Backoff(fast) },
      ),
    ).rejects.toMatchObject({ code: 'context-overflow' });
    expect(tries).toBe(1);
  });
});

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const b of chunks) c.enqueue(b);
      c.close();
    },
  });
}

describe('sseEvents', () => {
  it('joins events split anywhere, CRLF split across chunks, multi-line data and comments', async () => {
    const text = ': keep-alive\r\nevent: message_start\r\ndata: {"a":1}\r\n\r\ndata: line one\ndata: line two\n\nevent: x\ndata: ü€\n\ndata: last';
    const bytes = new TextEncoder().encode(text);
    // every split point of the bytes, including inside the multi-byte characters and between \r and \n
    for (let cut = 1; cut < bytes.length; cut++) {
      const parts = [bytes.slice(0, cut), bytes.slice(cut)];
      const events = [];
      for await (const e of sseEvents(streamOf(parts))) events.push(e);
      expect(events).toEqual([
        { event: 'message_start', data: '{"a":1}' },
        { event: 'message', data: 'line one\nline two' },
        { event: 'x', data: 'ü€' },
        { event: 'message', data: 'last' },
      ]);
    }
  });
});
