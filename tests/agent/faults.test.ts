/**
 * Faults of both backends against real local servers: what is retried and how often, what is
 * not, the waits (retry-after, seeded backoff), timeouts and the caller's abort, and that the
 * key never shows in what is thrown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AgentFault, createClient, DEFAULT_RETRY, type RetryPolicy } from '../../src/engine/agent/clients';
import { Backoff } from '../../src/engine/agent/clients/retry';
import type { BackendKind, ChatClient, RetryNotice } from '../../src/engine/agent/types';
import { conversation, EXEMPLARS, KEY, RED, store } from './helpers';
import { refusedUrl, startScriptedServer, type Dialect, type ScriptedServer, type ScriptStep } from './servers/scripted';

const RETRY: Partial<RetryPolicy> = { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 80, seed: 7 };
const images = store(RED);

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** What a promise rejected with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

async function fault(p: Promise<unknown>): Promise<AgentFault> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(AgentFault);
  return err as AgentFault;
}

/** No run of 8 characters of the key in the error's message, stack or JSON form. */
function expectNoKey(err: unknown, key: string): void {
  const texts = [String(err), (err as Error).stack ?? '', JSON.stringify(err)];
  for (const t of texts) for (let i = 0; i + 8 <= key.length; i++) expect(t).not.toContain(key.slice(i, i + 8));
}

const cases: Array<[BackendKind, Dialect]> = [
  ['openai', 'chat-completions'],
  ['anthropic', 'messages'],
];

