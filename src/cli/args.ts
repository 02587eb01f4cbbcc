/** A small argv parser: positionals, `--flag`, `--key value` and `--key=value`. */
export interface Parsed {
  positionals: string[];
  options: Map<string, string | true>;
}

export function parseArgs(argv: string[], valued: ReadonlySet<string>): Parsed {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = a.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) options.set(key, a.slice(eq + 1));
    else if (valued.has(key)) {
      const v = argv[++i];
      if (v === undefined) throw new Error(`--${key} needs a value`);
      options.set(key, v);
    } else options.set(key, true);
  }
  return { positionals, options };
}

/** "a,b,c" → numbers, with a clear error naming the flag. */
export function numberList(flag: string, value: string, length: number[]): number[] {
  const nums = value.split(',').map((s) => Number(s.trim()));
  if (!length.includes(nums.length) || nums.some((n) => !Number.isFinite(n))) {
    throw new Error(`--${flag} expects ${length.join(' or ')} comma-separated numbers, got "${value}"`);
  }
  return nums;
}
