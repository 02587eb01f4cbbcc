/** The one renderer of `lab` help: a command's page (`lab X --help`) and the overview (`lab --help`). */
import type { CommandHelp, OptionHelp } from './command';

const WIDTH = 100;

/** Wraps `text` to WIDTH columns, continuation lines indented by `indent`. */
function wrap(text: string, indent: number): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent + line.length + 1 + w.length > WIDTH) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function table(rows: [string, string][]): string {
  const left = Math.min(24, Math.max(...rows.map(([l]) => l.length)) + 2);
  return rows.map(([l, r]) => `  ${l.padEnd(left)}${l.length >= left ? `\n  ${' '.repeat(left)}` : ''}${wrap(r, left + 2)}`).join('\n');
}

export function optionLabel(o: OptionHelp): string {
  return o.value === undefined ? `--${o.name}` : `--${o.name} ${o.value}`;
}

export function renderHelp(h: CommandHelp): string {
  const parts = [`lab ${h.name} — ${h.summary}`, '', 'usage:', ...h.usage.map((u) => `  ${u}`)];
  if (h.args.length) parts.push('', 'arguments:', table(h.args.map((a) => [a.name, a.help])));
  parts.push('', 'options:', table([...h.options.map((o): [string, string] => [optionLabel(o), o.help]), ['--help, -h', 'this help']]));
  if (h.notes?.length) parts.push('', ...h.notes.map((n) => wrap(n, 0)));
  parts.push('', h.examples.length === 1 ? 'example:' : 'examples:', ...h.examples.map((e) => `  ${e}`));
  return parts.join('\n');
}

export function renderOverview(commands: CommandHelp[], version: string): string {
  return [
    `lab ${version} — the interpretability lab's engine on the command line (onnxruntime-node)`,
    '',
    'usage: lab COMMAND [ARGS] [OPTIONS]',
    '',
    'commands:',
    table(commands.map((c) => [c.name, c.summary])),
    '',
    '`lab COMMAND --help` (or `lab help COMMAND`) shows its usage, options and an example;',
    '`lab --version` prints the version. JSON outputs are specified in docs/cli.md.',
    'Exit codes: 0 success, 1 a problem with the input ([code] in the message), 2 a usage error.',
  ].join('\n');
}
