/**
 * The loop with the real HTTP clients against the scripted local model servers (no mocked fetch):
 * a run with tool calls whose images reach the model, a 429 and a 500 survived, broken tool JSON
 * answered as a tool result, Stop during a request that hangs, and the key nowhere in the transcript.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/engine/agent/clients';
import { AgentRun } from '../../src/engine/agent/loop';
import { stringifyTranscript, toTranscript } from '../../src/engine/agent/transcript';
import type { AgentRunSettings, BackendKind } from '../../src/engine/agent/types';
import { KEY } from './helpers';
import { startScriptedServer, type ScriptStep, type ScriptedServer } from './servers/scripted';
import { openWorld, type World } from './world';

let w: World;
let server: ScriptedServer | undefined;
beforeAll(async () => {
  w = await openWorld(800);
});
afterAll(() => w.model.release());
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(kind: Exclude<BackendKind, 'offline'>, script: ScriptStep[], seesImages = true) {
  server = await startScriptedServer({ dialect: kind === 'openai' ? 'chat-completions' : 'messages', apiKey: KEY, script });
  const settings: AgentRunSettings = {
    subject: { kind: 'unit', layer: w.tensor('stage3.block2.relu2'), unit: 1 },
    backend: { kind, baseUrl: server.baseUrl, model: 'scripted', apiKey: KEY, seesImages, timeoutMs: 20_000 },
    rounds: 25,
    seed: 2,
  };
  const ctx = w.ctx(settings.subject, settings.seed);
  const run = new AgentRun({ settings, client: createClient(settings.backend), ctx });
  return { run, settings, ctx, server };
}

const FINAL = 'It fires for trousers.\n[DESCRIPTION]: Fires for trousers, whatever their colour.\n[LABEL]: trousers';

describe.each(['openai', 'anthropic'] as const)('%s backend', (kind) => {
  it('runs tool calls whose images reach the model, survives a 429 and a 500, and keeps the key out of the transcript', async () => {
    const { run, settings, ctx, server: s } = await start(kind, [
      { reply: 'tools', text: 'Exemplars first.\n[HYPOTHESES]\n- trousers', calls: [{ name: 'dataset_exemplars', arguments: { k: 3 } }] },
      { reply: 'status', status: 429, message: 'slow down', headers: { 'retry-after': '0.05' } },
      { reply: 'status', status: 500, message: 'oops' },
      { reply: 'tools', text: 'Now a test.', calls: [{ name: 'text2image', arguments: { prompts: ['trousers', 'bag'] } }] },
      { reply: 'text', text: FINAL },
    ]);
    expect(await run.run()).toBe('done');
    expect(run.result).toMatchObject({ label: 'trousers', rounds: 3, toolCalls: 2 });
    const faults = run.events.filter((e) => e.type === 'fault').map((e) => (e.type === 'fault' ? e.code : ''));
    expect(faults).toEqual(['rate-limited', 'server']);
    // the exemplars' masked images went to the model as image parts in the request after them
    const reqs = s.chatRequests();
    expect(reqs).toHaveLength(5);
    expect(reqs[0].images).toHaveLength(0);
    expect(reqs[1].images).toHaveLength(3);
    expect(reqs[4].images).toHaveLength(5);
    const doc = stringifyTranscript(toTranscript(run, settings, { model: { name: w.model.summary.name, sha256: w.model.summary.sha256 } }, ctx.images.all()));
    expect(doc).not.toContain(KEY);
    expect(doc).not.toContain('SECRET');
    expect(JSON.parse(doc).settings.backend).toEqual({ kind, baseUrl: s.baseUrl, model: 'scripted', seesImages: true, timeoutMs: 20_000 });
  });

  it('answers broken tool JSON with a failed tool result and goes on', async () => {
    const { run, server: s } = await start(
      kind,
      [
        { reply: 'tools', text: 'Try.', calls: [{ name: 'call_unit', arguments: '{"images": [' }] },
        { reply: 'text', text: FINAL },
      ],
      false,
    );
    expect(await run.run()).toBe('done');
    expect(run.events.some((e) => e.type === 'fault' && e.code === 'bad-tool-json')).toBe(true);
    const tool = run.events.find((e) => e.type === 'tool');
    expect(tool).toMatchObject({ result: { ok: false } });
    // the second request carries the error back to the model
    expect(JSON.stringify(s.chatRequests()[1].body)).toMatch(/not valid JSON/);
  });

  it('stops a request that hangs, and resumes', async () => {
    const { run } = await start(kind, [{ reply: 'hang' }, { reply: 'text', text: FINAL }]);
    const p = run.run();
    await new Promise((r) => setTimeout(r, 200));
    run.stop();
    expect(await p).toBe('paused');
    expect(run.pauseReason).toBe('Stopped by the user.');
    expect(await run.run()).toBe('done');
  });
});
