/**
 * The agent loop: MAIA's protocol over any ChatClient (cloud, local, or the offline planner).
 * A round is one model reply and the tool calls it makes. Faults never end a run badly: each
 * becomes an event; a bad tool call goes back to the model as a failed tool result; a request
 * that failed is retried (after `retry-after` when the client gives one) without using a round;
 * after `maxFailures` consecutive failures the run pauses with the reason and can be resumed.
 * `run()` goes on until a conclusion or a pause, `step()` does one round, `stop()` pauses now.
 * After the round cap the model is asked for its conclusion once more, without tools.
 */
import { LabError } from '../errors';
import { CONCLUDE_NOW, CUT_AT_LENGTH, EMPTY_REPLY, NEED_TOOL_OR_FINAL, parseFinal, parseHypotheses, subjectText, systemPrompt, taskPrompt } from './prompts';
import { TOOLS, runTool, type Tool, type ToolContext } from './tools';
import type { AgentEvent, AgentFaultCode, AgentRunSettings, ChatClient, ChatMessage, ChatReply, ToolSpec } from './types';

export type RunState = 'idle' | 'running' | 'paused' | 'done';

export interface AgentRunOptions {
  settings: AgentRunSettings;
  client: ChatClient;
  /** The tools' context (its own signal is replaced by the run's). */
  ctx: ToolContext;
  tools?: readonly Tool<never>[];
  onEvent?: (e: AgentEvent) => void;
  /** Waits before a retry (tests pass a quick one). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Longest wait before a retry, ms (default 60 s). */
  maxRetryWaitMs?: number;
}

export const DEFAULT_ROUNDS = 25;
export const DEFAULT_MAX_FAILURES = 3;

const FAULT_CODES = new Set<AgentFaultCode>([
  'network', 'unauthorized', 'rate-limited', 'server', 'timeout', 'truncated', 'bad-tool-json', 'bad-arguments', 'unknown-tool', 'empty-reply', 'context-overflow', 'bad-response',
]);

/** A client's error as a fault: clients throw errors with `code` (an AgentFaultCode) and maybe `retryInMs`/`retryAfterMs`. */
export function faultOf(err: unknown): { code: AgentFaultCode; message: string; retryInMs?: number } {
  const e = err as { code?: unknown; message?: unknown; retryInMs?: unknown; retryAfterMs?: unknown; name?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' && FAULT_CODES.has(e.code as AgentFaultCode) ? (e.code as AgentFaultCode) : e?.name === 'TypeError' ? 'network' : 'bad-response';
  const wait = typeof e?.retryInMs === 'number' ? e.retryInMs : typeof e?.retryAfterMs === 'number' ? e.retryAfterMs : undefined;
  return wait !== undefined ? { code, message, retryInMs: wait } : { code, message };
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new LabError('cancelled', 'Stopped'));
    const t = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(t);
      reject(new LabError('cancelled', 'Stopped'));
    }
    signal.addEventListener('abort', abort, { once: true });
  });

class Stopped extends Error {}

export class AgentRun {
  readonly events: AgentEvent[] = [];
  readonly messages: ChatMessage[];
  readonly specs: ToolSpec[];
  state: RunState = 'idle';
  /** Rounds completed (a reply received and its calls run). */
  round = 0;
  toolCalls = 0;
  failures = 0;
  pauseReason?: string;
  result?: { description: string; label: string; rounds: number; toolCalls: number; ms: number };
  readonly usage = { inputTokens: 0, outputTokens: 0 };
  private concluding = false;
  private controller?: AbortController;
  private roundAnnounced = false;
  private activeMs = 0;
  private readonly tools: readonly Tool<never>[];

  constructor(private readonly opts: AgentRunOptions) {
    this.tools = opts.tools ?? TOOLS;
    this.specs = this.tools.map((t) => t.spec);
    const { ctx, settings } = opts;
    const layer = settings.subject.kind === 'unit' ? ctx.model.summary.layers.find((l) => l.tensor === (settings.subject as { layer: string }).layer) : undefined;
    const classLabel = settings.subject.kind === 'logit' ? ctx.model.summary.labels?.[settings.subject.index] : undefined;
    const subject = subjectText(settings.subject, layer?.label ?? (settings.subject.kind === 'unit' ? settings.subject.layer : ''), classLabel);
    this.messages = [
      { role: 'system', content: systemPrompt(this.specs, this.cap) },
      { role: 'user', content: [{ type: 'text', text: taskPrompt(subject, ctx.model.summary.name) }] },
    ];
  }

