/**
 * The shapes of the interpretability agent (MAIA): the one contract shared by the tools
 * (./tools/), the backends (./clients/: openai, anthropic, offline), the loop (./loop.ts), the
 * transcript (`lab.agent-transcript/1`), the worker's agent host, the store's agent slice, the
 * panel and `lab agent`. Plain data only (structured-clone and JSON safe). Model-written code is
 * never executed: the agent acts only through typed, schema-validated tool calls.
 */

import type { SceneSpec } from '../synth/spec';

/** A JSON Schema object (draft 2020-12 subset that ajv validates). */
export type JsonSchema = { [key: string]: unknown };

/** One tool as the model sees it: the single source for the system prompt, validation and the panel's docs. */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonSchema;
  /** Schema version, bumped when arguments or results change meaning. */
  version: number;
}

/** An image the agent refers to by handle: an id into the run's image store. */
export interface ImageRef {
  id: string;
  /** Short text for models that do not see images ("scene: red striped bag on grass; act 3.2"). */
  caption?: string;
}

/** A stored image of a run (PNG bytes encoded once; the transcript carries each image once). */
export interface StoredImage {
  id: string;
  width: number;
  height: number;
  /** base64 PNG (no data: prefix). */
  png: string;
  /** Scene attributes where the image is a generated or dataset scene (for the built-in describer). */
  scene?: { class: string; color: string; texture: string; background: string; backgroundKind: string };
  /** Activation map of the unit over this image, when a tool computed one (row-major, mapH × mapW). */
  map?: { h: number; w: number; data: number[] };
  /** Where the image came from (added by the tools; edits and the describer read it). */
  origin?: ImageOrigin;
  /** The full scene spec of a scene image (plain JSON), so scene edits can re-render it. */
  spec?: SceneSpec;
  /** The unit's activation (spatial max, or the logit) on this image, when a tool measured it. */
  activation?: number;
}

/** How a stored image was made. A masked image points at the image it masks. */
export type ImageOrigin =
  | { kind: 'dataset'; index: number }
  | { kind: 'text2image'; prompt: string; sample: number }
  | { kind: 'edit'; of: string; instruction: string }
  | { kind: 'mask'; of: string }
  | { kind: 'upload'; name?: string };

/** A tool call as a backend reports it. `arguments` is the raw JSON text the model wrote. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** The result of one tool call: JSON-safe data for the model, plus images by handle. */
export interface ToolResult {
  callId: string;
  name: string;
  ok: boolean;
  /** What the model reads (text). On error: the message, naming what the tool accepts. */
  text: string;
  /** Structured result for the panel and the transcript (values, per-image activations). */
  data?: unknown;
  images: ImageRef[];
}

export type ContentPart = { type: 'text'; text: string } | { type: 'image'; image: ImageRef };

/** One message of the conversation in a backend-neutral form (clients translate it). */
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: ContentPart[] }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; result: ToolResult };

export type BackendKind = 'offline' | 'openai' | 'anthropic';

/** Backend settings. `apiKey` lives in memory only: never in a link, transcript, export or log. */
export interface BackendSettings {
  kind: BackendKind;
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  /** Whether the model accepts image parts; when false images go as their captions. */
  seesImages: boolean;
  /** Native tool calls (default) or the JSON-in-text fallback for models without them. */
  toolMode?: 'native' | 'json-in-text';
  temperature?: number;
  maxTokens?: number;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
}

/** What a backend returns for one turn. */
export interface ChatReply {
  text: string;
  toolCalls: ToolCall[];
  /** 'length' = cut at the token limit. */
  finish: 'stop' | 'tool_calls' | 'length' | 'other';
  usage?: { inputTokens: number; outputTokens: number };
}

/** Everything a client needs to resolve image handles into image parts. */
export interface ImageResolver {
  get(id: string): StoredImage | undefined;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  images: ImageResolver;
  signal?: AbortSignal;
  /** Streamed text as it arrives (SSE). A client streams when this is set. */
  onDelta?: (text: string) => void;
  /** Called before each retry the client makes by itself (429, 5xx, network, timeout). */
  onRetry?: (notice: RetryNotice) => void;
}

/** A fault the client is about to retry: the loop may show it as a 'fault' event with retryInMs. */
export interface RetryNotice {
  code: AgentFaultCode;
  message: string;
  /** The try that failed, counting from 1. */
  attempt: number;
  /** The wait before the next try, ms (the server's retry-after when it gave one). */
  retryInMs: number;
  status?: number;
}

/** A backend: OpenAI-compatible, Anthropic Messages, or the offline planner. */
export interface ChatClient {
  readonly kind: BackendKind;
  chat(request: ChatRequest): Promise<ChatReply>;
  /** Model ids the backend lists (`/v1/models`), when it has a list. */
  listModels?(signal?: AbortSignal): Promise<string[]>;
}

/** A fault a client could not hide; the loop turns it into an event and maybe a pause. */
export type AgentFaultCode =
  | 'network'
  | 'unauthorized'
  | 'rate-limited'
  | 'server'
  | 'timeout'
  | 'truncated'
  | 'bad-tool-json'
  | 'bad-arguments'
  | 'unknown-tool'
  | 'empty-reply'
  | 'context-overflow'
  | 'bad-response';

/** The agent's subject: a unit of a layer, or a class logit. */
export type AgentSubject = { kind: 'unit'; layer: string; unit: number } | { kind: 'logit'; index: number };

export interface AgentRunSettings {
  subject: AgentSubject;
  backend: BackendSettings;
  /** Round cap (default 25), after which the agent is asked for its conclusion. */
  rounds: number;
  seed: number;
  /** Consecutive failures after which the run pauses (default 3). */
  maxFailures?: number;
}

/** Events of a run, in order: the panel renders them, the transcript stores them. */
export type AgentEvent =
  | { type: 'round'; round: number }
  | { type: 'assistant'; round: number; text: string; toolCalls: ToolCall[] }
  | { type: 'delta'; round: number; text: string }
  | { type: 'tool'; round: number; call: ToolCall; result: ToolResult; ms: number }
  | { type: 'hypotheses'; round: number; items: string[] }
  | { type: 'fault'; round: number; code: AgentFaultCode; message: string; retryInMs?: number }
  | { type: 'paused'; round: number; reason: string }
  | { type: 'final'; round: number; description: string; label: string }
  | { type: 'usage'; inputTokens: number; outputTokens: number };

/** `lab.agent-transcript/1`: settings (no key), events, and each image once. */
export interface AgentTranscript {
  schema: 'lab.agent-transcript/1';
  model: { name: string; sha256: string };
  dataset?: { id: string; sha256?: string };
  settings: Omit<AgentRunSettings, 'backend'> & { backend: Omit<BackendSettings, 'apiKey'> };
  events: AgentEvent[];
  images: StoredImage[];
  result?: { description: string; label: string; rounds: number; toolCalls: number; ms: number };
}
