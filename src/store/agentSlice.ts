/**
 * The Agent panel's state: the subject (the open unit, or a class logit), the backend settings
 * (the key in memory only, unless remembered), seed and round cap, and the run the panel shows —
 * a live run in the worker (events streamed as progress; Start / Stop / Step / Resume) or an
 * imported transcript replayed without a backend, whose tool calls can be re-run to check them.
 * Saved unit labels live here too (Exemplars and circuits graphs read them).
 */
import { parseTranscript, stringifyTranscript, type RerunCheck } from '../engine/agent/transcript';
import type { AgentEvent, AgentRunSettings, AgentSubject, AgentTranscript, StoredImage } from '../engine/agent/types';
import type { AgentRunMode, AgentRunStatus } from '../worker/agentProtocol';
import { EngineError } from '../worker/client';
import type { Progress } from '../worker/protocol';
import { DEFAULT_AGENT_BACKEND, DEFAULT_AGENT_ROUNDS, rememberedKey, storeKey, type AgentBackendView } from './agentSettings';
import { assetsBase } from './datasetSlice';
import { forgetCrashedEngine, getEngine } from './engine';
import { noticeFromError } from './errorNotice';
import { loadUnitLabels, saveUnitLabels, unitLabelKey, type UnitLabels } from './unitLabels';
import type { LabState, SliceCreator } from './types';
import { DEFAULT_DATASET_ID } from '../engine/data/datasets';

export type AgentRunPhase = 'idle' | 'running' | 'stopping' | 'paused' | 'done' | 'error';

export interface AgentRunView {
  runId: string;
  /** 'live': a run in the worker; 'imported': a transcript replayed without a backend. */
  source: 'live' | 'imported';
  phase: AgentRunPhase;
  settings: AgentTranscript['settings'];
  events: AgentEvent[];
  /** Text streamed for the round in progress (cleared when its reply is complete). */
  streaming: string;
  images: Record<string, StoredImage>;
  round: number;
  toolCalls: number;
  usage: { inputTokens: number; outputTokens: number };
  /** Time spent running, ms (plus the current stretch since `runningSince`). */
  activeMs: number;
  runningSince: number | null;
  pauseReason?: string;
  result?: AgentRunStatus['result'];
  /** What the tool in flight reports (indexing the layer: images done), or null. */
  toolProgress: string | null;
  /** The imported transcript (kept for re-running its calls). */
  transcript?: AgentTranscript;
}

export interface AgentSlice {
  /** 'unit': the open unit (layer + unit of the view); or a class logit. */
  agentTarget: { kind: 'unit' } | { kind: 'logit'; index: number };
  agentBackend: AgentBackendView;
  /** The API key, in memory (and in localStorage only when agentRememberKey). */
  agentKey: string;
  agentRememberKey: boolean;
  agentSeed: number;
  agentRounds: number;
  agentRun: AgentRunView | null;
  agentRerun: { status: 'running' | 'done' | 'error'; checks: RerunCheck[] } | null;
  unitLabels: UnitLabels;
  setAgentTarget: (t: AgentSlice['agentTarget']) => void;
  setAgentBackend: (b: Partial<AgentBackendView>) => void;
  setAgentKey: (key: string) => void;
  setAgentRememberKey: (remember: boolean) => void;
  setAgentSeed: (seed: number) => void;
  setAgentRounds: (rounds: number) => void;
  /** A new run on the current subject and settings ('step': one round, then it waits). */
  startAgent: (mode?: AgentRunMode) => Promise<void>;
  /** Resumes ('run') or steps the run shown. */
  continueAgent: (mode: AgentRunMode) => Promise<void>;
  stopAgent: () => void;
  /** The shown run as `lab.agent-transcript/1` text (never the key). */
  exportAgentTranscript: () => Promise<string | null>;
  importAgentTranscript: (text: string) => boolean;
  rerunAgentTranscript: () => Promise<void>;
  saveUnitLabel: (layer: string, unit: number, label: string) => void;
}

type Get = () => LabState;
type Set = (partial: Partial<LabState>) => void;

let controller: AbortController | null = null;
let runCounter = 0;

/** The subject of a new run, or a message saying what is missing. */
export function agentSubjectOf(s: LabState): AgentSubject | string {
  if (s.agentTarget.kind === 'logit') return { kind: 'logit', index: s.agentTarget.index };
  if (s.layer === null || s.unit === null) return 'Pick a layer and a unit first.';
  return { kind: 'unit', layer: s.layer, unit: s.unit };
}

/** A saved label of a unit of the loaded model, or null. */
export function unitLabelOf(s: Pick<LabState, 'summary' | 'unitLabels'>, layer: string, unit: number): string | null {
  return s.summary ? (s.unitLabels[unitLabelKey(s.summary.sha256, layer, unit)] ?? null) : null;
}

