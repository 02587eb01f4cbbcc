/**
 * The worker's agent runs: builds the tools' context from what the worker holds (the loaded
 * model, the open built-in dataset and its banks, the exemplar indexes of ExemplarHost) and a
 * per-run image store, runs the loop (../engine/agent/loop.ts) and streams its events as
 * progress. Runs stay here under the page's run id so Stop / Step / Resume and the transcript
 * export reach them. Before each model request the run calls the lane's yield point, so a
 * prediction or an attribution asked for meanwhile answers between two rounds.
 */
import { createClient } from '../engine/agent/clients';
import { createOfflineClient } from '../engine/agent/clients/offline';
import { ImageStore } from '../engine/agent/imageStore';
import { AgentRun } from '../engine/agent/loop';
import type { ToolContext, VisionDescriber } from '../engine/agent/tools';
import { indexingExemplars } from '../engine/agent/tools/exemplarSource';
import { rerunToolCalls, toTranscript } from '../engine/agent/transcript';
import type { AgentRunSettings, ChatClient } from '../engine/agent/types';
import type { SceneDataset } from '../engine/data/datasets';
import { LabError } from '../engine/errors';
import type { LayerIndex } from '../engine/exemplars/layerIndex';
import type { LoadedModel } from '../engine/lab/loadedModel';
import type { SynthBanks } from '../engine/synth/banks';
import type { AgentRequest, AgentResponseBody, AgentRunStatus } from './agentProtocol';
import type { Progress } from './protocol';

/** Runs kept for Resume and export (older ones are dropped). */
const KEEP_RUNS = 4;

type Req<K extends AgentRequest['kind']> = Extract<AgentRequest, { kind: K }>;
type Body<K extends AgentResponseBody['kind']> = Extract<AgentResponseBody, { kind: K }>;

/** What the handlers give a run: the model, the scene world, the indexes kept for this pair. */
export interface AgentWorld {
  model: LoadedModel;
  banks: SynthBanks;
  /** The open built-in dataset (absent for an image dataset: the tools then have no exemplars). */
  dataset?: SceneDataset;
  indexes?: Map<string, LayerIndex>;
}

interface Entry {
  run: AgentRun;
  settings: AgentRunSettings;
  images: ImageStore;
  world: AgentWorld;
  /** Images already sent to the page. */
  sent: number;
  /** The current request's progress and yield point (a run outlives the request that started it). */
  progress: (p: Progress) => void;
  yieldPoint: () => Promise<void>;
}

function clientFor(settings: AgentRunSettings): ChatClient {
  return settings.backend.kind === 'offline' ? createOfflineClient() : createClient(settings.backend);
}

/** Waits at the lane's yield point before every model request. */
function yielding(inner: ChatClient, entry: () => Entry | undefined): ChatClient {
  return {
    kind: inner.kind,
    async chat(request) {
      await entry()?.yieldPoint();
      return inner.chat(request);
    },
  };
}

function statusOf(runId: string, run: AgentRun): AgentRunStatus {
  return {
    runId,
    state: run.state,
    round: run.round,
    toolCalls: run.toolCalls,
    ...(run.pauseReason ? { pauseReason: run.pauseReason } : {}),
    ...(run.result ? { result: { ...run.result } } : {}),
    usage: { ...run.usage },
  };
}

const noYield = () => Promise.resolve();

export class AgentHost {
  private readonly runs = new Map<string, Entry>();

  private context(world: AgentWorld, settings: AgentRunSettings, images: ImageStore, client: ChatClient, onProgress: ToolContext['onProgress']): ToolContext {
    const { model, banks, dataset } = world;
    const { backend } = settings;
    const vision: VisionDescriber | undefined = backend.kind !== 'offline' && backend.seesImages ? { client, name: backend.model ?? backend.kind } : undefined;
    return {
      model,
      subject: settings.subject,
      banks,
      ...(dataset ? { dataset, exemplars: indexingExemplars(model, dataset, world.indexes) } : {}),
      images,
      seed: settings.seed,
      ...(vision ? { vision } : {}),
      onProgress,
    };
  }

