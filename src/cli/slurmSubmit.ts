/** `lab slurm COMMAND … --tasks N`: plans the job, writes its scripts and job.json, submits both jobs. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../engine/errors';
import { arrayScriptPath, logDir, mergeScriptPath, planJob, planPath, type SlurmJobPlan, type SlurmResources } from '../engine/batch/jobPlan';
import { arrayScript, mergeScript, submitLines } from '../engine/batch/sbatchScripts';
import { findShardedCommand, type ShardedCommand } from '../engine/batch/shardedCommands';
import { parseArgs, type Parsed } from './args';
import { checkOptions, valuedOptions, type CommandHelp } from './command';
import { sbatch, slurmCommand } from './slurmExec';

/** Finds a command's help (the registry in commands.ts, passed in to keep the import one-way). */
export type InnerCommandLookup = (name: string) => CommandHelp | undefined;

/** The wrapped command's words, checked against its help, with its output option taken out. */
function innerArgs(command: ShardedCommand, words: string[], lookup: InnerCommandLookup): { args: string[]; out: string | undefined } {
  const help = lookup(command.name);
  if (!help) throw new LabError('internal', `lab ${command.name} is sharded but not a command.`);
  const parsed = parseArgs(words, valuedOptions(help));
  checkOptions(help, parsed);
  const out = parsed.options.get(command.outputOption);
  if (out === true) throw new LabError('bad-request', `--${command.outputOption} needs a file name`);
  const args: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === `--${command.outputOption}`) i++;
    else if (!words[i].startsWith(`--${command.outputOption}=`)) args.push(words[i]);
  }
  return { args, out };
}

function option(args: Parsed, name: string): string | undefined {
  const v = args.options.get(name);
  return typeof v === 'string' ? v : undefined;
}

function resources(args: Parsed): SlurmResources {
  const cpus = option(args, 'cpus');
  return { partition: option(args, 'partition'), time: option(args, 'time'), mem: option(args, 'mem'), cpus: cpus === undefined ? 1 : Number(cpus) };
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-');

/** How a task starts lab: this node binary and this checkout's bin/lab.mjs (absolute). */
export function defaultLauncher(): string[] {
  return [process.execPath, fileURLToPath(new URL('../../bin/lab.mjs', import.meta.url))];
}

export function writeJobFiles(plan: SlurmJobPlan, command: ShardedCommand): void {
  mkdirSync(logDir(plan.dir), { recursive: true });
  mkdirSync(`${plan.dir}/shards`, { recursive: true });
  writeFileSync(arrayScriptPath(plan.dir), arrayScript(plan, command), { mode: 0o755 });
  writeFileSync(mergeScriptPath(plan.dir), mergeScript(plan, command), { mode: 0o755 });
  savePlan(plan);
}

export function savePlan(plan: SlurmJobPlan): void {
  writeFileSync(planPath(plan.dir), `${JSON.stringify(plan, null, 2)}\n`);
}

/** Submits the array (all tasks, or `tasks` on a resume) and the merge after it; records both. */
export function submit(plan: SlurmJobPlan, tasks: number[] | null, arraySpec?: string): { array: string; merge: string } {
  const array = sbatch([...(arraySpec ? [`--array=${arraySpec}`] : []), arrayScriptPath(plan.dir)]);
  let merge: string;
  try {
    merge = sbatch([`--dependency=afterok:${array}`, mergeScriptPath(plan.dir)]);
  } catch (err) {
    slurmCommand('scancel', [array]); // no merge, no point in the array
    throw err;
  }
  plan.submissions.push({ array, tasks: tasks ?? plan.shards.map((_, i) => i), merge, at: new Date().toISOString() });
  savePlan(plan);
  return { array, merge };
}

export async function slurmSubmitCommand(args: Parsed, lookup: InnerCommandLookup): Promise<number> {
  const [name, ...words] = args.positionals;
  const command = findShardedCommand(name)!;
  const tasksOpt = option(args, 'tasks');
  if (tasksOpt === undefined) throw new LabError('bad-request', 'lab slurm needs --tasks N (how many shards to split the work into).');
  const { args: inner, out } = innerArgs(command, words, lookup);
  const cwd = process.cwd();
  const dir = resolve(option(args, 'dir') ?? `slurm-${command.name}-${stamp()}`);
  if (existsSync(planPath(dir))) throw new LabError('bad-request', `${dir} already holds a job (job.json): see it with lab slurm status ${dir}, or pick another --dir.`);
  const plan = planJob({
    command,
    args: inner,
    tasks: Number(tasksOpt),
    resources: resources(args),
    launcher: defaultLauncher(),
    workdir: cwd,
    dir,
    out: resolve(out ?? `${dir}/${command.name}${command.shardExtension}`),
  });
  writeJobFiles(plan, command);
  const json = args.options.has('json');
  if (args.options.has('dry-run')) {
    if (json) console.log(JSON.stringify(plan, null, 2));
    else {
      console.log(`# ${arrayScriptPath(dir)}\n${arrayScript(plan, command)}`);
      console.log(`# ${mergeScriptPath(dir)}\n${mergeScript(plan, command)}`);
      console.log(`# Written, not submitted. To submit (what lab slurm does):\n${submitLines(plan).join('\n')}`);
    }
    return 0;
  }
  const { array, merge } = submit(plan, null);
  if (json) console.log(JSON.stringify(plan, null, 2));
  else {
    console.log(`submitted array job ${array} (${plan.tasks} task(s) of lab ${command.name}) and merge job ${merge} after it`);
    console.log(`result: ${plan.out} (${command.output})`);
    console.log(`job directory: ${dir} (scripts, job.json, logs/, shards/)`);
    console.log(`status: lab slurm status ${array}`);
  }
  return 0;
}
