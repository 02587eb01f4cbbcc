/**
 * The drawing pad's live runner: never two runs in flight, changes during a run coalesce into one
 * follow-up that reads the latest state (intermediate states dropped, not queued), mid-stroke runs
 * at most once per interval, and the end of a stroke always runs the final state.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LatestOnly } from '../../src/panels/exemplars/latestOnly';

/** A slow consumer: each run reads `state` when it starts and finishes when the test says so. */
function consumer() {
  let state = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const seen: number[] = [];
  const finishers: Array<() => void> = [];
  const runner = new LatestOnly(
    () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      seen.push(state);
      return new Promise<void>((resolve) => finishers.push(() => (inFlight--, resolve())));
    },
    100,
    () => Date.now(),
  );
  return {
    runner,
    seen,
    set: (v: number) => (state = v),
    /** Finishes the oldest run in flight and lets its follow-up start. */
    finish: async () => {
      finishers.shift()?.();
      await vi.advanceTimersByTimeAsync(0);
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

describe('LatestOnly', () => {
  it('runs the first change at once, then drops the states drawn while it runs and sends only the latest', async () => {
    const c = consumer();
    c.set(1);
    c.runner.change();
    expect(c.seen).toEqual([1]);
    for (let v = 2; v <= 9; v++) {
      c.set(v);
      c.runner.change();
      await vi.advanceTimersByTimeAsync(30);
    }
    // 240 ms of changes while the first run is still in flight: nothing else started.
    expect(c.seen).toEqual([1]);
    await c.finish();
    // The interval since the first start has passed: the follow-up carries the latest state only.
    expect(c.seen).toEqual([1, 9]);
    await c.finish();
    expect(c.seen).toEqual([1, 9]);
    expect(c.maxInFlight).toBe(1);
    expect(c.runner.runs).toBe(2);
  });

  it('throttles mid-stroke runs to one per interval when the consumer is fast', async () => {
    const c = consumer();
    for (let t = 0; t < 50; t++) {
      c.set(t);
      c.runner.change();
      if (c.inFlight) await c.finish(); // an instant consumer
      await vi.advanceTimersByTimeAsync(10);
    }
    // 500 ms of changes every 10 ms, at most one start per 100 ms (plus the first).
    expect(c.runner.runs).toBeGreaterThanOrEqual(4);
    expect(c.runner.runs).toBeLessThanOrEqual(6);
    await vi.advanceTimersByTimeAsync(200);
    if (c.inFlight) await c.finish();
    // the trailing timer ran the last state
    expect(c.seen.at(-1)).toBe(49);
  });

  it('the end of a stroke runs at once when idle, ignoring the interval', async () => {
    const c = consumer();
    c.set(1);
    c.runner.change();
    await c.finish();
    c.set(2);
    c.runner.flush(); // 0 ms after the last start
    expect(c.seen).toEqual([1, 2]);
  });

  it('the end of a stroke during a run goes right after it, with the final state', async () => {
    const c = consumer();
    c.set(1);
    c.runner.change();
    c.set(2);
    c.runner.change();
    c.set(3);
    c.runner.flush();
    expect(c.seen).toEqual([1]);
    await c.finish();
    expect(c.seen).toEqual([1, 3]);
    expect(c.maxInFlight).toBe(1);
  });

  it('a failed run does not stop the loop; stop() drops what is pending', async () => {
    let calls = 0;
    const runner = new LatestOnly(() => (++calls === 1 ? Promise.reject(new Error('engine gone')) : Promise.resolve()), 100, () => Date.now());
    runner.flush();
    runner.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    runner.change();
    runner.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toBe(2);
  });
});