  async start(world: AgentWorld, req: Req<'agentStart'>, signal: AbortSignal, progress: (p: Progress) => void, yieldPoint = noYield): Promise<Body<'agentStart'>> {
    const { runId, settings } = req;
    if (settings.subject.kind === 'unit') {
      const { layer } = settings.subject;
      if (!world.model.summary.layers.some((l) => l.tensor === layer)) throw new LabError('bad-request', `Unknown layer "${layer.slice(0, 120)}" in ${world.model.summary.name}.`);
    }
    const images = new ImageStore();
    let entry: Entry | undefined;
    const inner = clientFor(settings);
    const client = yielding(inner, () => entry);
    const ctx = this.context(world, settings, images, inner, (p) => entry?.progress({ stage: 'agent-tool', fraction: p.total ? p.done / p.total : null, message: p.message }));
    const run = new AgentRun({
      settings,
      client,
      ctx,
      onEvent: (event) => {
        if (!entry) return;
        const all = images.all();
        const fresh = event.type === 'tool' && all.length > entry.sent ? all.slice(entry.sent) : undefined;
        if (fresh) entry.sent = all.length;
        entry.progress({ stage: 'agent', fraction: null, message: event.type, agent: { runId, event, ...(fresh ? { images: fresh } : {}) } });
      },
    });
    entry = { run, settings, images, world, sent: 0, progress, yieldPoint };
    this.runs.set(runId, entry);
    while (this.runs.size > KEEP_RUNS) this.runs.delete(this.runs.keys().next().value!);
    return { kind: 'agentStart', ...(await this.drive(runId, entry, req.mode, signal, progress, yieldPoint)) };
  }

  async continue(req: Req<'agentContinue'>, signal: AbortSignal, progress: (p: Progress) => void, yieldPoint = noYield): Promise<Body<'agentContinue'>> {
    return { kind: 'agentContinue', ...(await this.drive(req.runId, this.entry(req.runId), req.mode, signal, progress, yieldPoint)) };
  }

  transcript(req: Req<'agentTranscript'>): Body<'agentTranscript'> {
    const { run, settings, images, world } = this.entry(req.runId);
    const { model, dataset } = world;
    const meta = { model: { name: model.summary.name, sha256: model.summary.sha256 }, ...(dataset ? { dataset: { id: dataset.info.id, sha256: dataset.info.sha256 } } : {}) };
    return { kind: 'agentTranscript', transcript: toTranscript(run, settings, meta, images.all()) };
  }

  async rerun(world: AgentWorld, req: Req<'agentRerun'>, signal: AbortSignal): Promise<Body<'agentRerun'>> {
    const t = req.transcript;
    if (t.model.sha256 !== world.model.summary.sha256) {
      throw new LabError('bad-request', `This transcript was recorded on ${t.model.name} (sha256 ${t.model.sha256.slice(0, 12)}…); open that model to re-run its tool calls.`);
    }
    if (t.dataset?.sha256 && world.dataset && t.dataset.sha256 !== world.dataset.info.sha256) {
      throw new LabError('bad-request', `This transcript was recorded on another dataset (${t.dataset.id}); open it to re-run the tool calls.`);
    }
    const settings = { ...t.settings, backend: { ...t.settings.backend } };
    const { images: _images, ...ctx } = this.context(world, settings, new ImageStore(), createOfflineClient(), undefined);
    void _images;
    return { kind: 'agentRerun', checks: await rerunToolCalls(t, { ...ctx, signal }) };
  }

  /** Forgets every run (the model they ran on is being replaced or released). */
  clear(): void {
    for (const e of this.runs.values()) e.run.stop();
    this.runs.clear();
  }

  private entry(runId: string): Entry {
    const e = this.runs.get(runId);
    if (!e) throw new LabError('bad-request', `There is no agent run "${runId.slice(0, 40)}" in the engine (it was dropped or the engine restarted); start a new one.`);
    return e;
  }

  private async drive(runId: string, entry: Entry, mode: 'run' | 'step', signal: AbortSignal, progress: (p: Progress) => void, yieldPoint: () => Promise<void>): Promise<AgentRunStatus> {
    entry.progress = progress;
    entry.yieldPoint = yieldPoint;
    const stop = () => entry.run.stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      if (signal.aborted) entry.run.stop();
      else await (mode === 'step' ? entry.run.step() : entry.run.run());
    } finally {
      signal.removeEventListener('abort', stop);
      entry.progress = () => undefined;
      entry.yieldPoint = noYield;
    }
    return statusOf(runId, entry.run);
  }
}
