/** Timing helpers shared by the Node and browser sides of the benchmarks. */

export interface Timing {
  /** Median ms per call. */
  median: number;
  min: number;
  runs: number;
}

/** Runs `fn` a few times to warm up, then repeatedly for about `budgetMs`; reports the median. */
export async function time(fn: () => Promise<unknown>, budgetMs = 3000, warmup = 2, maxRuns = 50): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || (performance.now() - start < budgetMs && samples.length < maxRuns)) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

function summarize(samples: number[]): Timing {
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], runs: samples.length };
}

/**
 * Times several functions in interleaved rounds (one call of each per round, after one warm-up
 * call each), so that a machine's drift over the run lands on all of them alike.
 */
export async function timeInterleaved(fns: Array<() => Promise<unknown>>, rounds = 7): Promise<Timing[]> {
  for (const fn of fns) await fn();
  const samples = fns.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < fns.length; i++) {
      const t0 = performance.now();
      await fns[i]();
      samples[i].push(performance.now() - t0);
    }
  }
  return samples.map(summarize);
}
