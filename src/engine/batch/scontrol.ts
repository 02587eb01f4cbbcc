/**
 * `scontrol show job -o` output: one line per job record, `Key=Value` pairs separated by spaces.
 * An array's tasks that have started get a record each (ArrayTaskId=3); those still pending share
 * one (ArrayTaskId=4-7, or 4,6,8-9%2 with a throttle).
 */
export interface SlurmJobRecord {
  jobId: string;
  /** Set on the records of an array job. */
  arrayJobId?: string;
  /** The tasks this record stands for. */
  arrayTaskIds?: number[];
  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, … */
  state: string;
  reason: string;
  /** "exit:signal", e.g. "3:0". */
  exitCode: string;
  stdout?: string;
  command?: string;
  dependency?: string;
}

/** "0-3", "1,3,5-7", "0-15%4", "0-10:2" → the task ids. */
export function parseTaskIds(spec: string): number[] {
  const ids: number[] = [];
  for (const part of spec.replace(/%\d+$/, '').split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) throw new Error(`Not an array task list: ${JSON.stringify(spec)}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    const step = m[3] === undefined ? 1 : Math.max(1, Number(m[3]));
    for (let i = from; i <= to; i += step) ids.push(i);
  }
  return ids;
}

/** Splits one record line into its fields; a value may hold spaces (paths), a key never does. */
export function parseFields(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const pair of line.trim().split(/ +(?=[A-Za-z][A-Za-z0-9/:_]*=)/)) {
    const eq = pair.indexOf('=');
    if (eq > 0) fields.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return fields;
}

const nullable = (v: string | undefined) => (v === undefined || v === '' || v === '(null)' ? undefined : v);

export function parseScontrolJobs(text: string): SlurmJobRecord[] {
  return text
    .split('\n')
    .filter((l) => /^\s*JobId=/.test(l))
    .map((line) => {
      const f = parseFields(line);
      const tasks = nullable(f.get('ArrayTaskId'));
      return {
        jobId: f.get('JobId')!,
        arrayJobId: nullable(f.get('ArrayJobId')),
        arrayTaskIds: tasks ? parseTaskIds(tasks) : undefined,
        state: f.get('JobState') ?? 'UNKNOWN',
        reason: f.get('Reason') ?? 'None',
        exitCode: f.get('ExitCode') ?? '0:0',
        stdout: nullable(f.get('StdOut')),
        command: nullable(f.get('Command')),
        dependency: nullable(f.get('Dependency')),
      };
    });
}