  get cap(): number {
    return this.opts.settings.rounds > 0 ? this.opts.settings.rounds : DEFAULT_ROUNDS;
  }

  private get maxFailures(): number {
    return this.opts.settings.maxFailures ?? DEFAULT_MAX_FAILURES;
  }

  /** Rounds until a conclusion or a pause (resumes a paused run). */
  run(): Promise<RunState> {
    return this.drive(Infinity);
  }

  /** One round, then paused (state 'idle') unless it concluded. */
  step(): Promise<RunState> {
    return this.drive(1);
  }

  /** Stops the request or tool in flight; the run pauses and can be resumed. */
  stop(): void {
    this.controller?.abort();
  }

  private emit(e: AgentEvent): void {
    if (e.type === 'fault' || e.type === 'paused') e = { ...e, ...(e.type === 'fault' ? { message: this.redact(e.message) } : { reason: this.redact(e.reason) }) };
    if (e.type !== 'delta') this.events.push(e);
    this.opts.onEvent?.(e);
  }

  /** The key never enters an event, even when a server echoes it in an error. */
  private redact(text: string): string {
    const key = this.opts.settings.backend.apiKey;
    return key && key.length >= 4 ? text.split(key).join('[key]') : text;
  }

  private pause(reason: string): void {
    this.state = 'paused';
    this.pauseReason = this.redact(reason);
    this.emit({ type: 'paused', round: this.round, reason });
  }

  private async drive(maxRounds: number): Promise<RunState> {
    if (this.state === 'running') throw new LabError('bad-request', 'The agent is already running.');
    if (this.state === 'done') return this.state;
    this.state = 'running';
    this.pauseReason = undefined;
    this.failures = 0;
    const controller = new AbortController();
    this.controller = controller;
    const t0 = performance.now();
    let done = 0;
    try {
      while (this.state === 'running' && done < maxRounds) {
        const before = this.round;
        await this.attempt(controller.signal);
        if (this.round > before) done++;
      }
      if (this.state === 'running') this.state = 'idle';
    } catch (err) {
      if (!(err instanceof Stopped)) throw err;
      this.pause('Stopped by the user.');
    } finally {
      this.activeMs += performance.now() - t0;
      if (this.result) this.result.ms = Math.round(this.activeMs);
    }
    return this.state;
  }

  private failed(code: AgentFaultCode, message: string, retryInMs?: number): void {
    this.failures++;
    this.emit({ type: 'fault', round: this.round + 1, code, message, ...(retryInMs !== undefined ? { retryInMs } : {}) });
    if (this.failures >= this.maxFailures) this.pause(`${this.failures} failures in a row; the last: ${code}: ${message}`);
  }

  /** One request; a round when a reply came. */
  private async attempt(signal: AbortSignal): Promise<void> {
    const n = this.round + 1;
    if (!this.roundAnnounced) {
      if (n > this.cap && !this.concluding) {
        this.concluding = true;
        this.messages.push({ role: 'user', content: [{ type: 'text', text: CONCLUDE_NOW }] });
      }
      this.emit({ type: 'round', round: n });
      this.roundAnnounced = true;
    }
    let reply: ChatReply;
    try {
      reply = await this.opts.client.chat({
        messages: this.messages,
        tools: this.concluding ? [] : this.specs,
        images: this.opts.ctx.images,
        signal,
        onDelta: (text) => this.emit({ type: 'delta', round: n, text }),
        // retries the client makes by itself are shown, not counted: it gives up within bounds
        onRetry: (r) => this.emit({ type: 'fault', round: n, code: r.code, message: r.message, retryInMs: r.retryInMs }),
      });
    } catch (err) {
      if (signal.aborted) throw new Stopped();
      const f = faultOf(err);
      // a reply whose tool-call JSON is broken is still a turn: each call gets a result (the broken one an error)
      const broken = (err as { reply?: ChatReply }).reply;
      if (f.code === 'bad-tool-json' && broken && Array.isArray(broken.toolCalls)) return this.handle(n, broken, signal);
      if (f.code === 'context-overflow') this.dropOldImages();
      this.failed(f.code, f.message, f.retryInMs);
      if (this.state === 'running' && f.retryInMs !== undefined) {
        await (this.opts.sleep ?? defaultSleep)(Math.min(f.retryInMs, this.opts.maxRetryWaitMs ?? 60_000), signal).catch(() => {
          throw new Stopped();
        });
      }
      return;
    }
    return this.handle(n, reply, signal);
  }

