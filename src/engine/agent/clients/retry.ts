/**
 * Bounded retries for the backends: a fault that is worth another try (network, 429, 5xx,
 * timeout) waits for the server's retry-after when it gave one, else for an exponential backoff
 * with jitter drawn from a seeded generator (so a run's waits are reproducible), at most
 * `maxAttempts` tries in all. The caller's abort ends the wait at once and is never retried.
 */
import { Rng } from '../../synth/rng';
import type { RetryNotice } from '../types';
import { AgentFault } from './faults';

export interface RetryPolicy {
  /** Tries in all, the first included (1 = no retry). */
  maxAttempts: number;
  /** Backoff before the 2nd try; doubles each time up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry-after longer than this is not waited out: the fault goes to the loop with its retryInMs. */
  maxRetryAfterMs: number;
  /** Seed of the jitter. */
  seed: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
  seed: 1,
};

/** What the caller's signal threw or would throw: its reason, else a DOMException named AbortError. */
export function abortError(signal: AbortSignal | undefined): unknown {
  const reason: unknown = signal?.reason;
  return reason !== undefined ? reason : new DOMException('The request was aborted', 'AbortError');
}

/** Waits `ms`, rejecting with the abort reason as soon as the caller's signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Backoff waits of one client: a seeded stream of jitter, so waits repeat run to run. */
export class Backoff {
  private readonly rng: Rng;

  constructor(private readonly policy: RetryPolicy) {
    this.rng = new Rng(policy.seed);
  }

  /** Wait before try `attempt + 1` (attempt counts from 1): half fixed, half jitter. */
  delay(attempt: number): number {
    const cap = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(cap / 2 + this.rng.next() * (cap / 2));
  }
}

export interface RetryOptions {
  policy: RetryPolicy;
  backoff: Backoff;
  signal?: AbortSignal;
  onRetry?: (notice: RetryNotice) => void;
  /** Extra veto, e.g. once streamed text reached the caller a retry would repeat it. */
  mayRetry?: () => boolean;
}

/** Runs `attempt` until it succeeds, throws a fault that is not worth retrying, or tries run out. */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, backoff, signal, onRetry, mayRetry } = options;
  for (let n = 1; ; n++) {
    if (signal?.aborted) throw abortError(signal);
    try {
      return await attempt(n);
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      if (!(err instanceof AgentFault) || !err.retryable || n >= policy.maxAttempts) throw err;
      if (mayRetry && !mayRetry()) throw err;
      const asked = err.retryInMs;
      if (asked !== undefined && asked > policy.maxRetryAfterMs) throw err;
      const wait = asked ?? backoff.delay(n);
      onRetry?.({ code: err.code, message: err.message, attempt: n, retryInMs: wait, status: err.status });
      await sleep(wait, signal);
    }
  }
}
