/**
 * The agent slice through the real worker handlers (onnxruntime-node, the built-in model over the
 * first 300 scenes): Start streams the offline run into the view (events, images, figures) and
 * ends in its description; the label saves; the exported transcript imports and replays with no
 * engine call, and re-runs to the same results; a bad file is a notice that keeps the shown run;
 * Stop pauses a run whose backend never answers, and the key is not in the transcript.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { useLab } from '../../src/store';
import { unitLabelOf } from '../../src/store/agentSlice';
import { setEngine } from '../../src/store/engine';
import { EngineHandlers } from '../../src/worker/handlers';
import type { EngineRequest } from '../../src/worker/protocol';
import { startScriptedServer, type ScriptedServer } from '../agent/servers/scripted';
import { REPO_ROOT } from '../setup/fixturePaths';
import { ASSETS } from '../synth/banks';
import { cancellableEngine } from './fakeEngine';

const KEY = 'sk-slice-test-93af';
let requests: EngineRequest[] = [];
let server: ScriptedServer | null = null;

beforeAll(async () => {
  const handlers = new EngineHandlers(nodeRuntime(), { readAsset: async (name) => new Uint8Array(readFileSync(join(ASSETS, name))), datasetCount: 300 });
  const engine = cancellableEngine((req, signal, progress) => handlers.handle(req, signal, progress));
  requests = engine.requests;
  setEngine(engine.client);
  useLab.setState({ notices: [], backendPreference: 'wasm', datasetId: 'scenes-test' });
  const bytes = readFileSync(join(REPO_ROOT, 'models/scenes-balanced.onnx'));
  await useLab.getState().loadFile({ name: 'scenes-balanced.onnx', size: bytes.length, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) });
  const s = useLab.getState();
  s.selectLayer(s.summary!.layers.find((l) => l.label === 'stage3.block2.relu2')!.tensor);
  useLab.getState().selectUnit(1);
}, 120_000);
afterAll(async () => {
  setEngine(null);
  await server?.close();
});

describe('agent slice', () => {
  it('runs the offline agent, saves its label, exports, imports, replays and re-runs the transcript', async () => {
    await useLab.getState().startAgent('run');
    const run = useLab.getState().agentRun!;
    expect(run.phase).toBe('done');
    expect(run.result?.label).toBeTruthy();
    const tools = run.events.filter((e) => e.type === 'tool');
    expect(tools.length).toBe(run.toolCalls);
    for (const e of tools) if (e.type === 'tool') for (const ref of e.result.images) expect(run.images[ref.id]?.png.length).toBeGreaterThan(0);
    expect(run.activeMs).toBeGreaterThan(0);

    const s = useLab.getState();
    s.saveUnitLabel(s.layer!, 1, run.result!.label);
    expect(unitLabelOf(useLab.getState(), s.layer!, 1)).toBe(run.result!.label);

    const text = (await useLab.getState().exportAgentTranscript())!;
    const before = requests.length;
    expect(useLab.getState().importAgentTranscript(text)).toBe(true);
    expect(requests.length).toBe(before); // replay needs no engine
    const replay = useLab.getState().agentRun!;
    expect([replay.source, replay.phase, replay.result?.label, replay.toolCalls]).toEqual(['imported', 'done', run.result!.label, run.toolCalls]);
    expect(Object.keys(replay.images).sort()).toEqual(Object.keys(run.images).sort());

    await useLab.getState().rerunAgentTranscript();
    const rerun = useLab.getState().agentRerun!;
    expect(rerun.status).toBe('done');
    expect(rerun.checks.length).toBe(run.toolCalls);
    expect(rerun.checks.every((c) => c.same)).toBe(true);

    expect(useLab.getState().importAgentTranscript('{"schema":"lab.agent-transcript/0"}')).toBe(false);
    expect(useLab.getState().notices.at(-1)?.title).toMatch(/transcript cannot be opened/);
    expect(useLab.getState().agentRun?.runId).toBe(replay.runId);
  }, 300_000);

  it('Stop pauses a run whose backend never answers; the key stays out of the transcript', async () => {
    server = await startScriptedServer({ dialect: 'chat-completions', apiKey: KEY, script: [{ reply: 'hang' }] });
    const s = useLab.getState();
    s.setAgentBackend({ kind: 'openai', baseUrl: server.baseUrl, model: 'scripted', seesImages: true });
    s.setAgentKey(KEY);
    const running = useLab.getState().startAgent('run');
    await expect.poll(() => server!.chatRequests().length, { timeout: 20_000 }).toBe(1);
    expect(useLab.getState().agentRun?.phase).toBe('running');
    useLab.getState().stopAgent();
    await running;
    const run = useLab.getState().agentRun!;
    expect(run.phase).toBe('paused');
    expect(run.pauseReason).toMatch(/Stopped/);
    const text = (await useLab.getState().exportAgentTranscript())!;
    expect(text).toContain('"kind":"openai"');
    expect(text).not.toContain(KEY);
    expect(JSON.stringify(run)).not.toContain(KEY);
  }, 60_000);
});
