/**
 * `lab slurm` on the local single-node cluster (scripts/slurm-cluster.mjs): the first COUNT of the
 * 60,000 training scenes (balanced, seed 1: `npm run data`'s bytes) indexed at one layer
 *   - directly (`lab exemplars --threads 2`, no Slurm): the baseline, measured in the same run;
 *   - as 1 task with 2 CPUs, plus the merge job;
 *   - as 4 tasks with 1 CPU each, plus the merge job (on 2 cores, 2 tasks run at a time).
 * Wall times run from `lab slurm` starting to the merge job ending (polling scontrol), so they hold
 * submission, scheduling, each task's start-up (node + tsx + model load) and the merge. Then a
 * ResNet-50 (torchvision, random weights: the cost is the same) on 224×224 at 1 thread gives
 * images/s per core, from which the wall time of ImageNet (1.28 M images) × ResNet-50 on N nodes
 * is estimated. Needs root (the cluster) and /usr/bin/python3 with torchvision (ResNet-50 export).
 *   npx tsx bench/slurm.ts [--count 12000] [--resnet-images 64]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SlurmJobPlan } from '../src/engine/batch/jobPlan';
import { parseScontrolJobs } from '../src/engine/batch/scontrol';
import { decodeIndexFile } from '../src/engine/exemplars/indexFile';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const COUNT = arg('count', 12000);
const RESNET_IMAGES = arg('resnet-images', 64);
const FULL = 60000;
const IMAGENET = 1_281_167;
const MODEL = 'models/scenes-balanced.onnx';
const LAYER = 'stage3.block0.relu2';
const CACHE = join(tmpdir(), 'lab-slurm-bench');
const LAB = ['bin/lab.mjs'];
const node = (args: string[], env: NodeJS.ProcessEnv = process.env) => execFileSync(process.execPath, args, { encoding: 'utf8', env, maxBuffer: 2 ** 28, stdio: ['ignore', 'pipe', 'inherit'] });
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first `count` training scenes, as `npm run data` writes them (cached between runs). */
function scenes(count: number): string {
  const dir = join(CACHE, `train-${count}`);
  const json = join(dir, 'fmnist-scenes-balanced-train.json');
  if (!existsSync(json)) {
    mkdirSync(dir, { recursive: true });
    execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/data.ts', '--out', dir, '--variant', 'balanced', '--train-count', String(count), '--test-count', '0'], { stdio: 'inherit' });
  }
  return json;
}

async function waitForJob(id: string): Promise<{ state: string; runSeconds: number }> {
  for (;;) {
    const out = execFileSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8', timeout: 10_000 });
    const [r] = parseScontrolJobs(out);
    if (r && /^(COMPLETED|FAILED|CANCELLED|TIMEOUT)/.test(r.state)) {
      const [h, m, s] = (/RunTime=(\d+:\d+:\d+)/.exec(out)?.[1] ?? '0:0:0').split(':').map(Number);
      return { state: r.state, runSeconds: h * 3600 + m * 60 + s };
    }
    await sleep(250);
  }
}

/** Images/s each task reported on its log's first line ("…: 12.3 s, 456 images/s"). */
function taskRates(plan: SlurmJobPlan): number[] {
  const logs = readdirSync(join(plan.dir, 'logs')).filter((f) => f.startsWith('task_'));
  return logs.map((f) => Number(/([\d.]+) images\/s/.exec(readFileSync(join(plan.dir, 'logs', f), 'utf8'))?.[1] ?? NaN));
}

async function slurmRun(data: string, tasks: number, cpusPerTask: number, name: string) {
  const dir = join(CACHE, `job-${name}-${Date.now()}`);
  const t0 = performance.now();
  const plan = JSON.parse(node([...LAB, 'slurm', 'exemplars', MODEL, data, '--layer', LAYER, '--units', '0', '--batch', '64', '--tasks', String(tasks), '--cpus', String(cpusPerTask), '--dir', dir, '--json'])) as SlurmJobPlan;
  const merge = await waitForJob(plan.submissions[0].merge);
  const wall = (performance.now() - t0) / 1000;
  if (merge.state !== 'COMPLETED') throw new Error(`${name}: the merge ended ${merge.state}; logs in ${dir}/logs`);
  return { wall, mergeSeconds: merge.runSeconds, rates: taskRates(plan), out: plan.out };
}