function patchRun(get: Get, set: Set, runId: string, patch: (r: AgentRunView) => Partial<AgentRunView>): void {
  const r = get().agentRun;
  if (r && r.runId === runId) set({ agentRun: { ...r, ...patch(r) } });
}

function onEvent(get: Get, set: Set, runId: string, event: AgentEvent, images?: StoredImage[]): void {
  patchRun(get, set, runId, (r) => {
    const next: Partial<AgentRunView> = {};
    if (images?.length) next.images = { ...r.images, ...Object.fromEntries(images.map((i) => [i.id, i])) };
    if (event.type === 'delta') return { ...next, streaming: r.streaming + event.text };
    if (event.type === 'assistant') next.streaming = '';
    if (event.type === 'round') next.round = Math.max(r.round, event.round - 1);
    if (event.type === 'tool') {
      next.toolCalls = r.toolCalls + 1;
      next.toolProgress = null;
    }
    if (event.type === 'usage') next.usage = { inputTokens: r.usage.inputTokens + event.inputTokens, outputTokens: r.usage.outputTokens + event.outputTokens };
    return { ...next, events: [...r.events, event] };
  });
}

/** Runs one start or continue request and folds its status into the run view. */
async function drive(get: Get, set: Set, runId: string, request: () => Promise<AgentRunStatus>): Promise<void> {
  controller = new AbortController();
  patchRun(get, set, runId, () => ({ phase: 'running', runningSince: performance.now(), pauseReason: undefined }));
  try {
    const status = await request();
    patchRun(get, set, runId, (r) => ({
      phase: status.state === 'done' ? 'done' : status.state === 'paused' ? 'paused' : 'idle',
      round: status.round,
      toolCalls: status.toolCalls,
      usage: status.usage,
      pauseReason: status.pauseReason,
      result: status.result,
      streaming: '',
      toolProgress: null,
      activeMs: r.activeMs + (r.runningSince === null ? 0 : performance.now() - r.runningSince),
      runningSince: null,
    }));
  } catch (err) {
    forgetCrashedEngine(err);
    patchRun(get, set, runId, (r) => ({
      phase: 'error',
      pauseReason: err instanceof Error ? err.message : String(err),
      toolProgress: null,
      activeMs: r.activeMs + (r.runningSince === null ? 0 : performance.now() - r.runningSince),
      runningSince: null,
    }));
    const notice = noticeFromError(err, 'The agent run');
    if (notice) get().pushNotice(notice);
  } finally {
    controller = null;
  }
}

function progressFor(get: Get, set: Set, runId: string) {
  return {
    signal: controller?.signal,
    onProgress: (p: Progress) => {
      if (p.agent && p.agent.runId === runId) onEvent(get, set, runId, p.agent.event, p.agent.images);
      else if (p.stage === 'agent-tool' || p.stage === 'dataset') patchRun(get, set, runId, () => ({ toolProgress: p.message }));
    },
  };
}

