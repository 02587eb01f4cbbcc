/**
 * The two sbatch scripts of a planned job: the task array (task i runs `--shard i/n` into its own
 * shard file) and the merge (run with --dependency=afterok:<array>). They are plain bash a user can
 * read, edit and submit by hand; `submitLines` says how.
 */
import { arrayScriptPath, logDir, mergeLogPattern, mergeScriptPath, taskLogPattern, type SlurmJobPlan } from './jobPlan';
import type { ShardedCommand } from './shardedCommands';
import { shellLine, shellQuote } from './shellQuote';

function directives(plan: SlurmJobPlan, jobName: string, output: string, cpus: number): string[] {
  const r = plan.resources;
  return [
    `#SBATCH --job-name=${jobName}`,
    `#SBATCH --output=${output}`,
    `#SBATCH --chdir=${plan.workdir}`,
    `#SBATCH --cpus-per-task=${cpus}`,
    ...(r.partition ? [`#SBATCH --partition=${r.partition}`] : []),
    ...(r.time ? [`#SBATCH --time=${r.time}`] : []),
    ...(r.mem ? [`#SBATCH --mem=${r.mem}`] : []),
  ];
}

export function arrayScript(plan: SlurmJobPlan, command: ShardedCommand): string {
  const n = plan.tasks;
  const [before, after] = plan.shards[0].split('/shard-0-of-');
  const threads = command.threadsOption ? [`--${command.threadsOption}`, String(plan.resources.cpus)] : [];
  return [
    '#!/bin/bash',
    `# lab slurm: \`lab ${command.name}\` in ${n} task(s); written by \`lab slurm\`, see ${plan.dir}/job.json.`,
    `# By hand: array=$(sbatch --parsable ${arrayScriptPath(plan.dir)}); then the merge script after it.`,
    ...directives(plan, `lab-${command.name}`, taskLogPattern(plan.dir), plan.resources.cpus),
    `#SBATCH --array=0-${n - 1}`,
    'set -euo pipefail',
    // n is fixed at planning, not $SLURM_ARRAY_TASK_COUNT: a --resume runs some tasks as a smaller
    // array, and each task's range must stay its part of n.
    'i=$SLURM_ARRAY_TASK_ID',
    `n=${n}`,
    `out=${shellQuote(`${before}/shard-`)}"$i"${shellQuote(`-of-${after}`)}`,
    `echo "lab slurm: task $i of $n on $(hostname), job \${SLURM_ARRAY_JOB_ID:-?}_$i"`,
    `${shellLine([...plan.launcher, command.name, ...plan.args, ...threads])} --shard "$i/$n" --${command.outputOption} "$out.partial"`,
    '# The shard file appears only when its task succeeded (status and the merge rely on it).',
    'mv "$out.partial" "$out"',
    '',
  ].join('\n');
}

export function mergeScript(plan: SlurmJobPlan, command: ShardedCommand): string {
  return [
    '#!/bin/bash',
    `# lab slurm: merges the ${plan.tasks} shard(s) of \`lab ${command.name}\` into ${plan.out}.`,
    `# By hand: sbatch --dependency=afterok:$array ${mergeScriptPath(plan.dir)}`,
    ...directives(plan, `lab-${command.name}-merge`, mergeLogPattern(plan.dir), 1),
    'set -euo pipefail',
    `echo "lab slurm: merge on $(hostname), job \${SLURM_JOB_ID:-?}"`,
    shellLine([...plan.launcher, ...command.mergeArgs(plan.shards, plan.out)]),
    `echo "lab slurm: merged into ${plan.out.replace(/["\\$`]/g, '\\$&')}"`,
    '',
  ].join('\n');
}

/** Shell lines that submit the job as `lab slurm` does (for --dry-run). */
export function submitLines(plan: SlurmJobPlan): string[] {
  return [
    `mkdir -p ${shellQuote(logDir(plan.dir))} ${shellQuote(`${plan.dir}/shards`)}`,
    `array=$(sbatch --parsable ${shellQuote(arrayScriptPath(plan.dir))})`,
    `sbatch --parsable --dependency=afterok:\${array%%;*} ${shellQuote(mergeScriptPath(plan.dir))}`,
  ];
}
