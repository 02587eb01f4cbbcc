/**
 * `lab` — the engine on the command line (onnxruntime-node). The subcommands are listed in
 * commands.ts, each with its help as data; `lab COMMAND --help` prints it, `lab --version` the
 * package version. JSON output follows the schemas documented in docs/cli.md.
 */
import { readFileSync } from 'node:fs';
import { asLabError } from '../engine/errors';
import { parseArgs } from './args';
import { checkOptions, valuedOptions } from './command';
import { COMMANDS, findCommand } from './commands';
import { renderHelp, renderOverview } from './help';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const overview = () => renderOverview(COMMANDS.map((c) => c.help), version());
const wantsHelp = (argv: string[]) => argv.includes('--help') || argv.includes('-h');

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    console.log(version());
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    // Bare `lab` is a usage error (2) that still shows what there is.
    (name === undefined ? console.error : console.log)(overview());
    return name === undefined ? 2 : 0;
  }
  const command = findCommand(name === 'help' ? rest[0] : name);
  if (!command) throw new Error(`Unknown command "${name === 'help' ? rest[0] : name}".\n\n${overview()}`);
  if (name === 'help' || wantsHelp(rest)) {
    console.log(renderHelp(command.help));
    return 0;
  }
  if (command.parse) return command.run(command.parse(rest));
  const args = parseArgs(rest, valuedOptions(command.help));
  checkOptions(command.help, args);
  return command.run(args);
}

/** Exits once stdout has drained: process.exit() alone truncates large output written to a pipe. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exitAfterFlush, (err: unknown) => {
  const e = asLabError(err);
  console.error(`lab: ${e.code === 'internal' ? '' : `[${e.code}] `}${e.message}`);
  exitAfterFlush(e.code === 'internal' ? 2 : 1);
});
