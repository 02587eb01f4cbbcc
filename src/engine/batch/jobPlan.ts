/**
 * A sharded `lab` command planned as a batch job: the task array, the merge, the files each writes
 * and the submissions so far. `lab slurm` writes it as job.json in the job directory (schema
 * lab.slurm-job/1), so `lab slurm status` and `--resume` work from the directory alone.
 */
import { LabError } from '../errors';
import type { ShardedCommand } from './shardedCommands';

export const SLURM_JOB_SCHEMA = 'lab.slurm-job/1';
/** Slurm's default MaxArraySize is 1001 (task ids 0–1000). */
export const MAX_TASKS = 1000;

export interface SlurmResources {
  partition?: string;
  /** Slurm's --time: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS. */
  time?: string;
  /** Slurm's --mem per task: a number with an optional K/M/G/T suffix. */
  mem?: string;
  /** CPUs per task (--cpus-per-task), also the command's thread count. */
  cpus: number;
}

export interface Submission {
  /** The array job's id and the tasks it ran (all of them, or those a --resume resubmitted). */
  array: string;
  tasks: number[];
  merge: string;
  at: string;
}

export interface SlurmJobPlan {
  schema: typeof SLURM_JOB_SCHEMA;
  command: string;
  /** The command's own arguments, without --shard, the output option or the thread count. */
  args: string[];
  tasks: number;
  resources: SlurmResources;
  /** How a task starts `lab` (e.g. [node, /repo/bin/lab.mjs]); the compute nodes must see these paths. */
  launcher: string[];
  /** The directory tasks run in (relative arguments resolve there). */
  workdir: string;
  /** The job directory: scripts, job.json, logs/ and shards/. */
  dir: string;
  /** The merged output. */
  out: string;
  /** Shard output of each task, in task order. */
  shards: string[];
  submissions: Submission[];
}

export type PlanInput = Pick<SlurmJobPlan, 'args' | 'tasks' | 'resources' | 'launcher' | 'workdir' | 'dir' | 'out'> & { command: ShardedCommand };

const TIME = /^(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+|\d+-\d+:\d{2}|\d+-\d+:\d{2}:\d{2})$/;
const MEM = /^\d+[KMGT]?$/;
const PARTITION = /^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/;

function bad(message: string): LabError {
  return new LabError('bad-request', message);
}

export const arrayScriptPath = (dir: string) => `${dir}/array.sbatch`;
export const mergeScriptPath = (dir: string) => `${dir}/merge.sbatch`;
export const planPath = (dir: string) => `${dir}/job.json`;
export const logDir = (dir: string) => `${dir}/logs`;
export const shardPath = (dir: string, ext: string, i: number, n: number) => `${dir}/shards/shard-${i}-of-${n}${ext}`;
/** Slurm expands %A (array job id) and %a (task id) in --output. */
export const taskLogPattern = (dir: string) => `${logDir(dir)}/task_%A_%a.out`;
export const taskLog = (dir: string, array: string, task: number) => `${logDir(dir)}/task_${array}_${task}.out`;
export const mergeLogPattern = (dir: string) => `${logDir(dir)}/merge_%j.out`;
export const mergeLog = (dir: string, job: string) => `${logDir(dir)}/merge_${job}.out`;

export function validateResources(r: SlurmResources): void {
  if (r.partition !== undefined && !PARTITION.test(r.partition)) throw bad(`--partition ${JSON.stringify(r.partition)} is not a partition name (letters, digits, _ . -; a comma-separated list).`);
  if (r.time !== undefined && !TIME.test(r.time)) throw bad(`--time ${JSON.stringify(r.time)} is not a Slurm time (minutes, MM:SS, HH:MM:SS or D-HH:MM:SS).`);
  if (r.mem !== undefined && !MEM.test(r.mem)) throw bad(`--mem ${JSON.stringify(r.mem)} is not a Slurm memory size (e.g. 4G, 500M).`);
  if (!Number.isInteger(r.cpus) || r.cpus < 1 || r.cpus > 1024) throw bad('--cpus takes a whole number from 1 to 1024.');
}

export function planJob(input: PlanInput): SlurmJobPlan {
  const { command, tasks } = input;
  if (!Number.isInteger(tasks) || tasks < 1 || tasks > MAX_TASKS) throw bad(`--tasks takes a whole number from 1 to ${MAX_TASKS}.`);
  // The CLI takes the output option out (it becomes the merged output); the rest are per task.
  for (const reserved of ['shard', 'merge', command.outputOption, command.threadsOption]) {
    if (reserved && input.args.some((a) => a === `--${reserved}` || a.startsWith(`--${reserved}=`))) {
      throw bad(`lab slurm sets --${reserved} for each task itself (shard i/n, its output file, --cpus as threads); leave it out.`);
    }
  }
  validateResources(input.resources);
  // #SBATCH lines are split on whitespace, so the paths they name cannot hold any.
  for (const [what, path] of [['job directory', input.dir], ['working directory', input.workdir]]) {
    if (/[\s"'\\%]/.test(path)) throw bad(`The ${what} ${JSON.stringify(path)} holds whitespace, a quote, a backslash or %, which #SBATCH lines cannot carry; choose another (--dir).`);
  }
  if (!input.dir.startsWith('/') || !input.out.startsWith('/') || !input.workdir.startsWith('/')) throw bad('internal: the job directory, output and workdir must be absolute paths.');
  return {
    schema: SLURM_JOB_SCHEMA,
    command: command.name,
    args: [...input.args],
    tasks,
    resources: { ...input.resources },
    launcher: [...input.launcher],
    workdir: input.workdir,
    dir: input.dir,
    out: input.out,
    shards: Array.from({ length: tasks }, (_, i) => shardPath(input.dir, command.shardExtension, i, tasks)),
    submissions: [],
  };
}

/** Reads job.json back, checking what status and resume rely on. */
export function parsePlan(text: string, where: string): SlurmJobPlan {
  let doc: SlurmJobPlan;
  try {
    doc = JSON.parse(text) as SlurmJobPlan;
  } catch {
    throw bad(`${where} is not JSON.`);
  }
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (doc?.schema !== SLURM_JOB_SCHEMA) throw bad(`${where} is not a ${SLURM_JOB_SCHEMA} document.`);
  if (!Number.isInteger(doc.tasks) || !strings(doc.shards) || doc.shards.length !== doc.tasks || !strings(doc.args) || !strings(doc.launcher)) throw bad(`${where}: tasks, shards, args or launcher are not valid.`);
  if (typeof doc.out !== 'string' || typeof doc.dir !== 'string' || typeof doc.workdir !== 'string' || !Array.isArray(doc.submissions)) throw bad(`${where}: out, dir, workdir or submissions are missing.`);
  validateResources(doc.resources);
  return doc;
}