  /** A reply received for round n: its text, hypotheses, conclusion or tool calls. */
  private async handle(n: number, reply: ChatReply, signal: AbortSignal): Promise<void> {
    this.roundAnnounced = false;
    this.round = n;
    if (reply.usage) {
      this.usage.inputTokens += reply.usage.inputTokens;
      this.usage.outputTokens += reply.usage.outputTokens;
      this.emit({ type: 'usage', inputTokens: reply.usage.inputTokens, outputTokens: reply.usage.outputTokens });
    }
    const text = reply.text ?? '';
    const calls = this.concluding ? [] : reply.toolCalls;
    if (!text.trim() && calls.length === 0) {
      this.messages.push({ role: 'user', content: [{ type: 'text', text: EMPTY_REPLY }] });
      this.failed('empty-reply', 'The model sent an empty reply.');
      return;
    }
    this.emit({ type: 'assistant', round: n, text, toolCalls: calls });
    this.messages.push({ role: 'assistant', content: text, ...(calls.length ? { toolCalls: calls } : {}) });
    const hyps = parseHypotheses(text);
    if (hyps && hyps.length) this.emit({ type: 'hypotheses', round: n, items: hyps });
    if (reply.finish === 'length' && calls.length === 0) {
      this.messages.push({ role: 'user', content: [{ type: 'text', text: CUT_AT_LENGTH }] });
      this.failed('truncated', 'The reply was cut at the length limit.');
      return;
    }
    if (calls.length === 0) {
      const final = parseFinal(text);
      if (final) {
        this.result = { ...final, rounds: n, toolCalls: this.toolCalls, ms: Math.round(this.activeMs) };
        this.emit({ type: 'final', round: n, ...final });
        this.state = 'done';
        return;
      }
      if (this.concluding) {
        this.pause('The agent gave no [DESCRIPTION] and [LABEL] after the round cap.');
        return;
      }
      this.messages.push({ role: 'user', content: [{ type: 'text', text: NEED_TOOL_OR_FINAL }] });
      this.failures = 0;
      return;
    }
    let ok = 0;
    const ctx: ToolContext = { ...this.opts.ctx, signal };
    for (const [i, call] of calls.entries()) {
      const t = performance.now();
      let out;
      try {
        out = await runTool(call, ctx, this.tools);
      } catch (err) {
        if (!(signal.aborted || (err instanceof LabError && err.code === 'cancelled'))) throw err;
        // every call gets a result, so the conversation stays well formed when it resumes
        for (const c of calls.slice(i)) {
          const result = { callId: c.id, name: c.name, ok: false, text: 'Stopped by the user before this call finished.', images: [] };
          this.emit({ type: 'tool', round: n, call: c, result, ms: 0 });
          this.messages.push({ role: 'tool', result });
        }
        throw new Stopped();
      }
      this.toolCalls++;
      this.emit({ type: 'tool', round: n, call, result: out.result, ms: Math.round(performance.now() - t) });
      if (out.fault) this.emit({ type: 'fault', round: n, code: out.fault, message: out.result.text });
      this.messages.push({ role: 'tool', result: out.result });
      if (out.result.ok) ok++;
    }
    if (ok > 0) this.failures = 0;
    else {
      this.failures++;
      if (this.failures >= this.maxFailures) this.pause(`${this.failures} rounds in a row without a successful tool call.`);
    }
  }

  /** Context overflow: old results keep their text and captions but lose their image parts (all but the latest result). */
  private dropOldImages(): void {
    const last = this.messages.map((m) => m.role).lastIndexOf('tool');
    this.messages.forEach((m, i) => {
      if (m.role !== 'tool' || i === last || m.result.images.length === 0) return;
      const captions = m.result.images.map((r) => `${r.id}${r.caption ? `: ${r.caption}` : ''}`).join('; ');
      this.messages[i] = { role: 'tool', result: { ...m.result, images: [], text: `${m.result.text}\n(images dropped to save context: ${captions})` } };
    });
  }
}
