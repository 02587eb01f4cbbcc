/**
 * Reading option values whose bad value is a request error (exit 1, `[bad-request] …`), for the
 * commands that report it so (`lab agent`, `lab agent-eval --experiment`). modelArgs.integerOption
 * is the usage-error (exit 2) twin the older commands use.
 */
import { LabError } from '../engine/errors';
import type { Parsed } from './args';

/** A number option in [min, max] (whole unless `integer` is false), else `fallback` when absent. */
export function numberOption(args: Parsed, name: string, fallback: number, min: number, max: number, integer = true): number {
  const v = args.options.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) throw new LabError('bad-request', `--${name} takes a ${integer ? 'whole ' : ''}number from ${min} to ${max}.`);
  return n;
}

/** A text option's value; the flag given without one is an error. */
export function textOption(args: Parsed, name: string): string | undefined {
  const v = args.options.get(name);
  if (v === true) throw new LabError('bad-request', `--${name} needs a value.`);
  return v;
}
