/**
 * Faults of the model backends: one typed error (`AgentFault`) for everything a client could not
 * hide, and the classification of HTTP replies and fetch failures into its codes. Messages are
 * for people and never carry the API key (every text that might echo it goes through `redact`).
 */
import type { AgentFaultCode, ChatReply } from '../types';

/** Codes a client retries by itself (bounded); every other fault goes straight to the loop. */
const RETRYABLE: ReadonlySet<AgentFaultCode> = new Set(['network', 'rate-limited', 'server', 'timeout']);

export interface AgentFaultInit {
  /** HTTP status, when the fault came from a reply. */
  status?: number;
  /** How long the server asked to wait (retry-after), or the backoff the client chose, ms. */
  retryInMs?: number;
  /** The raw text that failed to parse ('bad-tool-json'), for the transcript and the retry prompt. */
  raw?: string;
  /** Name of the tool whose arguments failed ('bad-tool-json'). */
  toolName?: string;
  /**
   * The whole reply a 'bad-tool-json' fault came in (its text and every call, the broken one
   * included), so the loop can keep the turn and answer each call id, e.g. with an error result.
   */
  reply?: ChatReply;
}

export class AgentFault extends Error {
  readonly status?: number;
  readonly retryInMs?: number;
  readonly raw?: string;
  readonly toolName?: string;
  readonly reply?: ChatReply;

  constructor(readonly code: AgentFaultCode, message: string, init: AgentFaultInit = {}) {
    super(message);
    this.name = 'AgentFault';
    this.status = init.status;
    this.retryInMs = init.retryInMs;
    this.raw = init.raw;
    this.toolName = init.toolName;
    this.reply = init.reply;
  }

  /** Whether the client's retry loop may try again (the caller's abort is never an AgentFault). */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

export function isAgentFault(err: unknown): err is AgentFault {
  return err instanceof AgentFault;
}

/** Shortest piece of the key that counts as a leak when it appears in a server's message. */
const MIN_LEAK = 8;

/**
 * Removes the key, and any run of 8 or more of its characters, from a text. Servers echo keys
 * back in 401 messages (OpenAI shows a masked prefix and suffix), so a plain replace is not enough.
 */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) return text;
  let out = text.split(secret).join('[key]');
  if (secret.length < MIN_LEAK) return out;
  for (let len = secret.length - 1; len >= MIN_LEAK; len--) {
    for (let start = 0; start + len <= secret.length; start++) {
      const piece = secret.slice(start, start + len);
      if (out.includes(piece)) out = out.split(piece).join('[key]');
    }
  }
  return out;
}

/** Seconds (`retry-after: 2`, `retry-after-ms: 200`) or an HTTP-date, as a delay from `now`, ms. */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The provider's error message out of a JSON error body (OpenAI, Anthropic, vLLM, llama.cpp, Ollama). */
export function errorMessageOf(body: string): string {
  try {
    const json = JSON.parse(body) as unknown;
    if (json && typeof json === 'object') {
      const o = json as Record<string, unknown>;
      const err = o.error;
      if (typeof err === 'string') return err;
      if (err && typeof err === 'object') {
        const m = (err as Record<string, unknown>).message;
        if (typeof m === 'string') return m;
      }
      if (typeof o.message === 'string') return o.message;
      if (typeof o.detail === 'string') return o.detail;
    }
  } catch {
    // not JSON: the text itself
  }
  return body.trim();
}

/** Provider phrasings of "the prompt does not fit the context" (OpenAI, vLLM, llama.cpp, Anthropic, Ollama). */
const CONTEXT_OVERFLOW =
  /context[_ ]length|maximum context|context size|context window|prompt is too long|too many tokens|exceeds? the (available )?context|exceed_context_size/i;

const MAX_SHOWN = 300;

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_SHOWN ? `${flat.slice(0, MAX_SHOWN)}…` : flat;
}

/** Turns a non-2xx reply into a fault. `where` names the endpoint for the message (no key in it). */
export function faultFromStatus(
  status: number,
  body: string,
  headers: Headers,
  where: string,
  secret: string | undefined,
): AgentFault {
  const said = shorten(redact(errorMessageOf(body), secret));
  const tail = said ? `: ${said}` : '';
  if (status === 401 || status === 403) {
    return new AgentFault(
      'unauthorized',
      `${where} refused the API key (HTTP ${status}). Check the key and that it may use this model${tail}`,
      { status },
    );
  }
  if (status === 429) {
    return new AgentFault('rate-limited', `${where} is rate limiting requests (HTTP 429)${tail}`, {
      status,
      retryInMs: parseRetryAfter(headers),
    });
  }
  if (status === 408) return new AgentFault('timeout', `${where} timed out the request (HTTP 408)${tail}`, { status });
  if ((status === 400 || status === 413 || status === 422) && CONTEXT_OVERFLOW.test(said)) {
    return new AgentFault('context-overflow', `The conversation no longer fits the model's context${tail}`, { status });
  }
  if (status >= 500) {
    return new AgentFault('server', `${where} failed (HTTP ${status})${tail}`, {
      status,
      retryInMs: parseRetryAfter(headers),
    });
  }
  const hint = status === 404 ? ' (check the base URL and the model name)' : '';
  return new AgentFault('bad-response', `${where} rejected the request (HTTP ${status})${hint}${tail}`, { status });
}

/** Turns what `fetch` threw (not the caller's abort) into a 'network' fault naming the cause. */
export function faultFromNetwork(err: unknown, where: string, secret: string | undefined): AgentFault {
  const cause = err instanceof Error ? (err as Error & { cause?: unknown }).cause : undefined;
  const code =
    cause && typeof cause === 'object' && typeof (cause as { code?: unknown }).code === 'string'
      ? (cause as { code: string }).code
      : undefined;
  const detail = code ?? (cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err));
  return new AgentFault('network', `Could not reach ${where} (${redact(detail, secret)}). Check the base URL and that the server runs`);
}
