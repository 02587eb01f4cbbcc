/**
 * Where a planned job stands, from what `scontrol show job -o` still knows and which files exist:
 * a shard file exists only once its task succeeded (the task script moves it into place last), so
 * files are the truth for done tasks, and Slurm's records (kept MinJobAge seconds after the end)
 * say what the others are doing or why they failed.
 */
import { mergeLog, taskLog, type SlurmJobPlan, type Submission } from './jobPlan';
import type { SlurmJobRecord } from './scontrol';

export type TaskState = 'done' | 'running' | 'pending' | 'failed' | 'missing';
export type MergeState = 'done' | 'running' | 'waiting' | 'not-run' | 'failed' | 'unknown';

export interface TaskStatus {
  task: number;
  state: TaskState;
  /** Slurm's JobState and Reason, when it still has a record. */
  slurm?: { jobId: string; state: string; reason: string; exitCode: string };
  /** The task's log (of its latest submission). */
  log?: string;
}

export interface JobStatus {
  tasks: TaskStatus[];
  counts: Record<TaskState, number>;
  merge: { state: MergeState; jobId?: string; slurm?: { state: string; reason: string; exitCode: string }; log?: string };
  out: string;
  complete: boolean;
}

const ACTIVE = new Set(['RUNNING', 'COMPLETING', 'CONFIGURING', 'SUSPENDED', 'STAGE_OUT', 'RESIZING', 'SIGNALING']);
const QUEUED = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD']);

function latestSubmission(plan: SlurmJobPlan, task: number): Submission | undefined {
  return [...plan.submissions].reverse().find((s) => s.tasks.includes(task));
}

export function jobStatus(plan: SlurmJobPlan, records: readonly SlurmJobRecord[], exists: (path: string) => boolean): JobStatus {
  const tasks = plan.shards.map((shard, task): TaskStatus => {
    const sub = latestSubmission(plan, task);
    const log = sub ? taskLog(plan.dir, sub.array, task) : undefined;
    if (exists(shard)) return { task, state: 'done', log };
    const r = sub && records.find((x) => x.arrayJobId === sub.array && x.arrayTaskIds?.includes(task));
    if (!r) return { task, state: 'missing', ...(log && exists(log) ? { log } : {}) };
    const slurm = { jobId: r.jobId, state: r.state, reason: r.reason, exitCode: r.exitCode };
    // Slurm expands %A/%a in StdOut for a started task; a pending one has no log yet.
    const taskLogPath = r.arrayTaskIds?.length === 1 && r.stdout ? r.stdout : log;
    if (ACTIVE.has(r.state)) return { task, state: 'running', slurm, log: taskLogPath };
    if (QUEUED.has(r.state)) return { task, state: 'pending', slurm };
    // COMPLETED without a shard file (it was removed, or the script was edited) counts as failed too.
    return { task, state: 'failed', slurm, log: taskLogPath };
  });
  const counts: Record<TaskState, number> = { done: 0, running: 0, pending: 0, failed: 0, missing: 0 };
  for (const t of tasks) counts[t.state]++;
  const last = plan.submissions.at(-1);
  const m = last && records.find((x) => x.jobId === last.merge);
  const log = last ? mergeLog(plan.dir, last.merge) : undefined;
  let merge: JobStatus['merge'];
  if (m) {
    const slurm = { state: m.state, reason: m.reason, exitCode: m.exitCode };
    const state: MergeState =
      m.state === 'COMPLETED' && exists(plan.out) ? 'done'
      : ACTIVE.has(m.state) ? 'running'
      : QUEUED.has(m.state) ? 'waiting'
      : m.state === 'CANCELLED' && /Dependency/.test(m.reason) ? 'not-run'
      : 'failed';
    merge = { state, jobId: m.jobId, slurm, ...(state === 'waiting' || state === 'not-run' ? {} : { log }) };
  } else {
    // Slurm has forgotten the merge: its output file (and log) tell.
    const done = counts.done === plan.tasks && exists(plan.out);
    merge = { state: done ? 'done' : 'unknown', ...(last ? { jobId: last.merge } : {}), ...(log && exists(log) ? { log } : {}) };
  }
  return { tasks, counts, merge, out: plan.out, complete: merge.state === 'done' };
}

/** The tasks a --resume resubmits: those neither done nor still queued or running. */
export function tasksToResume(status: JobStatus): number[] {
  return status.tasks.filter((t) => t.state === 'failed' || t.state === 'missing').map((t) => t.task);
}

/** A compact Slurm --array list: [0,1,2,5,7,8] → "0-2,5,7-8". */
export function arraySpec(tasks: readonly number[]): string {
  const sorted = [...new Set(tasks)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
