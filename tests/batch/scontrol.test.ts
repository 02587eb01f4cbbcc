/** `scontrol show job -o` parsing and job status, on records captured from Slurm 22.05 here. */
import { describe, expect, it } from 'vitest';
import { arraySpec, jobStatus, tasksToResume } from '../../src/engine/batch/arrayStatus';
import { planJob, type SlurmJobPlan } from '../../src/engine/batch/jobPlan';
import { parseFields, parseScontrolJobs, parseTaskIds } from '../../src/engine/batch/scontrol';
import { findShardedCommand } from '../../src/engine/batch/shardedCommands';

// Abridged from real output (slurm-wlm 22.05.8): a finished task, a failed one, the aggregated
// pending record of the rest, and a merge cancelled because its dependency can never be met.
const TASK = (id: number, task: number, state: string, reason: string, exit: string) =>
  `JobId=${id} ArrayJobId=11 ArrayTaskId=${task} JobName=lab-exemplars UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=${state} Reason=${reason} Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=${exit} RunTime=00:00:05 TimeLimit=UNLIMITED AllocNode:Sid=localhost:20616 ReqB:S:C:T=0:0:*:* TRES=cpu=1,node=1,billing=1 Socks/Node=* NtasksPerN:B:S:C=0:0:*:* Command=/tmp/my jobs/job2/array.sbatch WorkDir=/work/wt/slurm StdErr=/tmp/job2/logs/task_11_${task}.out StdIn=/dev/null StdOut=/tmp/job2/logs/task_11_${task}.out Power= `;
const PENDING = 'JobId=11 ArrayJobId=11 ArrayTaskId=2-3 JobName=lab-exemplars JobState=PENDING Reason=Resources Dependency=(null) ExitCode=0:0 StdOut=/tmp/job2/logs/task_%A_%a.out';
const MERGE = (state: string, reason: string) => `JobId=14 JobName=lab-exemplars-merge JobState=${state} Reason=${reason} Dependency=afterok:11_*(failed) ExitCode=0:0 Command=/tmp/job2/merge.sbatch StdOut=/tmp/job2/logs/merge_14.out`;

function plan(): SlurmJobPlan {
  const p = planJob({
    command: findShardedCommand('exemplars')!,
    args: ['m.onnx', 'd.json', '--layer', 'l'],
    tasks: 4,
    resources: { cpus: 1 },
    launcher: ['/usr/bin/node', '/repo/bin/lab.mjs'],
    workdir: '/work',
    dir: '/tmp/job2',
    out: '/tmp/all.idx',
  });
  p.submissions.push({ array: '11', tasks: [0, 1, 2, 3], merge: '14', at: '2026-12-02T20:00:00Z' });
  return p;
}

describe('scontrol show job -o', () => {
  it('splits fields on the space before a key, so values keep their spaces and inner = signs', () => {
    const f = parseFields(TASK(15, 2, 'FAILED', 'NonZeroExitCode', '2:0'));
    expect(f.get('Command')).toBe('/tmp/my jobs/job2/array.sbatch');
    expect(f.get('TRES')).toBe('cpu=1,node=1,billing=1');
    expect(f.get('AllocNode:Sid')).toBe('localhost:20616');
    expect(f.get('Socks/Node')).toBe('*');
    expect(f.get('Power')).toBe('');
  });

  it('reads task lists with ranges, steps and throttles', () => {
    expect(parseTaskIds('3')).toEqual([3]);
    expect(parseTaskIds('0-3')).toEqual([0, 1, 2, 3]);
    expect(parseTaskIds('1,3,5-7')).toEqual([1, 3, 5, 6, 7]);
    expect(parseTaskIds('0-15%4')).toHaveLength(16);
    expect(parseTaskIds('0-10:5')).toEqual([0, 5, 10]);
    expect(() => parseTaskIds('x')).toThrow(/array task list/);
    expect(arraySpec([7, 0, 1, 2, 5, 8, 2])).toBe('0-2,5,7-8');
  });

  it('parses records of array tasks, pending ranges and plain jobs; an unknown job gives none', () => {
    const r = parseScontrolJobs([TASK(12, 0, 'COMPLETED', 'None', '0:0'), PENDING, MERGE('PENDING', 'Dependency'), ''].join('\n'));
    expect(r.map((x) => [x.jobId, x.arrayJobId, x.arrayTaskIds, x.state])).toEqual([
      ['12', '11', [0], 'COMPLETED'],
      ['11', '11', [2, 3], 'PENDING'],
      ['14', undefined, undefined, 'PENDING'],
    ]);
    expect(r[2].dependency).toBe('afterok:11_*(failed)');
    expect(parseScontrolJobs('slurm_load_jobs error: Invalid job id specified\n')).toEqual([]);
  });
});

describe('job status', () => {
  it('counts a shard file as done, names a failed task and its log, and knows the merge was not run', () => {
    const p = plan();
    const files = new Set([p.shards[0], p.shards[1], p.shards[3], '/tmp/job2/logs/task_11_2.out']);
    const records = parseScontrolJobs([0, 1, 3].map((t) => TASK(12 + t, t, 'COMPLETED', 'None', '0:0')).concat(TASK(15, 2, 'FAILED', 'NonZeroExitCode', '2:0'), MERGE('CANCELLED', 'DependencyNeverSatisfied')).join('\n'));
    const s = jobStatus(p, records, (f) => files.has(f));
    expect(s.counts).toEqual({ done: 3, running: 0, pending: 0, failed: 1, missing: 0 });
    expect(s.tasks[2]).toMatchObject({ state: 'failed', log: '/tmp/job2/logs/task_11_2.out', slurm: { state: 'FAILED', exitCode: '2:0', jobId: '15' } });
    expect(s.merge).toMatchObject({ state: 'not-run', jobId: '14' });
    expect(s.complete).toBe(false);
    expect(tasksToResume(s)).toEqual([2]);
  });

  it('reads pending and running tasks and a waiting merge; nothing is resumed while they are queued', () => {
    const p = plan();
    const records = parseScontrolJobs([TASK(12, 0, 'RUNNING', 'None', '0:0'), TASK(13, 1, 'COMPLETED', 'None', '0:0'), PENDING, MERGE('PENDING', 'Dependency')].join('\n'));
    const s = jobStatus(p, records, (f) => f === p.shards[1]);
    expect(s.tasks.map((t) => t.state)).toEqual(['running', 'done', 'pending', 'pending']);
    expect(s.merge.state).toBe('waiting');
    expect(tasksToResume(s)).toEqual([]);
  });

  it('follows the latest submission of each task after a resume, and reads the result from files once Slurm forgot the jobs', () => {
    const p = plan();
    p.submissions.push({ array: '16', tasks: [2], merge: '17', at: '2026-12-02T20:05:00Z' });
    const old = parseScontrolJobs(TASK(15, 2, 'FAILED', 'NonZeroExitCode', '2:0'));
    // The old failure no longer counts for task 2: it belongs to array 11, the task now to 16.
    expect(jobStatus(p, old, () => false).tasks[2]).toMatchObject({ state: 'missing' });
    const all = new Set([...p.shards, p.out]);
    const s = jobStatus(p, [], (f) => all.has(f));
    expect(s.counts.done).toBe(4);
    expect(s.merge.state).toBe('done');
    expect(s.complete).toBe(true);
    // A task that "completed" without its shard file did not do its work.
    const lost = jobStatus(p, parseScontrolJobs(TASK(20, 0, 'COMPLETED', 'None', '0:0')), () => false);
    expect(lost.tasks[0].state).toBe('failed');
  });
});
