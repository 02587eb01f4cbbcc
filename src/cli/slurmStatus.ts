/**
 * `lab slurm status JOB [--resume]`: reads job.json (JOB is a job id, found through Slurm's record
 * of the script, or the job directory), asks `scontrol show job -o` about each submission, and
 * reports done / running / pending / failed tasks with their logs and the merge; --resume
 * resubmits only the failed or missing shards and a merge after them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LabError } from '../engine/errors';
import { arraySpec, jobStatus, tasksToResume, type JobStatus } from '../engine/batch/arrayStatus';
import { parsePlan, planPath, type SlurmJobPlan } from '../engine/batch/jobPlan';
import { parseScontrolJobs, type SlurmJobRecord } from '../engine/batch/scontrol';
import { findShardedCommand } from '../engine/batch/shardedCommands';
import type { Parsed } from './args';
import { usageError } from './command';
import { SLURM_HELP } from './slurm';
import { sbatch, showJob } from './slurmExec';
import { savePlan, submit } from './slurmSubmit';

function loadPlan(job: string): SlurmJobPlan {
  let dir: string;
  if (existsSync(job)) dir = statSync(job).isDirectory() ? resolve(job) : dirname(resolve(job));
  else if (/^\d+(_\d+)?$/.test(job)) {
    const [record] = parseScontrolJobs(showJob(job));
    if (!record) throw new LabError('bad-request', `Slurm no longer knows job ${job} (finished jobs are kept MinJobAge seconds): pass its job directory instead.`);
    if (!record.command?.endsWith('.sbatch')) throw new LabError('bad-request', `Job ${job} was not submitted by lab slurm (its script is ${record.command ?? 'unknown'}).`);
    dir = dirname(record.command);
  } else throw new LabError('bad-request', `${job} is neither a job id nor a job directory.`);
  const path = planPath(dir);
  if (!existsSync(path)) throw new LabError('bad-request', `${dir} has no job.json: not a lab slurm job directory.`);
  return parsePlan(readFileSync(path, 'utf8'), path);
}

function records(plan: SlurmJobPlan): SlurmJobRecord[] {
  const ids = new Set(plan.submissions.flatMap((s) => [s.array, s.merge]).filter((id) => id !== ''));
  return [...ids].flatMap((id) => parseScontrolJobs(showJob(id)));
}

function describe(plan: SlurmJobPlan, s: JobStatus, resuming: boolean): string {
  const c = s.counts;
  const lines = [`lab ${plan.command} in ${plan.tasks} task(s), job directory ${plan.dir}`, `tasks: ${c.done} done, ${c.running} running, ${c.pending} pending, ${c.failed} failed, ${c.missing} missing`];
  for (const t of s.tasks) {
    if (t.state === 'done' || t.state === 'pending') continue;
    const slurm = t.slurm ? ` (${t.slurm.state}, ${t.slurm.reason}, exit ${t.slurm.exitCode}, job ${t.slurm.jobId})` : '';
    lines.push(`task ${t.task}: ${t.state}${slurm}${t.log ? `, log ${t.log}` : ''}`);
  }
  const m = s.merge;
  const mergeText: Record<typeof m.state, string> = {
    done: `done: ${s.out}`,
    running: 'running',
    waiting: 'waiting for the tasks',
    'not-run': 'not run (a task failed, so Slurm cancelled it)',
    failed: 'failed',
    unknown: 'not known to Slurm and no result yet',
  };
  lines.push(`merge${m.jobId ? ` (job ${m.jobId})` : ''}: ${mergeText[m.state]}${m.state !== 'done' && m.log ? `, log ${m.log}` : ''}`);
  const resume = tasksToResume(s);
  if (!resuming && !s.complete && c.running + c.pending === 0 && m.state !== 'running' && m.state !== 'waiting') {
    lines.push(`resume: lab slurm status ${plan.dir} --resume (resubmits ${resume.length ? `task(s) ${arraySpec(resume)} and ` : ''}the merge)`);
  }
  return lines.join('\n');
}

function resume(plan: SlurmJobPlan, s: JobStatus): string {
  if (s.complete) return 'nothing to resume: the merged result is there.';
  if (s.counts.running + s.counts.pending > 0 || s.merge.state === 'running' || s.merge.state === 'waiting') {
    throw new LabError('bad-request', 'Tasks or the merge are still queued or running: wait for them (or scancel them) before --resume.');
  }
  const tasks = tasksToResume(s);
  if (tasks.length === 0) {
    // Every shard is there; only the merge is missing.
    const merge = sbatch([`${plan.dir}/merge.sbatch`]);
    plan.submissions.push({ array: '', tasks: [], merge, at: new Date().toISOString() });
    savePlan(plan);
    return `all shards are done; resubmitted the merge as job ${merge}`;
  }
  const spec = arraySpec(tasks);
  const { array, merge } = submit(plan, tasks, spec);
  return `resubmitted task(s) ${spec} as array job ${array} and the merge as job ${merge} after it`;
}

export async function slurmStatusCommand(args: Parsed): Promise<number> {
  const [, job, ...extra] = args.positionals;
  if (!job || extra.length) throw usageError(SLURM_HELP, 'lab slurm status takes one JOB (an id or the job directory)');
  for (const o of args.options.keys()) if (o !== 'resume' && o !== 'json') throw usageError(SLURM_HELP, `lab slurm status has no option --${o}`);
  const plan = loadPlan(job);
  if (!findShardedCommand(plan.command)) throw new LabError('bad-request', `job.json runs lab ${plan.command}, which this lab cannot merge.`);
  const status = jobStatus(plan, records(plan), existsSync);
  const note = args.options.has('resume') ? resume(plan, status) : undefined;
  if (args.options.has('json')) console.log(JSON.stringify({ schema: 'lab.slurm-status/1', dir: plan.dir, ...status, ...(note ? { resumed: note } : {}) }, null, 2));
  else console.log(note ? `${describe(plan, status, true)}\n${note}` : describe(plan, status, false));
  return 0;
}
