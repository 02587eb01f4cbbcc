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
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], runs: samples.length };
}
