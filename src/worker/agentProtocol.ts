/**
 * The agent's part of the worker protocol (composed into EngineRequest / EngineResponseBody in
 * ./protocol.ts). A run lives in the worker under the page's `runId`: `agentStart` creates it and
 * runs it (`mode` 'run' until a conclusion or a pause, 'step' one round); `agentContinue` resumes
 * or steps it; cancelling the request stops the run (it pauses and can be resumed). Events stream
 * as progress (`Progress.agent`), each tool event with the images its result added. The API key
 * travels in `settings` to the worker's memory only; the worker never writes or logs it.
 */
import type { RerunCheck } from '../engine/agent/transcript';
import type { AgentEvent, AgentRunSettings, AgentTranscript, StoredImage } from '../engine/agent/types';

export type AgentRunMode = 'run' | 'step';

export type AgentRequest =
  | { kind: 'agentStart'; runId: string; settings: AgentRunSettings; datasetId: string; assets?: string; mode: AgentRunMode }
  | { kind: 'agentContinue'; runId: string; mode: AgentRunMode }
  /** The run as `lab.agent-transcript/1` (settings without the key, events, images once). */
  | { kind: 'agentTranscript'; runId: string }
  /** Re-runs a transcript's tool calls against the loaded model and dataset, comparing each result. */
  | { kind: 'agentRerun'; transcript: AgentTranscript; datasetId: string; assets?: string };

/** Where a run stands after a request: 'idle' after a step, 'paused' after Stop or faults, 'done' with a conclusion. */
export interface AgentRunStatus {
  runId: string;
  state: 'idle' | 'running' | 'paused' | 'done';
  round: number;
  toolCalls: number;
  pauseReason?: string;
  result?: { description: string; label: string; rounds: number; toolCalls: number; ms: number };
  usage: { inputTokens: number; outputTokens: number };
}

export type AgentResponseBody =
  | ({ kind: 'agentStart' } & AgentRunStatus)
  | ({ kind: 'agentContinue' } & AgentRunStatus)
  | { kind: 'agentTranscript'; transcript: AgentTranscript }
  | { kind: 'agentRerun'; checks: RerunCheck[] };

/** One streamed event of a run; a tool event carries the images new in the run's store since the last. */
export interface AgentProgress {
  runId: string;
  event: AgentEvent;
  images?: StoredImage[];
}
