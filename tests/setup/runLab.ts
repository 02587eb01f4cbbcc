/** Runs the `lab` command as a user would: a real Node process on bin/lab.mjs in the repository. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './fixturePaths';

const exec = promisify(execFile);
const LAB = join(REPO_ROOT, 'bin', 'lab.mjs');

export interface LabRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The exit code and output of `lab ...args` (a failing command resolves too, with its code). */
export async function lab(...args: string[]): Promise<LabRun> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [LAB, ...args], { cwd: REPO_ROOT, maxBuffer: 64 * 2 ** 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as LabRun;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
