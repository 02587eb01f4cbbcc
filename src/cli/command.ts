/**
 * A `lab` subcommand as data: its usage, arguments, options and examples sit next to its parser,
 * and one renderer (help.ts) prints them. The options also drive argv parsing (which flags take a
 * value) and reject flags the command does not know, so what `--help` lists is what is accepted.
 */
import type { Parsed } from './args';

export interface OptionHelp {
  /** Without the dashes: "layer". */
  name: string;
  /** The value's placeholder ("L1,L2"); absent for a flag that takes none. */
  value?: string;
  help: string;
}

export interface CommandHelp {
  name: string;
  /** One line for the overview. */
  summary: string;
  /** Synopsis lines, each starting with "lab <name>". */
  usage: string[];
  /** Positional arguments (a placeholder from the usage and what it is). */
  args: { name: string; help: string }[];
  options: OptionHelp[];
  /** Command lines that run as written from the repository root. */
  examples: string[];
  /** Further notes (where the JSON is specified, what a DATASET may be). */
  notes?: string[];
}

export interface Command {
  help: CommandHelp;
  /**
   * Parses argv itself instead of parseArgs + checkOptions (`lab slurm` wraps another command
   * whose options it passes on untouched).
   */
  parse?: (argv: string[]) => Parsed;
  run: (args: Parsed) => Promise<number>;
}

// Options several commands share, written once.
export const JSON_OPTION: OptionHelp = { name: 'json', help: 'print the JSON document (schemas in docs/cli.md) instead of text' };
export const THREADS_OPTION: OptionHelp = { name: 'threads', value: 'N', help: 'onnxruntime intra-op threads (default: its own choice)' };
export const PREPROCESS_OPTIONS: OptionHelp[] = [
  { name: 'size', value: 'H,W', help: "input size (one number for a square); default: the model's lab.preprocess metadata, else its input shape" },
  { name: 'mean', value: 'r,g,b', help: 'per-channel mean after dividing by 255 (default: metadata, else ImageNet 0.485,0.456,0.406)' },
  { name: 'std', value: 'r,g,b', help: 'per-channel standard deviation, positive (default: metadata, else ImageNet 0.229,0.224,0.225)' },
];

/** The options that take a value, for parseArgs. */
export function valuedOptions(help: CommandHelp): Set<string> {
  return new Set(help.options.filter((o) => o.value !== undefined).map((o) => o.name));
}

/** A usage error (exit 2): the message, the synopsis and where the full help is. */
export function usageError(help: CommandHelp, message: string): Error {
  return new Error(`${message}\nusage: ${help.usage.join('\n       ')}\n(\`lab ${help.name} --help\` lists the options, with an example)`);
}

/** Refuses options the command does not list (a typo would otherwise be ignored silently). */
export function checkOptions(help: CommandHelp, args: Parsed): void {
  const known = new Set(help.options.map((o) => o.name));
  for (const [name, value] of args.options) {
    if (!known.has(name)) throw usageError(help, `lab ${help.name} has no option --${name}`);
    const spec = help.options.find((o) => o.name === name);
    if (spec && spec.value === undefined && value !== true) throw usageError(help, `--${name} takes no value`);
  }
}
