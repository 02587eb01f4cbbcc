/**
 * `lab slurm COMMAND … --tasks N`: a sharded `lab` command as a Slurm job array plus a merge job
 * after it; `lab slurm status JOB [--resume]` reports and resumes it. The scripts and job.json go
 * to a job directory on the filesystem the nodes share. Commands that shard are listed in
 * src/engine/batch/shardedCommands.ts.
 */
import { LabError } from '../engine/errors';
import { SHARDED_COMMANDS } from '../engine/batch/shardedCommands';
import type { Parsed } from './args';
import { usageError, type CommandHelp, type OptionHelp } from './command';
import { slurmStatusCommand } from './slurmStatus';
import { slurmSubmitCommand, type InnerCommandLookup } from './slurmSubmit';

const OPTIONS: OptionHelp[] = [
  { name: 'tasks', value: 'N', help: 'array tasks, each running --shard i/N (1 to 1000); required to submit' },
  { name: 'partition', value: 'P', help: 'Slurm partition (default: the cluster’s default)' },
  { name: 'time', value: 'T', help: 'time limit per task, as Slurm takes it (minutes, HH:MM:SS, D-HH:MM:SS)' },
  { name: 'mem', value: 'M', help: 'memory per task (e.g. 4G)' },
  { name: 'cpus', value: 'C', help: 'CPUs per task, also the command’s --threads (default 1)' },
  { name: 'dir', value: 'DIR', help: 'job directory for scripts, job.json, logs/ and shards/ (default ./slurm-COMMAND-TIMESTAMP); the nodes must see it' },
  { name: 'dry-run', help: 'write and print the scripts and the sbatch lines, submit nothing' },
  { name: 'resume', help: 'with status: resubmit only the failed or missing shards, then the merge' },
  { name: 'json', help: 'print a JSON document (lab.slurm-job/1 on submit, lab.slurm-status/1 on status)' },
];

export const SLURM_HELP: CommandHelp = {
  name: 'slurm',
  summary: 'run a sharded command as a Slurm job array with a merge job; report and resume it',
  usage: [
    'lab slurm COMMAND ARGS... --tasks N [--partition P] [--time T] [--mem M] [--cpus C] [--dir DIR] [--dry-run] [--json]',
    'lab slurm status JOB [--resume] [--json]',
  ],
  args: [
    { name: 'COMMAND ARGS...', help: `a lab command that takes --shard, with its arguments and options as you would run it once (${SHARDED_COMMANDS.map((c) => c.name).join(', ')}); its --out names the merged result` },
    { name: 'JOB', help: 'the array or merge job id `lab slurm` printed, or the job directory' },
  ],
  options: OPTIONS,
  notes: [
    'Task i runs COMMAND --shard i/N into DIR/shards/; the merge job (sbatch --dependency=afterok:ARRAY) joins the shards and checks that they cover the work exactly once. A failed task leaves the merge unrun; `lab slurm status JOB` names the task and its log, and --resume resubmits only what is missing.',
    'The tasks start lab with this node and this checkout (absolute paths): run from a filesystem the nodes share.',
  ],
  examples: [
    'npx lab slurm exemplars models/scenes-balanced.onnx scenes-test --layer stage3.block0.relu2 --out all.idx --tasks 4 --dry-run',
    'npx lab slurm status 1234 --resume',
  ],
};

const OWN = new Map(OPTIONS.map((o) => [o.name, o.value !== undefined]));

/**
 * Takes out lab slurm's own options and leaves the wrapped command's words as they are (its
 * options are checked against its own help when the job is planned).
 */
export function parseSlurmArgs(argv: string[]): Parsed {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    const takesValue = m ? OWN.get(m[1]) : undefined;
    if (!m || takesValue === undefined) {
      positionals.push(a);
      continue;
    }
    if (takesValue && m[2] === undefined) {
      const v = argv[++i];
      if (v === undefined) throw usageError(SLURM_HELP, `--${m[1]} needs a value`);
      options.set(m[1], v);
    } else if (!takesValue && m[2] !== undefined) throw usageError(SLURM_HELP, `--${m[1]} takes no value`);
    else options.set(m[1], m[2] ?? true);
  }
  return { positionals, options };
}

export async function slurmCommandMain(args: Parsed, lookup: InnerCommandLookup): Promise<number> {
  const [first] = args.positionals;
  if (first === undefined) throw usageError(SLURM_HELP, 'lab slurm takes a command to run (or status JOB)');
  if (first === 'status') return slurmStatusCommand(args);
  if (args.options.has('resume')) throw usageError(SLURM_HELP, '--resume goes with lab slurm status JOB');
  if (!SHARDED_COMMANDS.some((c) => c.name === first)) {
    throw new LabError('bad-request', `lab ${first} does not shard, so it cannot run as a job array; lab slurm runs: ${SHARDED_COMMANDS.map((c) => c.name).join(', ')}.`);
  }
  return slurmSubmitCommand(args, lookup);
}
