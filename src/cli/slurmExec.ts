/** Runs Slurm's client commands (sbatch, scontrol) with a timeout and errors that say what to do. */
import { execFileSync } from 'node:child_process';
import { LabError } from '../engine/errors';

const TIMEOUT_MS = 60_000;

export function slurmCommand(bin: 'sbatch' | 'scontrol' | 'scancel', args: string[]): string {
  try {
    return execFileSync(bin, args, { encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; signal?: string };
    if (e.code === 'ENOENT') throw new LabError('bad-request', `${bin} is not on PATH: run lab slurm on a Slurm login node (or --dry-run to only write the scripts).`);
    if (e.signal) throw new LabError('bad-request', `${bin} ${args.join(' ')} did not answer within ${TIMEOUT_MS / 1000} s (is slurmctld up? SLURM_CONF=${process.env.SLURM_CONF ?? 'unset'}).`);
    throw new LabError('bad-request', `${bin} ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** `sbatch --parsable …` → the job id (it prints "id" or "id;cluster"). */
export function sbatch(args: string[]): string {
  const out = slurmCommand('sbatch', ['--parsable', ...args]).trim();
  const id = out.split(';')[0];
  if (!/^\d+$/.test(id)) throw new LabError('bad-request', `sbatch answered ${JSON.stringify(out)} instead of a job id.`);
  return id;
}

/** `scontrol show job -o ID`, or '' when Slurm no longer knows the job (finished > MinJobAge ago). */
export function showJob(id: string): string {
  try {
    return slurmCommand('scontrol', ['show', 'job', '-o', id]);
  } catch (err) {
    if (err instanceof LabError && /Invalid job id/i.test(err.message)) return '';
    throw err;
  }
}