export const createAgentSlice: SliceCreator<AgentSlice> = (set, get) => {
  const remembered = rememberedKey();
  return {
    agentTarget: { kind: 'unit' },
    agentBackend: { ...DEFAULT_AGENT_BACKEND },
    agentKey: remembered ?? '',
    agentRememberKey: remembered !== null,
    agentSeed: 0,
    agentRounds: DEFAULT_AGENT_ROUNDS,
    agentRun: null,
    agentRerun: null,
    unitLabels: loadUnitLabels(),
    setAgentTarget: (agentTarget) => set({ agentTarget }),
    setAgentBackend: (b) => set({ agentBackend: { ...get().agentBackend, ...b } }),
    setAgentKey: (agentKey) => {
      set({ agentKey });
      storeKey(agentKey, get().agentRememberKey);
    },
    setAgentRememberKey: (agentRememberKey) => {
      set({ agentRememberKey });
      storeKey(get().agentKey, agentRememberKey);
    },
    setAgentSeed: (agentSeed) => {
      if (Number.isSafeInteger(agentSeed) && agentSeed >= 0) set({ agentSeed });
    },
    setAgentRounds: (agentRounds) => {
      if (Number.isSafeInteger(agentRounds) && agentRounds >= 1 && agentRounds <= 200) set({ agentRounds });
    },
    startAgent: async (mode = 'run') => {
      const s = get();
      if (controller) return;
      const subject = agentSubjectOf(s);
      if (typeof subject === 'string') {
        s.pushNotice({ level: 'warning', title: subject });
        return;
      }
      if (!s.summary) {
        s.pushNotice({ level: 'warning', title: 'The agent needs a loaded model.' });
        return;
      }
      const backend = { ...s.agentBackend, ...(s.agentBackend.kind !== 'offline' && s.agentKey ? { apiKey: s.agentKey } : {}) };
      const settings: AgentRunSettings = { subject, backend, rounds: s.agentRounds, seed: s.agentSeed };
      const { apiKey: _key, ...shown } = backend;
      void _key;
      const runId = `run-${Date.now().toString(36)}-${++runCounter}`;
      set({
        agentRerun: null,
        agentRun: { runId, source: 'live', phase: 'running', settings: { ...settings, backend: shown }, events: [], streaming: '', images: {}, round: 0, toolCalls: 0, usage: { inputTokens: 0, outputTokens: 0 }, activeMs: 0, runningSince: null, toolProgress: null },
      });
      const datasetId = s.datasetId ?? DEFAULT_DATASET_ID;
      await drive(get, set, runId, () => {
        const opts = progressFor(get, set, runId);
        return getEngine().request({ kind: 'agentStart', runId, settings, datasetId, assets: assetsBase(), mode }, opts);
      });
    },
    continueAgent: async (mode) => {
      const r = get().agentRun;
      if (!r || r.source !== 'live' || controller || r.phase === 'done') return;
      await drive(get, set, r.runId, () => getEngine().request({ kind: 'agentContinue', runId: r.runId, mode }, progressFor(get, set, r.runId)));
    },
    stopAgent: () => {
      if (!controller) return;
      const r = get().agentRun;
      if (r) patchRun(get, set, r.runId, () => ({ phase: 'stopping' }));
      controller.abort();
    },
    exportAgentTranscript: async () => {
      const r = get().agentRun;
      if (!r) return null;
      if (r.source === 'imported' && r.transcript) return stringifyTranscript(r.transcript);
      try {
        const { transcript } = await getEngine().request({ kind: 'agentTranscript', runId: r.runId });
        return stringifyTranscript(transcript);
      } catch (err) {
        const notice = noticeFromError(err, 'Exporting the transcript');
        if (notice) get().pushNotice(notice);
        return null;
      }
    },
    importAgentTranscript: (text) => {
      if (controller) {
        get().pushNotice({ level: 'warning', title: 'Stop the running agent before importing a transcript.' });
        return false;
      }
      let t: AgentTranscript;
      try {
        t = parseTranscript(text);
      } catch (err) {
        get().pushNotice({ level: 'error', title: 'The transcript cannot be opened', detail: err instanceof Error ? err.message : String(err) });
        return false;
      }
      const events = t.events.filter((e) => e.type !== 'delta');
      const usage = events.reduce((u, e) => (e.type === 'usage' ? { inputTokens: u.inputTokens + e.inputTokens, outputTokens: u.outputTokens + e.outputTokens } : u), { inputTokens: 0, outputTokens: 0 });
      set({
        agentRerun: null,
        agentRun: {
          runId: `import-${++runCounter}`,
          source: 'imported',
          phase: t.result ? 'done' : 'paused',
          settings: t.settings,
          events,
          streaming: '',
          images: Object.fromEntries(t.images.map((i) => [i.id, i])),
          round: t.result?.rounds ?? events.reduce((m, e) => (e.type === 'assistant' ? Math.max(m, e.round) : m), 0),
          toolCalls: events.filter((e) => e.type === 'tool').length,
          usage,
          activeMs: t.result?.ms ?? 0,
          runningSince: null,
          toolProgress: null,
          ...(t.result ? { result: t.result } : {}),
          transcript: t,
        },
      });
      return true;
    },
    rerunAgentTranscript: async () => {
      const r = get().agentRun;
      if (!r?.transcript || controller) return;
      set({ agentRerun: { status: 'running', checks: [] } });
      try {
        const { checks } = await getEngine().request({ kind: 'agentRerun', transcript: r.transcript, datasetId: get().datasetId ?? DEFAULT_DATASET_ID, assets: assetsBase() });
        set({ agentRerun: { status: 'done', checks } });
      } catch (err) {
        set({ agentRerun: { status: 'error', checks: [] } });
        const notice = noticeFromError(err, 'Re-running the tool calls');
        if (notice && !(err instanceof EngineError && err.code === 'cancelled')) get().pushNotice(notice);
      }
    },
    saveUnitLabel: (layer, unit, label) => {
      const sha = get().summary?.sha256;
      if (!sha) return;
      const unitLabels = { ...get().unitLabels, [unitLabelKey(sha, layer, unit)]: label };
      set({ unitLabels });
      saveUnitLabels(unitLabels);
    },
  };
};
