/** Number formatting for people: bytes, counts, probabilities, durations. Plain functions, no React. */

/** 1536 -> "1.5 KB", 268435456 -> "256 MB" (binary multiples, short units). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  const digits = i === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${Number(value.toFixed(digits))} ${units[i]}`;
}

/** 11_689_512 -> "11.7 M", 4_200 -> "4.2 k", 812 -> "812". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const abs = Math.abs(n);
  const scale: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of scale) {
    if (abs >= size) {
      const v = n / size;
      return `${Number(v.toFixed(Math.abs(v) >= 100 ? 0 : 1))} ${suffix}`;
    }
  }
  return String(Math.round(n));
}

/** 0.8734 -> "87.3%". */
export function formatPercent(p: number): string {
  return `${(p * 100).toFixed(p >= 0.995 || p < 0.001 ? 0 : 1)}%`;
}

/** 12.345 -> "12.3 ms", 1530 -> "1.53 s". */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

/** [1, 3, 64, 64] -> "1×3×64×64"; symbolic dims kept as names, unknown as "?". */
export function formatShape(shape: ReadonlyArray<number | string | null>): string {
  return shape.map((d) => (d === null ? '?' : String(d))).join('×');
}

/** A remaining time: "12 s", "3 min 5 s", or "…" when not known yet. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '…';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
