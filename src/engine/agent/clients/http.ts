/**
 * One HTTP try of a backend: `fetch` under a timeout combined with the caller's signal, with
 * every failure mapped to a fault. The timeout is an idle timer: it restarts on each streamed
 * chunk, so a long but live stream is not cut while a hung server is. The caller's abort is
 * rethrown as is (its reason), so the retry loop stops.
 */
import { AgentFault, faultFromNetwork, faultFromStatus } from './faults';
import { abortError } from './retry';
import { sseEvents, type SseEvent } from './sse';

export const DEFAULT_TIMEOUT_MS = 120_000;

export interface ExchangeContext {
  /** Names the endpoint in messages: "the OpenAI-compatible server at http://…". */
  where: string;
  /** The API key, only to redact it from messages. */
  secret?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export class Exchange {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timedOut = false;
  private readonly onCallerAbort = () => this.controller.abort(abortError(this.ctx.signal));

  constructor(private readonly ctx: ExchangeContext) {
    if (ctx.signal?.aborted) this.controller.abort(abortError(ctx.signal));
    else ctx.signal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.touch();
  }

  /** Restarts the idle timer (a chunk arrived). */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new DOMException('timeout', 'TimeoutError'));
    }, this.ctx.timeoutMs);
  }

  close(): void {
    clearTimeout(this.timer);
    this.ctx.signal?.removeEventListener('abort', this.onCallerAbort);
    // ends a body nobody reads any more (an error reply, a stream left early)
    if (!this.controller.signal.aborted) this.controller.abort(new DOMException('done', 'AbortError'));
  }

  /** Maps what fetch or a body read threw: caller's abort as is, timeout, else network. */
  fault(err: unknown): unknown {
    if (err instanceof AgentFault) return err;
    if (this.ctx.signal?.aborted) return abortError(this.ctx.signal);
    if (this.timedOut) {
      return new AgentFault('timeout', `${this.ctx.where} did not answer within ${Math.round(this.ctx.timeoutMs / 100) / 10} s`);
    }
    return faultFromNetwork(err, this.ctx.where, this.ctx.secret);
  }

  /** Sends the request; a non-2xx reply becomes its fault (body read for the provider's message). */
  async fetch(url: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: this.controller.signal });
    } catch (err) {
      throw this.fault(err);
    }
    this.touch();
    if (!res.ok) {
      const body = await this.text(res).catch((err: unknown) => {
        if (err instanceof AgentFault && err.code === 'network') return '';
        throw err;
      });
      throw faultFromStatus(res.status, body, res.headers, this.ctx.where, this.ctx.secret);
    }
    return res;
  }

  async text(res: Response): Promise<string> {
    try {
      return await res.text();
    } catch (err) {
      throw this.fault(err);
    }
  }

  /** The reply as JSON; anything else is a 'bad-response' fault. */
  async json(res: Response): Promise<unknown> {
    const text = await this.text(res);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new AgentFault('bad-response', `${this.ctx.where} sent a reply that is not JSON: ${text.slice(0, 120)}`);
    }
  }

  /** Server-sent events of a streamed reply, restarting the idle timer on each chunk. */
  async *events(res: Response): AsyncGenerator<SseEvent> {
    if (!res.body) throw new AgentFault('bad-response', `${this.ctx.where} sent an empty stream`);
    try {
      for await (const event of sseEvents(res.body, () => this.touch())) yield event;
    } catch (err) {
      throw this.fault(err);
    }
  }
}

/** Joins a base URL and a path with exactly one slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Parses the JSON of one SSE data line; a broken line is a 'bad-response' fault. */
export function eventJson(event: SseEvent, where: string): unknown {
  try {
    return JSON.parse(event.data) as unknown;
  } catch {
    throw new AgentFault('bad-response', `${where} streamed an event that is not JSON: ${event.data.slice(0, 120)}`);
  }
}
