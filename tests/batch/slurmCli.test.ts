/** `lab slurm` without a cluster: --dry-run writes and prints the scripts; bad input is refused clearly. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lab } from '../setup/runLab';

const dir = mkdtempSync(join(tmpdir(), 'lab-slurm-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const EX = ['exemplars', 'models/scenes-balanced.onnx', 'scenes-test', '--layer', 'stage3.block0.relu2'];

describe('lab slurm (no cluster)', () => {
  it('--dry-run writes the scripts and job.json, prints them with the sbatch lines, and submits nothing', async () => {
    const job = join(dir, 'job');
    const r = await lab('slurm', ...EX, '--k', '15', '--out', join(dir, 'all.idx'), '--tasks', '3', '--cpus', '2', '--time', '30', '--dir', job, '--dry-run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const array = readFileSync(join(job, 'array.sbatch'), 'utf8');
    const merge = readFileSync(join(job, 'merge.sbatch'), 'utf8');
    expect(r.stdout).toContain(array);
    expect(r.stdout).toContain(merge);
    expect(array).toContain('#SBATCH --array=0-2');
    expect(array).toContain('#SBATCH --time=30');
    expect(array).toMatch(/exemplars models\/scenes-balanced\.onnx scenes-test --layer stage3\.block0\.relu2 --k 15 --threads 2 --shard "\$i\/\$n" --out "\$out\.partial"/);
    expect(merge).toContain(`--out ${join(dir, 'all.idx')}`);
    expect(r.stdout).toMatch(/sbatch --parsable --dependency=afterok:/);
    const plan = JSON.parse(readFileSync(join(job, 'job.json'), 'utf8'));
    expect(plan).toMatchObject({ schema: 'lab.slurm-job/1', command: 'exemplars', tasks: 3, submissions: [] });
    // A second job into the same directory is refused.
    const again = await lab('slurm', ...EX, '--tasks', '3', '--dir', job, '--dry-run');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already holds a job');
  });

  it('refuses commands that do not shard, options the command lacks, a missing --tasks and what lab slurm sets itself', async () => {
    const notSharded = await lab('slurm', 'inspect', 'models/scenes-balanced.onnx', '--tasks', '2');
    expect(notSharded.code).toBe(1);
    expect(notSharded.stderr).toContain('lab inspect does not shard');
    const unknown = await lab('slurm', ...EX, '--tasks', '2', '--nope', '--dir', join(dir, 'x'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('lab exemplars has no option --nope');
    const noTasks = await lab('slurm', ...EX, '--dir', join(dir, 'y'));
    expect(noTasks.code).toBe(1);
    expect(noTasks.stderr).toContain('needs --tasks N');
    const shard = await lab('slurm', ...EX, '--shard', '0/2', '--tasks', '2', '--dir', join(dir, 'z'), '--dry-run');
    expect(shard.code).toBe(1);
    expect(shard.stderr).toContain('sets --shard for each task itself');
    expect(existsSync(join(dir, 'z', 'job.json'))).toBe(false);
    const time = await lab('slurm', ...EX, '--tasks', '2', '--time', 'soon', '--dir', join(dir, 'w'), '--dry-run');
    expect(time.stderr).toContain('--time "soon" is not a Slurm time');
    const status = await lab('slurm', 'status', join(dir, 'nowhere'));
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('neither a job id nor a job directory');
  });
});