async function main() {
  const cluster = join('scripts', 'slurm-cluster.mjs');
  let started = false;
  let status: string;
  try {
    status = node([cluster, 'status']);
  } catch {
    status = node([cluster, 'start']);
    started = true;
  }
  process.env.SLURM_CONF = /export SLURM_CONF=(\S+)/.exec(status)![1];
  try {
    const data = scenes(COUNT);
    console.error(`indexing ${COUNT} scenes: direct, 1 task, 4 tasks (load ${load()})`);
    const direct = join(CACHE, 'direct.idx');
    const t0 = performance.now();
    node([...LAB, 'exemplars', MODEL, data, '--layer', LAYER, '--units', '0', '--batch', '64', '--threads', '2', '--out', direct]);
    const directWall = (performance.now() - t0) / 1000;
    console.error(`direct ${directWall.toFixed(1)} s (load ${load()})`);
    const one = await slurmRun(data, 1, 2, '1task');
    console.error(`1 task ${one.wall.toFixed(1)} s (load ${load()})`);
    const four = await slurmRun(data, 4, 1, '4tasks');
    console.error(`4 tasks ${four.wall.toFixed(1)} s (load ${load()})`);
    const same = (a: string, b: string) => JSON.stringify(decodeIndexFile(new Uint8Array(readFileSync(a))).layers[0].top) === JSON.stringify(decodeIndexFile(new Uint8Array(readFileSync(b))).layers[0].top);
    if (!same(direct, one.out) || !same(direct, four.out)) throw new Error('a merged index differs from the direct pass');

    // ResNet-50 at 224×224 on one thread: images/s per core (scenes upsampled from 64, as the CLI fits them).
    const r50 = join(CACHE, 'resnet50.onnx');
    if (!existsSync(r50)) {
      execFileSync('/usr/bin/python3', ['-c', `import torch, torchvision
m = torchvision.models.resnet50(weights=None).eval()
torch.onnx.export(m, torch.randn(1, 3, 224, 224), ${JSON.stringify(r50)}, opset_version=17, input_names=['image'], output_names=['logits'], dynamic_axes={'image': {0: 'N'}, 'logits': {0: 'N'}})`], { stdio: 'inherit' });
    }
    const small = scenes(RESNET_IMAGES);
    const doc = JSON.parse(node([...LAB, 'exemplars', r50, small, '--layer', 'layer4.2.relu_2', '--units', '0', '--threads', '1', '--batch', '16', '--json'])) as { imagesPerSecond: number };
    const r50Core = doc.imagesPerSecond;

    const coreRate = four.rates.reduce((a, b) => a + b, 0) / four.rates.length;
    const ideal4 = COUNT / (coreRate * 2); // 4 tasks at the measured 1-core rate, 2 at a time
    console.log(`\n## lab slurm: job arrays on the local cluster — ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load after ${load()}\n`);
    console.log(`${COUNT} of the ${FULL} training scenes (${((100 * COUNT) / FULL).toFixed(0)}%), ${MODEL} at ${LAYER}, batch 64; wall = submit to merge done.\n`);
    console.log('| run | wall s | vs direct | images/s | per task (images/s) | merge job s |');
    console.log('|---|---|---|---|---|---|');
    console.log(`| direct \`lab exemplars --threads 2\` (no Slurm) | ${directWall.toFixed(1)} | 1.00× | ${(COUNT / directWall).toFixed(0)} | — | — |`);
    for (const [name, r] of [['1 task × 2 CPUs + merge', one], ['4 tasks × 1 CPU + merge', four]] as const) {
      console.log(`| ${name} | ${r.wall.toFixed(1)} | ${(r.wall / directWall).toFixed(2)}× | ${(COUNT / r.wall).toFixed(0)} | ${r.rates.map((x) => x.toFixed(0)).join(', ')} | ${r.mergeSeconds} |`);
    }
    console.log(`\n4 tasks / 1 task: ${(four.wall / one.wall).toFixed(2)}×; 4 tasks against their ideal at the measured 1-core rate (${coreRate.toFixed(0)} images/s, 2 at a time): ${(four.wall / ideal4).toFixed(2)}×.`);
    console.log(`Extrapolated to all ${FULL}: direct ${((directWall * FULL) / COUNT / 60).toFixed(1)} min, 4 tasks ${((four.wall * FULL) / COUNT / 60).toFixed(1)} min (the fixed costs — start-up, merge — are paid once, so this overstates them slightly).`);
    console.log(`\nResNet-50 (224×224, random weights), 1 thread, ${RESNET_IMAGES} images, at layer4.2's last ReLU: ${r50Core.toFixed(2)} images/s per core.`);
    // At scale a task runs for hours, so the array's cost is its fixed part (start-up, scheduling,
    // merge), measured here as the 4-task wall time beyond the ideal; the compute part scales.
    const fixed = Math.max(0, four.wall - ideal4);
    console.log(`Fixed cost of the array here (4-task wall − ideal): ${fixed.toFixed(1)} s for 2 waves of tasks and the merge.`);
    console.log('Estimate, ImageNet train (1,281,167 images) × ResNet-50 at one layer, nodes of 32 cores, one 1-CPU task per core, at the per-core rate above:');
    for (const n of [1, 4, 16, 64]) {
      const compute = IMAGENET / (r50Core * 32 * n);
      console.log(`  ${n} node(s), ${32 * n} tasks: ${(compute / 3600).toFixed(2)} h of compute + ~${fixed.toFixed(0)} s fixed`);
    }
  } finally {
    if (started) node([cluster, 'stop']);
    rmSync(join(CACHE, 'direct.idx'), { force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
