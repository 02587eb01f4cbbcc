/**
 * A researcher's mean/std override for an image dataset's normalisation (per channel, RGB, applied
 * after dividing by 255, as the model's own): parsed from the dataset card's six fields or from a
 * link's `norm=m0,m1,m2;s0,s1,s2`, validated, and written back. Nothing here throws: a bad value
 * gives a problem in words, and the caller sends nothing.
 */
export type Triple = [number, number, number];

export interface NormOverride {
  mean: Triple;
  std: Triple;
}

/** Bounds that keep every normalised input finite in float32 (x/255 − mean) / std. */
export const NORM_LIMITS = Object.freeze({ maxAbsMean: 1000, minStd: 1e-6, maxStd: 1000 });

const CHANNELS = ['R', 'G', 'B'] as const;
/** A plain decimal number: no hex, no blanks, no "Infinity" (Number() would take them all). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d{1,3})?$/i;
const MAX_FIELD_CHARS = 32;

export type NormParse = { ok: true; norm: NormOverride } | { ok: false; problem: string };

function show(text: string): string {
  const t = text.length > 20 ? `${text.slice(0, 19)}…` : text;
  return `“${t.replace(/[\u0000-\u001f\u007f-\u009f]/g, '�')}”`;
}

/** One field: a number, or why it is not one. */
function field(which: 'mean' | 'std', ch: number, text: string): number | string {
  const name = `${which} ${CHANNELS[ch]}`;
  const t = text.trim();
  if (t === '') return `${name} is empty`;
  if (t.length > MAX_FIELD_CHARS || !DECIMAL.test(t)) return `${name} ${show(t)} is not a number`;
  const v = Number(t);
  if (!Number.isFinite(v)) return `${name} ${show(t)} is not a finite number`;
  if (which === 'mean' && Math.abs(v) > NORM_LIMITS.maxAbsMean) return `${name} must lie between −${NORM_LIMITS.maxAbsMean} and ${NORM_LIMITS.maxAbsMean}`;
  if (which === 'std' && v <= 0) return `${name} must be greater than 0`;
  if (which === 'std' && v < NORM_LIMITS.minStd) return `${name} must be at least ${NORM_LIMITS.minStd}`;
  if (which === 'std' && v > NORM_LIMITS.maxStd) return `${name} must be at most ${NORM_LIMITS.maxStd}`;
  return v === 0 ? 0 : v; // no −0: it would print as "0" and not round-trip
}

/** Six texts (three means, three stds) as an override, or the first problem. */
export function parseNormFields(mean: readonly string[], std: readonly string[]): NormParse {
  if (mean.length !== 3 || std.length !== 3) return { ok: false, problem: 'mean and std take three numbers each (R, G, B)' };
  const values: number[] = [];
  for (const [which, texts] of [['mean', mean], ['std', std]] as const) {
    for (let ch = 0; ch < 3; ch++) {
      const v = field(which, ch, texts[ch]);
      if (typeof v === 'string') return { ok: false, problem: v };
      values.push(v);
    }
  }
  return { ok: true, norm: { mean: [values[0], values[1], values[2]], std: [values[3], values[4], values[5]] } };
}

/** True when `norm` is an override parseNormFields could give (finite, within NORM_LIMITS). */
export function isValidNorm(norm: unknown): norm is NormOverride {
  if (typeof norm !== 'object' || norm === null) return false;
  const { mean, std } = norm as Partial<NormOverride>;
  const triple = (t: unknown): t is Triple => Array.isArray(t) && t.length === 3 && t.every((x) => typeof x === 'number' && Number.isFinite(x) && !Object.is(x, -0));
  return (
    triple(mean) && triple(std) &&
    mean.every((v) => Math.abs(v) <= NORM_LIMITS.maxAbsMean) &&
    std.every((v) => v >= NORM_LIMITS.minStd && v <= NORM_LIMITS.maxStd)
  );
}

/** The link's value: `m0,m1,m2;s0,s1,s2` (String() round-trips every double exactly). */
export function formatNormParam(norm: NormOverride): string {
  return `${norm.mean.join(',')};${norm.std.join(',')}`;
}

/** A link's `norm` value as an override, or why it cannot be one. */
export function parseNormParam(text: string): NormParse {
  const parts = text.split(';');
  if (parts.length !== 2) return { ok: false, problem: 'takes mean;std, three numbers each (e.g. 0.5,0.5,0.5;0.25,0.25,0.25)' };
  return parseNormFields(parts[0].split(','), parts[1].split(','));
}

export function sameNorm(a: NormOverride | null | undefined, b: NormOverride | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.mean.every((v, i) => v === b.mean[i]) && a.std.every((v, i) => v === b.std[i]);
}

/** Numbers for a field or a line of text: short, exact enough to read back (at most 6 significant digits). */
export function formatNormValue(v: number): string {
  return String(Number(v.toPrecision(6)));
}
