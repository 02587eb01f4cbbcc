/**
 * The script of a scripted model server (see ./scripted.ts): what it answers to each chat
 * request, in order, and what it records of each request.
 */

/** A tool call the scripted model makes. `arguments` as text is sent verbatim (so it can be broken JSON). */
export interface ScriptedCall {
  id?: string;
  name: string;
  arguments: string | Record<string, unknown>;
}

/** A reply the model gives: streamed when the request asks for a stream, one JSON otherwise. */
export type ReplyStep =
  | { reply: 'text'; text: string; finish?: 'stop' | 'length'; usage?: { input: number; output: number } }
  | { reply: 'tools'; text?: string; calls: ScriptedCall[]; finish?: 'tool_calls' | 'length'; usage?: { input: number; output: number } }
  /** No text and no tool call (finish 'stop'). */
  | { reply: 'empty' };

/** A fault the server injects instead of (or in the middle of) a reply. */
export type FaultStep =
  /** An HTTP error in the dialect's error shape; `headers` e.g. { 'retry-after': '0.2' }. */
  | { reply: 'status'; status: number; message?: string; headers?: Record<string, string> }
  /** 400 with the provider's context-length error. */
  | { reply: 'context-overflow' }
  /** The socket is destroyed before any byte of the reply. */
  | { reply: 'reset' }
  /** The reply never comes (with `step`, a stream stalls after `afterFrames` frames of it). */
  | { reply: 'hang'; afterFrames?: number; step?: ReplyStep }
  /** A stream of `step` whose socket is destroyed after `afterFrames` frames. */
  | { reply: 'reset-mid-stream'; afterFrames: number; step: ReplyStep }
  /** Any body at all (a broken JSON reply, an HTML error page). */
  | { reply: 'raw'; status?: number; contentType?: string; body: string };

export type ScriptStep = ReplyStep | FaultStep;

export interface RecordedImage {
  mediaType: string;
  base64: string;
  /** 'message' for an image part of a user message, 'tool_result' for one inside a tool result (Messages). */
  where: 'message' | 'tool_result';
}

export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. /v1/chat/completions. */
  path: string;
  headers: Record<string, string>;
  /** The parsed JSON body (undefined for GET). */
  body: unknown;
  /** Image parts found in the body. */
  images: RecordedImage[];
  /** Arrival time, ms (performance.now()), to measure the waits between retries. */
  at: number;
}
