/**
 * The worker's agent requests under Node (EngineHandlers, the built-in model over the first 300
 * scenes): an offline run streams its events with the images they made and concludes; its
 * transcript has every image once and re-runs to the same results; Step goes one round at a
 * time; Stop pauses a run whose backend (a real scripted server) never answers, and the key the
 * run was given is in no event and not in the transcript.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRunSettings } from '../../src/engine/agent/types';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { AgentProgress } from '../../src/worker/agentProtocol';
import { EngineHandlers } from '../../src/worker/handlers';
import type { EngineRequest, EngineResponseBody, Progress } from '../../src/worker/protocol';
import { REPO_ROOT } from '../setup/fixturePaths';
import { ASSETS } from '../synth/banks';
import { startScriptedServer, type ScriptedServer } from './servers/scripted';

const MODEL = new Uint8Array(readFileSync(join(REPO_ROOT, 'models/scenes-balanced.onnx')));
const KEY = 'sk-host-test-7c1e';
const handlers = new EngineHandlers(nodeRuntime(), { readAsset: async (name) => new Uint8Array(readFileSync(join(ASSETS, name))), datasetCount: 300 });
let layer = '';
let server: ScriptedServer | null = null;

async function ask<K extends EngineRequest['kind']>(req: Extract<EngineRequest, { kind: K }>, progress: (p: Progress) => void = () => undefined, signal = new AbortController().signal) {
  return (await handlers.handle(req, signal, progress)) as Extract<EngineResponseBody, { kind: K }>;
}

const settings = (over: Partial<AgentRunSettings> = {}): AgentRunSettings => ({ subject: { kind: 'unit', layer, unit: 1 }, backend: { kind: 'offline', seesImages: false }, rounds: 25, seed: 1, ...over });

beforeAll(async () => {
  const { summary } = await ask({ kind: 'loadModel', name: 'scenes-balanced', bytes: MODEL.slice() });
  layer = summary.layers.find((l) => l.label === 'stage3.block2.relu2')!.tensor;
}, 120_000);
afterAll(async () => {
  await server?.close();
  await ask({ kind: 'releaseModel' });
});

describe('agent host', () => {
  it('runs the offline agent to a conclusion, streaming events with their images; the transcript re-runs to the same results', async () => {
    const streamed: AgentProgress[] = [];
    const status = await ask({ kind: 'agentStart', runId: 'r1', settings: settings(), datasetId: 'scenes-test', mode: 'run' }, (p) => p.agent && streamed.push(p.agent));
    expect(status.state).toBe('done');
    expect(status.result?.label.length).toBeGreaterThan(0);
    const tools = streamed.filter((p) => p.event.type === 'tool');
    expect(tools.length).toBe(status.toolCalls);
    expect(streamed.at(-1)?.event.type).toBe('final');
    // every image a result refers to was sent, once, no later than its event
    const sent = new Set<string>();
    for (const p of streamed) {
      for (const img of p.images ?? []) {
        expect(sent.has(img.id)).toBe(false);
        sent.add(img.id);
      }
      if (p.event.type === 'tool') for (const ref of p.event.result.images) expect(sent.has(ref.id)).toBe(true);
    }
    const { transcript } = await ask({ kind: 'agentTranscript', runId: 'r1' });
    expect(transcript.schema).toBe('lab.agent-transcript/1');
    expect(transcript.images.map((i) => i.id).sort()).toEqual([...sent].sort());
    expect(transcript.result?.label).toBe(status.result?.label);
    const { checks } = await ask({ kind: 'agentRerun', transcript, datasetId: 'scenes-test' });
    expect(checks.length).toBe(status.toolCalls);
    expect(checks.filter((c) => !c.same)).toEqual([]);
  }, 300_000);

  it('steps one round at a time, and refuses an unknown run', async () => {
    const first = await ask({ kind: 'agentStart', runId: 'r2', settings: settings(), datasetId: 'scenes-test', mode: 'step' });
    expect([first.state, first.round]).toEqual(['idle', 1]);
    const second = await ask({ kind: 'agentContinue', runId: 'r2', mode: 'step' });
    expect([second.state, second.round]).toEqual(['idle', 2]);
    await expect(ask({ kind: 'agentContinue', runId: 'nope', mode: 'run' })).rejects.toMatchObject({ code: 'bad-request' });
  }, 120_000);

  it('Stop pauses a run whose backend never answers; the key is in no event and not in the transcript', async () => {
    server = await startScriptedServer({ dialect: 'chat-completions', apiKey: KEY, script: [{ reply: 'hang' }] });
    const controller = new AbortController();
    const events: string[] = [];
    const backend = { kind: 'openai' as const, baseUrl: server.baseUrl, model: 'scripted', apiKey: KEY, seesImages: true };
    const pending = ask({ kind: 'agentStart', runId: 'r3', settings: settings({ backend }), datasetId: 'scenes-test', mode: 'run' }, (p) => p.agent && events.push(JSON.stringify(p.agent)), controller.signal);
    await expect.poll(() => server!.chatRequests().length, { timeout: 20_000 }).toBe(1);
    controller.abort();
    const status = await pending;
    expect(status.state).toBe('paused');
    expect(status.pauseReason).toMatch(/Stopped/);
    expect(server.chatRequests()[0].headers.authorization).toBe(`Bearer ${KEY}`);
    const { transcript } = await ask({ kind: 'agentTranscript', runId: 'r3' });
    expect(JSON.stringify(transcript)).not.toContain(KEY);
    expect(events.join('\n')).not.toContain(KEY);
    expect(transcript.settings.backend).toMatchObject({ kind: 'openai', model: 'scripted' });
  }, 60_000);
});
