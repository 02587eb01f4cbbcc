/**
 * The loop's protocol with a ChatClient written here that scripts its replies (no fetch involved):
 * failed tool calls go back as tool results, faults become events, the round cap asks for a
 * conclusion, stop/step/resume, pause after N failures, the transcript round trip and re-run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRun, faultOf } from '../../src/engine/agent/loop';
import { parseFinal, parseHypotheses } from '../../src/engine/agent/prompts';
import { parseTranscript, replayTranscript, rerunToolCalls, stringifyTranscript, toTranscript } from '../../src/engine/agent/transcript';
import type { AgentRunSettings, ChatClient, ChatReply, ChatRequest, ToolCall } from '../../src/engine/agent/types';
import { openWorld, type World } from './world';

let w: World;
beforeAll(async () => {
  w = await openWorld();
});
afterAll(() => w.model.release());

type Step = (req: ChatRequest) => ChatReply | Promise<ChatReply>;

/** Replies from a script; records every request it got. */
class Scripted implements ChatClient {
  readonly kind = 'openai' as const;
  readonly requests: ChatRequest[] = [];
  private i = 0;
  constructor(private readonly steps: Step[]) {}
  async chat(req: ChatRequest): Promise<ChatReply> {
    // a deep copy: the loop keeps appending to the same array
    this.requests.push({ ...req, messages: JSON.parse(JSON.stringify(req.messages)) });
    const step = this.steps[Math.min(this.i++, this.steps.length - 1)];
    return step(req);
  }
}

class Fault extends Error {
  constructor(readonly code: string, message: string, readonly retryInMs?: number) {
    super(message);
  }
}

const KEY = 'sk-test-0123456789abcdef';
let n = 0;
const tc = (name: string, args: unknown): ToolCall => ({ id: `call-${++n}`, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });
const tools = (text: string, ...calls: ToolCall[]): Step => () => ({ text, toolCalls: calls, finish: 'tool_calls', usage: { inputTokens: 100, outputTokens: 10 } });
const say = (text: string): Step => () => ({ text, toolCalls: [], finish: 'stop' });
const fail = (code: string, msg: string, retryInMs?: number): Step => () => {
  throw new Fault(code, msg, retryInMs);
};
const FINAL = 'Done.\n[DESCRIPTION]: Fires for trousers.\n[LABEL]: trousers';

function setup(steps: Step[], over: Partial<AgentRunSettings> = {}) {
  const settings: AgentRunSettings = {
    subject: { kind: 'unit', layer: w.tensor('stage3.block2.relu2'), unit: 1 },
    backend: { kind: 'openai', model: 'scripted', apiKey: KEY, seesImages: false },
    rounds: 25,
    seed: 7,
    ...over,
  };
  const client = new Scripted(steps);
  const ctx = w.ctx(settings.subject, settings.seed);
  const waits: number[] = [];
  const run = new AgentRun({ settings, client, ctx, sleep: async (ms) => void waits.push(ms) });
  return { run, client, ctx, settings, waits };
}

