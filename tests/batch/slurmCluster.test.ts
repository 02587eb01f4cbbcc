/**
 * `lab slurm` on a real Slurm (22.05, single node, started by scripts/slurm-cluster.mjs like any
 * other server a test needs): 256 scenes in 4 tasks + merge equal one pass; a task made to fail
 * (its shard's output path is a directory, so the write fails after the indexing) leaves the merge
 * unrun, `lab slurm status` names the task and its log, and --resume completes the job.
 * Needs root (the cluster runs SlurmUser=root); as root, missing packages are an error, not a skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeShardIndex, generateDataset } from '../../src/engine/data/shards';
import { decodeIndexFile } from '../../src/engine/exemplars/indexFile';
import type { SlurmJobPlan } from '../../src/engine/batch/jobPlan';
import { parseScontrolJobs } from '../../src/engine/batch/scontrol';
import { REPO_ROOT } from '../setup/fixturePaths';
import { lab } from '../setup/runLab';
import { loadTestBanks } from '../synth/banks';

const isRoot = process.getuid?.() === 0;
const CLUSTER = join(REPO_ROOT, 'scripts', 'slurm-cluster.mjs');
const MODEL = 'models/scenes-balanced.onnx';
const LAYER = 'stage3.block0.relu2';
const TERMINAL = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|BOOT_FAIL|DEADLINE|PREEMPTED)/;

if (!isRoot) console.warn('tests/batch/slurmCluster.test.ts skipped: the single-node Slurm cluster needs root (CI runs as root).');

const cluster = (action: string) => execFileSync(process.execPath, [CLUSTER, action], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });

/** Polls Slurm (scontrol is fast; sbatch --wait is slow) until the job has ended; its state. */
async function waitForJob(id: string, timeoutMs = 150_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const [r] = parseScontrolJobs(execFileSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8', timeout: 10_000 }));
    if (r && TERMINAL.test(r.state)) return r.state;
    await new Promise((res) => setTimeout(res, 500));
  }
  throw new Error(`job ${id} did not end within ${timeoutMs / 1000} s`);
}

const index = (path: string) => decodeIndexFile(new Uint8Array(readFileSync(path)));

describe.skipIf(!isRoot)('lab slurm on a single-node Slurm cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-slurm-test-'));
  let startedHere = false;
  const data = join(dir, 'scenes.json');
  const common = [MODEL, data, '--layer', LAYER, '--k', '10'];

  beforeAll(() => {
    let status = '';
    try {
      status = cluster('status');
    } catch {
      // Not running (or the packages are missing: start says which, and fails the suite).
      status = cluster('start');
      startedHere = true;
    }
    const conf = /export SLURM_CONF=(\S+)/.exec(status)?.[1];
    if (!conf) throw new Error(`slurm-cluster.mjs printed no SLURM_CONF: ${status}`);
    process.env.SLURM_CONF = conf; // lab and scontrol below inherit it
    const shard = generateDataset({ split: 'test', variant: 'balanced', seed: 1, count: 256 }, loadTestBanks());
    writeFileSync(data, encodeShardIndex(shard.index));
    writeFileSync(join(dir, 'scenes.u8'), shard.pixels);
  }, 90_000);

  afterAll(() => {
    if (startedHere) cluster('stop');
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function submit(jobDir: string, out: string): Promise<SlurmJobPlan> {
    const r = await lab('slurm', 'exemplars', ...common, '--out', out, '--tasks', '4', '--dir', jobDir, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as SlurmJobPlan;
  }

  it('4 tasks and a merge equal one pass; a failed task leaves the merge unrun, status names it and its log, --resume completes it', async () => {
    const single = join(dir, 'single.idx');
    expect((await lab('exemplars', ...common, '--out', single, '--units', '0')).code).toBe(0);

    const ok = await submit(join(dir, 'job-ok'), join(dir, 'merged.idx'));
    expect(ok.submissions).toHaveLength(1);
    expect(await waitForJob(ok.submissions[0].merge)).toBe('COMPLETED');
    expect(index(ok.out)).toEqual(index(single));
    // Byte for byte: the same file the Exemplars panel imports from a single `lab exemplars --out` (e2e/dataset-folder.spec.ts).
    expect(readFileSync(ok.out).equals(readFileSync(single))).toBe(true);
    const done = await lab('slurm', 'status', ok.submissions[0].array);
    expect(done.stdout).toContain('tasks: 4 done, 0 running, 0 pending, 0 failed, 0 missing');
    expect(done.stdout).toContain(`merge (job ${ok.submissions[0].merge}): done: ${ok.out}`);

    // Task 2 cannot write its shard: a directory stands where its output goes.
    const jobDir = join(dir, 'job-fail');
    const blocker = join(jobDir, 'shards', 'shard-2-of-4.idx.partial');
    mkdirSync(blocker, { recursive: true });
    const bad = await submit(jobDir, join(dir, 'merged2.idx'));
    const [first] = bad.submissions;
    expect(await waitForJob(first.merge)).toBe('CANCELLED');
    expect(existsSync(bad.out)).toBe(false);
    const failed = await lab('slurm', 'status', first.array);
    expect(failed.code).toBe(0);
    const log = join(jobDir, 'logs', `task_${first.array}_2.out`);
    expect(failed.stdout).toContain('tasks: 3 done, 0 running, 0 pending, 1 failed, 0 missing');
    expect(failed.stdout).toMatch(new RegExp(`task 2: failed \\(FAILED, NonZeroExitCode, exit [1-9]:0, job \\d+\\), log ${log.replace(/[.]/g, '\\.')}`));
    expect(failed.stdout).toContain('not run (a task failed');
    expect(readFileSync(log, 'utf8')).toMatch(/EISDIR/);

    rmdirSync(blocker);
    const resumed = await lab('slurm', 'status', jobDir, '--resume');
    expect(resumed.stdout).toMatch(/resubmitted task\(s\) 2 as array job (\d+) and the merge as job (\d+)/);
    const plan = JSON.parse(readFileSync(join(jobDir, 'job.json'), 'utf8')) as SlurmJobPlan;
    expect(plan.submissions.map((s) => s.tasks)).toEqual([[0, 1, 2, 3], [2]]);
    expect(await waitForJob(plan.submissions[1].merge)).toBe('COMPLETED');
    expect(index(bad.out)).toEqual(index(single));
    const json = JSON.parse((await lab('slurm', 'status', jobDir, '--json')).stdout);
    expect(json).toMatchObject({ schema: 'lab.slurm-status/1', complete: true, counts: { done: 4, failed: 0 } });
  }, 300_000);
});
