/**
 * The generated sbatch scripts: their directives, and what they do when bash runs them as Slurm
 * would (SLURM_ARRAY_TASK_ID set), with a stand-in launcher that records its arguments.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePlan, planJob, type PlanInput } from '../../src/engine/batch/jobPlan';
import { arrayScript, mergeScript, submitLines } from '../../src/engine/batch/sbatchScripts';
import { findShardedCommand, SHARDED_COMMANDS } from '../../src/engine/batch/shardedCommands';
import { shellQuote } from '../../src/engine/batch/shellQuote';

const dir = mkdtempSync(join(tmpdir(), 'lab-sbatch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const exemplars = findShardedCommand('exemplars')!;

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    command: exemplars,
    args: ['models/m.onnx', "it's data.json", '--layer', 'stage3.relu', '--k', '15'],
    tasks: 4,
    resources: { cpus: 2, partition: 'gpu,cpu', time: '1-02:00:00', mem: '4G' },
    launcher: [join(dir, 'fake-lab')],
    workdir: dir,
    dir: join(dir, 'job'),
    out: join(dir, 'all.idx'),
    ...over,
  };
}

describe('sbatch scripts', () => {
  it('the array script asks for the resources and runs --shard i/n into its own shard file, moved into place only on success', () => {
    const plan = planJob(input());
    const s = arrayScript(plan, exemplars);
    expect(s.startsWith('#!/bin/bash\n')).toBe(true);
    for (const d of ['--array=0-3', '--cpus-per-task=2', '--partition=gpu,cpu', '--time=1-02:00:00', '--mem=4G', `--chdir=${dir}`, `--output=${dir}/job/logs/task_%A_%a.out`]) expect(s).toContain(`#SBATCH ${d}\n`);
    // The task runs under bash as Slurm starts it: a recording launcher stands in for lab.
    writeFileSync(join(dir, 'fake-lab'), `#!/bin/bash\nprintf '%s\\n' "$@" > ${dir}/args-$SLURM_ARRAY_TASK_ID\nfor a in "$@"; do prev=$a; done\n[ "$FAIL" = 1 ] && exit 7\necho shard > "$prev"\n`);
    chmodSync(join(dir, 'fake-lab'), 0o755);
    execFileSync('mkdir', ['-p', `${dir}/job/shards`]);
    writeFileSync(join(dir, 'array.sh'), s);
    execFileSync('bash', [join(dir, 'array.sh')], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '1' } });
    const args = readFileSync(join(dir, 'args-2'), 'utf8').trim().split('\n');
    // n is the planned 4 even though this (resumed) array has one task.
    expect(args).toEqual(['exemplars', 'models/m.onnx', "it's data.json", '--layer', 'stage3.relu', '--k', '15', '--threads', '2', '--shard', '2/4', '--out', `${dir}/job/shards/shard-2-of-4.idx.partial`]);
    expect(existsSync(plan.shards[2])).toBe(true);
    expect(() => execFileSync('bash', [join(dir, 'array.sh')], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '1', FAIL: '1' }, stdio: 'pipe' })).toThrow();
    expect(existsSync(plan.shards[1])).toBe(false);
  });

  it('the merge script names every shard once and the output; the submit lines chain it after the array', () => {
    const plan = planJob(input());
    const m = mergeScript(plan, exemplars);
    expect(m).toContain(`#SBATCH --cpus-per-task=1\n`);
    expect(m).not.toContain('--array');
    expect(m).toContain(['exemplars', '--merge', ...plan.shards, '--out', plan.out].join(' '));
    expect(submitLines(plan).join('\n')).toMatch(/array=\$\(sbatch --parsable .*array\.sbatch\)\nsbatch --parsable --dependency=afterok:\$\{array%%;\*\} .*merge\.sbatch/);
    expect(plan.shards).toEqual([0, 1, 2, 3].map((i) => `${dir}/job/shards/shard-${i}-of-4.idx`));
    expect(parsePlan(JSON.stringify(plan), 'job.json')).toEqual(plan);
  });

  it('refuses what a job cannot carry, with the option named', () => {
    expect(() => planJob(input({ tasks: 0 }))).toThrow(/--tasks takes a whole number from 1 to 1000/);
    expect(() => planJob(input({ tasks: 1001 }))).toThrow(/--tasks/);
    expect(() => planJob(input({ args: ['m', 'd', '--shard', '0/2'] }))).toThrow(/sets --shard for each task itself/);
    expect(() => planJob(input({ args: ['m', 'd', '--threads=4'] }))).toThrow(/sets --threads/);
    expect(() => planJob(input({ resources: { cpus: 1, time: '2 hours' } }))).toThrow(/--time "2 hours" is not a Slurm time/);
    expect(() => planJob(input({ resources: { cpus: 1, mem: '4GB' } }))).toThrow(/--mem/);
    expect(() => planJob(input({ resources: { cpus: 1, partition: 'a b' } }))).toThrow(/--partition/);
    expect(() => planJob(input({ resources: { cpus: Number('x') } }))).toThrow(/--cpus/);
    expect(() => planJob(input({ dir: '/tmp/my job' }))).toThrow(/#SBATCH lines cannot carry/);
    expect(() => parsePlan('{"schema":"lab.slurm-job/1"}', 'x/job.json')).toThrow(/x\/job.json/);
  });

  it('quotes words for the shell so they arrive as they were', () => {
    const words = ['plain', "it's", 'a b', '$HOME', '', 'x"y', '*'];
    const echoed = execFileSync('bash', ['-c', `printf '%s\\n' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
    expect(echoed).toBe(`${words.join('\n')}\n`);
  });

  it('every sharded command is a lab command with its output and thread options', async () => {
    const { findCommand } = await import('../../src/cli/commands');
    for (const c of SHARDED_COMMANDS) {
      const help = findCommand(c.name)?.help;
      expect(help, c.name).toBeDefined();
      const names = help!.options.map((o) => o.name);
      expect(names).toContain('shard');
      expect(names).toContain(c.outputOption);
      if (c.threadsOption) expect(names).toContain(c.threadsOption);
    }
  });
});