describe('protocol', () => {
  it('sends a system prompt built from the tool specs, runs tool calls, reads hypotheses and the conclusion', async () => {
    const { run, client } = setup([
      tools('Start.\n[HYPOTHESES]\n- trousers\n- blue items', tc('text2image', { prompts: ['trousers', 'bag'], samples: 2 })),
      say(FINAL),
    ]);
    expect(await run.run()).toBe('done');
    const sys = client.requests[0].messages[0];
    expect(sys.role).toBe('system');
    const text = sys.role === 'system' ? sys.content : '';
    for (const name of ['dataset_exemplars', 'call_unit', 'text2image', 'edit_images', 'describe_images', 'summarize_images']) expect(text).toContain(`### ${name} (v1)`);
    expect(text).toContain('[DESCRIPTION]');
    expect(client.requests[0].tools.map((t) => t.name)).toContain('edit_images');
    expect(run.events.find((e) => e.type === 'hypotheses')).toMatchObject({ items: ['trousers', 'blue items'] });
    const tool = run.events.find((e) => e.type === 'tool');
    expect(tool).toMatchObject({ type: 'tool', result: { ok: true, name: 'text2image' } });
    // the second request carries the tool result
    expect(client.requests[1].messages.at(-1)).toMatchObject({ role: 'tool', result: { ok: true } });
    expect(run.result).toMatchObject({ description: 'Fires for trousers.', label: 'trousers', rounds: 2, toolCalls: 1 });
    expect(run.usage).toEqual({ inputTokens: 100, outputTokens: 10 });
  });

  it('returns schema failures, bad JSON and unknown tools to the model as tool results, with fault events', async () => {
    const { run, client } = setup([
      tools('Try.', tc('call_unit', { images: 'img-1' }), tc('call_unit', '{oops'), tc('exec', { code: 'print(1)' })),
      tools('Again.', tc('text2image', { prompts: ['bag'] })),
      say(FINAL),
    ]);
    expect(await run.run()).toBe('done');
    const results = client.requests[1].messages.filter((m) => m.role === 'tool').map((m) => (m.role === 'tool' ? m.result : null)!);
    expect(results.map((r) => r.ok)).toEqual([false, false, false]);
    expect(results[0].text).toMatch(/images must be array/);
    expect(results[1].text).toMatch(/not valid JSON/);
    expect(results[2].text).toMatch(/no tool "exec"/);
    expect(run.events.filter((e) => e.type === 'fault').map((e) => (e.type === 'fault' ? e.code : ''))).toEqual(['bad-arguments', 'bad-tool-json', 'unknown-tool']);
  });

  it('asks for the conclusion after the round cap, without tools, and pauses when none comes', async () => {
    const loop = tools('More.', tc('text2image', { prompts: ['coat'] }));
    const a = setup([loop, loop, loop, say(FINAL)], { rounds: 3 });
    expect(await a.run.run()).toBe('done');
    const last = a.client.requests[3];
    expect(last.tools).toEqual([]);
    expect(last.messages.at(-1)).toMatchObject({ role: 'user', content: [{ type: 'text', text: expect.stringMatching(/used all your rounds/) }] });
    expect(a.run.round).toBe(4);
    const b = setup([loop, loop, say('I think it likes coats.')], { rounds: 2 });
    expect(await b.run.run()).toBe('paused');
    expect(b.run.pauseReason).toMatch(/no \[DESCRIPTION\] and \[LABEL\] after the round cap/);
  });

  it('parses hypothesis lists and conclusions', () => {
    expect(parseHypotheses('x\n[HYPOTHESES]\n1. red\n2) stripes\n\nmore')).toEqual(['red', 'stripes']);
    expect(parseHypotheses('no list')).toBeNull();
    expect(parseFinal('[DESCRIPTION]: a\nb\n[LABEL]: c')).toEqual({ description: 'a\nb', label: 'c' });
    expect(parseFinal('[DESCRIPTION]: only')).toBeNull();
  });
});

describe('faults', () => {
  it('retries after rate limits and server errors (honouring retry-after) without using rounds', async () => {
    const { run, waits } = setup([fail('rate-limited', '429 Too Many Requests', 1500), fail('server', '500'), say(FINAL)]);
    expect(await run.run()).toBe('done');
    expect(waits).toEqual([1500]);
    expect(run.round).toBe(1);
    const faults = run.events.filter((e) => e.type === 'fault');
    expect(faults).toMatchObject([{ code: 'rate-limited', retryInMs: 1500, round: 1 }, { code: 'server', round: 1 }]);
    expect(run.events.filter((e) => e.type === 'round')).toHaveLength(1);
  });

  it('pauses after N consecutive failures with the reason, and resumes', async () => {
    const { run, client } = setup([fail('network', 'fetch failed'), fail('timeout', 'timed out'), fail('unauthorized', `401 bad key ${KEY}`), say(FINAL)], { maxFailures: 3 });
    expect(await run.run()).toBe('paused');
    expect(run.pauseReason).toMatch(/3 failures in a row; the last: unauthorized/);
    // the key never enters an event, even when a server echoes it
    expect(JSON.stringify(run.events)).not.toContain(KEY);
    expect(run.pauseReason).toContain('[key]');
    expect(await run.run()).toBe('done');
    expect(client.requests).toHaveLength(4);
  });

  it('handles empty replies, cut replies and context overflow (dropping old images first)', async () => {
    const { run, client } = setup([
      tools('One.', tc('text2image', { prompts: ['bag'] })),
      tools('Two.', tc('text2image', { prompts: ['coat'] })),
      fail('context-overflow', 'maximum context length exceeded'),
      () => ({ text: '', toolCalls: [], finish: 'stop' }),
      () => ({ text: 'A long rambling', toolCalls: [], finish: 'length' }),
      say(FINAL),
    ], { maxFailures: 4 });
    expect(await run.run()).toBe('done');
    expect(run.events.filter((e) => e.type === 'fault').map((e) => (e.type === 'fault' ? e.code : ''))).toEqual(['context-overflow', 'empty-reply', 'truncated']);
    const after = client.requests[3].messages.filter((m) => m.role === 'tool').map((m) => (m.role === 'tool' ? m.result : null)!);
    expect(after[0].images).toEqual([]);
    expect(after[0].text).toMatch(/images dropped to save context: img-1: scene: /);
    expect(after[1].images.length).toBe(1);
    expect(faultOf(new TypeError('fetch failed')).code).toBe('network');
  });

  it('pauses after N rounds whose tool calls all fail', async () => {
    const { run } = setup([tools('x', tc('call_unit', { images: ['img-77'] }))], { maxFailures: 2 });
    expect(await run.run()).toBe('paused');
    expect(run.pauseReason).toMatch(/2 rounds in a row without a successful tool call/);
  });
});