describe.each(cases)('%s client faults', (kind, dialect) => {
  const notices: RetryNotice[] = [];

  async function setup(script: ScriptStep[], opts: { key?: string; timeoutMs?: number; retry?: Partial<RetryPolicy> } = {}) {
    notices.length = 0;
    server = await startScriptedServer({ dialect, apiKey: KEY, script });
    const client = createClient(
      { kind, baseUrl: server.baseUrl, apiKey: opts.key ?? KEY, model: 'm', seesImages: true, timeoutMs: opts.timeoutMs ?? 2000 },
      { retry: { ...RETRY, ...opts.retry }, onRetry: (n) => notices.push(n) },
    );
    return { server, client };
  }

  const ask = (client: ChatClient, extra: { signal?: AbortSignal; onDelta?: (t: string) => void } = {}) =>
    client.chat({ messages: conversation(), tools: [EXEMPLARS], images, ...extra });

  it('connection refused: a network fault after exactly maxAttempts tries', async () => {
    const url = await refusedUrl();
    const hooks: RetryNotice[] = [];
    const client = createClient({ kind, baseUrl: kind === 'openai' ? `${url}/v1` : url, apiKey: KEY, model: 'm', seesImages: true }, { retry: RETRY });
    const err = await fault(client.chat({ messages: conversation(), tools: [], images, onRetry: (n) => hooks.push(n) }));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.message).toContain(url);
    expect(hooks.map((h) => [h.code, h.attempt])).toEqual([
      ['network', 1],
      ['network', 2],
    ]);
    expectNoKey(err, KEY);
  });

  it('connection reset: retried, then the reply', async () => {
    const { server, client } = await setup([{ reply: 'reset' }, { reply: 'text', text: 'after reset' }]);
    expect((await ask(client)).text).toBe('after reset');
    expect(server.chatRequests()).toHaveLength(2);
    expect(notices.map((n) => n.code)).toEqual(['network']);
  });

  it('401: no retry, a message that says to check the key and never shows it', async () => {
    const wrong = 'sk-wrong-ABCDEFGHIJKLMNOPQRSTUV';
    const { server, client } = await setup([], { key: wrong });
    const err = await fault(ask(client));
    expect(err.code).toBe('unauthorized');
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/check the key/i);
    expect(err.message).toMatch(/Incorrect API key provided/); // the server's words, redacted
    expect(server.chatRequests()).toHaveLength(1);
    expect(notices).toEqual([]);
    expectNoKey(err, wrong);
  });

  it('429 with retry-after: 0.2 waits 0.2 s, then the reply', async () => {
    const { server, client } = await setup([
      { reply: 'status', status: 429, headers: { 'retry-after': '0.2' } },
      { reply: 'text', text: 'later' },
    ]);
    expect((await ask(client)).text).toBe('later');
    const [a, b] = server.chatRequests();
    expect(b.at - a.at).toBeGreaterThanOrEqual(190);
    expect(notices).toEqual([expect.objectContaining({ code: 'rate-limited', status: 429, retryInMs: 200, attempt: 1 })]);
  });

  it('429 without retry-after: seeded backoff waits, bounded, then rate-limited', async () => {
    const { server, client } = await setup([], { retry: { maxAttempts: 4 } });
    server.push(...Array.from({ length: 4 }, (): ScriptStep => ({ reply: 'status', status: 429 })));
    const err = await fault(ask(client));
    expect(err.code).toBe('rate-limited');
    expect(server.chatRequests()).toHaveLength(4);
    const backoff = new Backoff({ ...DEFAULT_RETRY, ...RETRY, maxAttempts: 4 });
    const expected = [1, 2, 3].map((n) => backoff.delay(n));
    expect(notices.map((n) => n.retryInMs)).toEqual(expected);
    // bounded and growing: half fixed, half jitter, capped at maxDelayMs
    expected.forEach((d, i) => {
      const cap = Math.min(80, 20 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(cap / 2);
      expect(d).toBeLessThanOrEqual(cap);
    });
    const at = server.chatRequests().map((r) => r.at);
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(expected[i - 1] - 5);
  });

  it('429 asking for longer than maxRetryAfterMs: handed to the loop at once with retryInMs', async () => {
    const { server, client } = await setup([{ reply: 'status', status: 429, headers: { 'retry-after': '120' } }]);
    const err = await fault(ask(client));
    expect(err).toMatchObject({ code: 'rate-limited', retryInMs: 120_000 });
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('500 every time: a server fault after maxAttempts tries; 503 once: the reply', async () => {
    const { server, client } = await setup([]);
    server.push({ reply: 'status', status: 500 }, { reply: 'status', status: 500 }, { reply: 'status', status: 500 });
    const err = await fault(ask(client));
    expect(err).toMatchObject({ code: 'server', status: 500 });
    expect(server.chatRequests()).toHaveLength(3);
    server.push({ reply: 'status', status: 503 }, { reply: 'text', text: 'up again' });
    expect((await ask(client)).text).toBe('up again');
    expect(server.chatRequests()).toHaveLength(5);
  });

  it('a server that hangs: a timeout fault per try, bounded', async () => {
    const { server, client } = await setup([{ reply: 'hang' }, { reply: 'hang' }], { timeoutMs: 250, retry: { maxAttempts: 2 } });
    const t0 = performance.now();
    const err = await fault(ask(client));
    const ms = performance.now() - t0;
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/0\.3 s|0\.2 s/);
    expect(server.chatRequests()).toHaveLength(2);
    expect(ms).toBeGreaterThanOrEqual(490);
    expect(ms).toBeLessThan(2000);
  });

  it('a stream that stalls after some text: timeout, not retried (the text was shown)', async () => {
    const { server, client } = await setup([{ reply: 'hang', afterFrames: 4, step: { reply: 'text', text: 'a long answer that never ends' } }], { timeoutMs: 250 });
    const deltas: string[] = [];
    const err = await fault(ask(client, { onDelta: (d) => deltas.push(d) }));
    expect(err.code).toBe('timeout');
    expect(deltas.join('').length).toBeGreaterThan(0);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('a stream reset mid-way after text: a network fault, not retried', async () => {
    const { server, client } = await setup([{ reply: 'reset-mid-stream', afterFrames: 4, step: { reply: 'text', text: 'partial text that breaks off' } }]);
    const deltas: string[] = [];
    const err = await fault(ask(client, { onDelta: (d) => deltas.push(d) }));
    expect(err.code).toBe('network');
    expect(deltas.length).toBeGreaterThan(0);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it("the caller's abort: rejects at once with the abort, never retried", async () => {
    const { server, client } = await setup([{ reply: 'hang' }], { timeoutMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const t0 = performance.now();
    const err = await rejection(ask(client, { signal: controller.signal }));
    expect((err as Error).name).toBe('AbortError');
    expect(err).not.toBeInstanceOf(AgentFault);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(server.chatRequests()).toHaveLength(1);
    expect(notices).toEqual([]);
  });

  it("the caller's abort during a retry wait ends the wait", async () => {
    const { server, client } = await setup([{ reply: 'status', status: 503, headers: { 'retry-after': '5' } }]);
    const controller = new AbortController();
    const t0 = performance.now();
    const p = rejection(ask(client, { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error('user stopped')), 150);
    const err = await p;
    expect((err as Error).message).toBe('user stopped');
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(notices).toHaveLength(1);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('finish "length": the reply comes back marked, a half-written tool call dropped', async () => {
    const cut = { reply: 'tools' as const, text: 'Calling', calls: [{ name: 'dataset_exemplars', arguments: '{"k": 1' }], finish: 'length' as const };
    const { client } = await setup([{ reply: 'text', text: 'The unit is', finish: 'length' }, cut]);
    expect(await ask(client)).toMatchObject({ text: 'The unit is', finish: 'length', toolCalls: [] });
    expect(await ask(client, { onDelta: () => {} })).toMatchObject({ text: 'Calling', finish: 'length', toolCalls: [] });
  });

  it('malformed tool-call arguments: bad-tool-json with the raw text, streamed and not', async () => {
    const raw = '{"k": 3, "layer": }';
    const bad: ScriptStep = { reply: 'tools', calls: [{ name: 'dataset_exemplars', arguments: raw }] };
    const { server, client } = await setup([bad, bad]);
    const streamed = await fault(ask(client, { onDelta: () => {} }));
    expect(streamed).toMatchObject({ code: 'bad-tool-json', raw, toolName: 'dataset_exemplars' });
    // the whole turn comes along, so the loop can answer the call id with an error result
    expect(streamed.reply?.toolCalls).toEqual([{ id: expect.any(String), name: 'dataset_exemplars', arguments: raw }]);
    const whole = await fault(ask(client));
    expect(whole.code).toBe('bad-tool-json');
    expect(whole.raw).toContain('"layer": }');
    expect(server.chatRequests()).toHaveLength(2); // not retried
  });

  it('an empty reply: empty-reply, not retried', async () => {
    const { server, client } = await setup([{ reply: 'empty' }, { reply: 'empty' }]);
    expect((await fault(ask(client))).code).toBe('empty-reply');
    expect((await fault(ask(client, { onDelta: () => {} }))).code).toBe('empty-reply');
    expect(server.chatRequests()).toHaveLength(2);
  });

  it("the provider's context-length 400: context-overflow, not retried", async () => {
    const { server, client } = await setup([{ reply: 'context-overflow' }]);
    const err = await fault(ask(client));
    expect(err).toMatchObject({ code: 'context-overflow', status: 400 });
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('a reply that is not JSON, and a 404: bad-response, not retried', async () => {
    const { server, client } = await setup([{ reply: 'raw', body: '<html>gateway</html>', contentType: 'text/html' }, { reply: 'status', status: 404 }]);
    expect((await fault(ask(client))).code).toBe('bad-response');
    const notFound = await fault(ask(client));
    expect(notFound).toMatchObject({ code: 'bad-response', status: 404 });
    expect(notFound.message).toMatch(/base URL/);
    expect(server.chatRequests()).toHaveLength(2);
  });
});

describe('faults specific to one dialect', () => {
  it('429 with an HTTP-date retry-after is honoured (OpenAI-compatible)', async () => {
    const when = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000); // the next whole second but one
    server = await startScriptedServer({ dialect: 'chat-completions', script: [{ reply: 'status', status: 429, headers: { 'retry-after': when.toUTCString() } }, { reply: 'text', text: 'ok' }] });
    const client = createClient({ kind: 'openai', baseUrl: server.baseUrl, model: 'm', seesImages: false }, { retry: RETRY });
    const t0 = Date.now();
    expect((await client.chat({ messages: conversation(), tools: [], images })).text).toBe('ok');
    expect(Date.now()).toBeGreaterThanOrEqual(when.getTime() - 20);
    expect(Date.now() - t0).toBeLessThan(2500);
  });

  it('an Anthropic overloaded_error event before any text is retried', async () => {
    const frames = 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    server = await startScriptedServer({
      dialect: 'messages',
      script: [{ reply: 'raw', contentType: 'text/event-stream', body: frames }, { reply: 'text', text: 'back' }],
    });
    const client = createClient({ kind: 'anthropic', baseUrl: server.baseUrl, model: 'm', seesImages: false }, { retry: RETRY });
    const reply = await client.chat({ messages: conversation(), tools: [], images, onDelta: () => {} });
    expect(reply.text).toBe('back');
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('an OpenAI-compatible error chunk mid-stream is a fault carrying the provider message', async () => {
    const body = 'data: {"error":{"message":"upstream model crashed"}}\n\n';
    server = await startScriptedServer({ dialect: 'chat-completions', script: [{ reply: 'raw', contentType: 'text/event-stream', body }] });
    const client = createClient({ kind: 'openai', baseUrl: server.baseUrl, model: 'm', seesImages: false }, { retry: { ...RETRY, maxAttempts: 1 } });
    const err = await fault(client.chat({ messages: conversation(), tools: [], images, onDelta: () => {} }));
    expect(err.code).toBe('server');
    expect(err.message).toContain('upstream model crashed');
  });
});
