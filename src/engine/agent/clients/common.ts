/**
 * What the OpenAI-compatible and Anthropic clients share: their options (retry policy, timeout,
 * the onRetry hook), the checks of a finished reply (tool-call JSON, empty reply) and the
 * translation of finish reasons.
 */
import type { BackendSettings, ChatReply, RetryNotice, ToolCall } from '../types';
import { AgentFault } from './faults';
import { DEFAULT_TIMEOUT_MS, Exchange } from './http';
import { Backoff, DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry';

export interface ClientOptions {
  /** Overrides of the retry policy (tests use small delays). */
  retry?: Partial<RetryPolicy>;
  /** Called before every retry of every request (besides the request's own onRetry). */
  onRetry?: (notice: RetryNotice) => void;
}

/** The per-client state both clients keep: timeout, policy and one seeded backoff stream. */
export interface Transport {
  timeoutMs: number;
  policy: RetryPolicy;
  backoff: Backoff;
  onRetry?: (notice: RetryNotice) => void;
}

export function transportOf(settings: BackendSettings, options: ClientOptions): Transport {
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  return {
    timeoutMs: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    policy,
    backoff: new Backoff(policy),
    onRetry: options.onRetry,
  };
}

export interface TryOptions {
  where: string;
  secret?: string;
  signal?: AbortSignal;
  /** The request's own hook, called after the client's. */
  onRetry?: (notice: RetryNotice) => void;
  mayRetry?: () => boolean;
}

/** Runs one HTTP exchange per try under the transport's timeout and retry policy. */
export function retrying<T>(t: Transport, o: TryOptions, attempt: (ex: Exchange) => Promise<T>): Promise<T> {
  return withRetry(
    async () => {
      const ex = new Exchange({ where: o.where, secret: o.secret, timeoutMs: t.timeoutMs, signal: o.signal });
      try {
        return await attempt(ex);
      } finally {
        ex.close();
      }
    },
    { policy: t.policy, backoff: t.backoff, signal: o.signal, onRetry: bothHooks(t.onRetry, o.onRetry), mayRetry: o.mayRetry },
  );
}

/** Both hooks, the client's and the request's, in that order. */
function bothHooks(
  a: ((n: RetryNotice) => void) | undefined,
  b: ((n: RetryNotice) => void) | undefined,
): ((n: RetryNotice) => void) | undefined {
  if (!a) return b;
  if (!b) return a;
  return (n) => {
    a(n);
    b(n);
  };
}

/** Parses tool-call arguments ('' counts as {}); a non-object is malformed too. */
export function parseArguments(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The last checks of a reply. Malformed arguments are a 'bad-tool-json' fault carrying the raw
 * text, except in a reply cut at the length limit, where the unfinished call is dropped and the
 * reply goes back with finish 'length' so the loop can ask the model to continue. A reply with
 * neither text nor tool calls is an 'empty-reply' fault.
 */
export function checkReply(reply: ChatReply, where: string): ChatReply {
  const calls: ToolCall[] = [];
  for (const call of reply.toolCalls) {
    if (parseArguments(call.arguments) !== undefined) calls.push(call);
    else if (reply.finish !== 'length') {
      throw new AgentFault('bad-tool-json', `The model wrote arguments for ${call.name} that are not a JSON object`, {
        raw: call.arguments,
        toolName: call.name,
        reply,
      });
    }
  }
  const out: ChatReply = { ...reply, toolCalls: calls };
  if (out.text.trim() === '' && calls.length === 0 && out.finish !== 'length') {
    throw new AgentFault('empty-reply', `${where} sent an empty reply (no text, no tool call)`);
  }
  return out;
}

/** Whether a base URL has a path beyond '/' (a server root gets the provider's /v1 added). */
export function hasPath(base: string): boolean {
  try {
    return new URL(base).pathname.replace(/\/+$/, '') !== '';
  } catch {
    throw new AgentFault('bad-response', `The base URL "${base}" is not a URL (e.g. http://localhost:8000/v1)`);
  }
}
