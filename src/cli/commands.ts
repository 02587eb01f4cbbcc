/**
 * Every `lab` subcommand, in the order `lab --help` lists them. A new command adds one entry: its
 * help (usage, options, example) lives next to its parser; parsing, `--help` and the help test
 * all read this list.
 */
import { AGENT_HELP, agentCommand } from './agent';
import { CIRCUIT_HELP, circuitCommand } from './circuit';
import type { Command } from './command';
import { EXEMPLARS_HELP, exemplarsCommand } from './exemplarsCommand';
import { GRAD_HELP, gradCommand } from './grad';
import { INSPECT_HELP, inspectCommand } from './inspect';
import { integerOption, openModel, parseUnit, resolveLayers } from './modelArgs';
import { RUN_HELP, runImagesCommand } from './runImages';
import { SLURM_HELP, parseSlurmArgs, slurmCommandMain } from './slurm';
import { UPSCALE_HELP, upscaleCommand } from './upscale';

export const COMMANDS: Command[] = [
  { help: INSPECT_HELP, run: inspectCommand },
  { help: RUN_HELP, run: runImagesCommand },
  { help: EXEMPLARS_HELP, run: (args) => exemplarsCommand(args, { openModel, resolveLayers, integerOption, parseUnit }) },
  { help: UPSCALE_HELP, run: (args) => upscaleCommand(args, args.options.has('json')) },
  { help: GRAD_HELP, run: (args) => gradCommand(args, args.options.has('json'), { openModel, resolveLayers }) },
  { help: CIRCUIT_HELP, run: (args) => circuitCommand(args, args.options.has('json'), { openModel, integerOption }) },
  { help: AGENT_HELP, run: (args) => agentCommand(args, { openModel, resolveLayers }) },
  { help: SLURM_HELP, parse: parseSlurmArgs, run: (args) => slurmCommandMain(args, (name) => findCommand(name)?.help) },
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.help.name === name);
}