describe('stop, step, resume', () => {
  it('steps one round at a time, stops a request in flight and resumes', async () => {
    let release: (() => void) | null = null;
    const slow: Step = (req) =>
      new Promise<ChatReply>((resolve, reject) => {
        release = () => resolve({ text: 'late', toolCalls: [], finish: 'stop' });
        req.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const { run } = setup([tools('One.', tc('text2image', { prompts: ['bag'] })), slow, tools('Two.', tc('text2image', { prompts: ['dress'] })), say(FINAL)]);
    expect(await run.step()).toBe('idle');
    expect(run.round).toBe(1);
    const p = run.run();
    await new Promise((r) => setTimeout(r, 20));
    expect(release).not.toBeNull();
    run.stop();
    expect(await p).toBe('paused');
    expect(run.pauseReason).toBe('Stopped by the user.');
    expect(run.events.at(-1)).toMatchObject({ type: 'paused', reason: 'Stopped by the user.' });
    expect(await run.step()).toBe('idle');
    expect(await run.run()).toBe('done');
    expect(run.result?.rounds).toBe(3);
  });
});

describe('transcript', () => {
  it('exports without the key, imports, replays without a backend, and re-runs its tool calls to the same results', async () => {
    const { run, settings, ctx } = setup([
      tools('Exemplars.', tc('dataset_exemplars', { k: 5 })),
      tools('Tests.', tc('text2image', { prompts: ['trousers', 'bag on grass'], samples: 2 })),
      tools('Edits.', tc('edit_images', { images: ['img-11', 'img-13'], instructions: ['make it a bag', 'flip'] }), tc('call_unit', { images: ['img-1', 'img-3'] })),
      tools('Describe.', tc('describe_images', { images: ['img-2', 'img-11'] })),
      say(FINAL),
    ]);
    expect(await run.run()).toBe('done');
    const doc = toTranscript(run, settings, { model: { name: w.model.summary.name, sha256: w.model.summary.sha256 }, dataset: { id: w.dataset.info.id, sha256: w.dataset.info.sha256 } }, ctx.images.all());
    const text = stringifyTranscript(doc);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('apiKey');
    const back = parseTranscript(text);
    expect(back).toEqual(JSON.parse(text));
    expect(back.result).toMatchObject({ label: 'trousers', toolCalls: 5 });
    const { events, images } = replayTranscript(back);
    expect(events.filter((e) => e.type === 'tool')).toHaveLength(5);
    expect(images.size).toBe(ctx.images.size);
    const checks = await rerunToolCalls(back, { model: w.model, subject: settings.subject, banks: w.banks, dataset: w.dataset, exemplars: ctx.exemplars, seed: 0 });
    expect(checks.map((c) => c.name)).toEqual(['dataset_exemplars', 'text2image', 'edit_images', 'call_unit', 'describe_images']);
    expect(checks.filter((c) => !c.same)).toEqual([]);
    // a re-run against a different seed does not pass as the same
    const other = await rerunToolCalls({ ...back, settings: { ...back.settings, seed: 8 } }, { model: w.model, subject: settings.subject, banks: w.banks, dataset: w.dataset, exemplars: ctx.exemplars, seed: 0 });
    expect(other.find((c) => c.name === 'text2image')?.same).toBe(false);
  });

  it('rejects files that are not transcripts and drops a key smuggled into one', () => {
    expect(() => parseTranscript('{')).toThrow(/not JSON/);
    expect(() => parseTranscript('{"schema":"lab.agent-transcript/2"}')).toThrow(/Not a lab.agent-transcript\/1 file/);
    const t = {
      schema: 'lab.agent-transcript/1',
      model: { name: 'm', sha256: 'x' },
      settings: { subject: { kind: 'unit', layer: 'l', unit: 0 }, backend: { kind: 'openai', seesImages: false, apiKey: KEY }, rounds: 25, seed: 0 },
      events: [],
      images: [],
    };
    expect(JSON.stringify(parseTranscript(JSON.stringify(t)))).not.toContain(KEY);
  });
});
