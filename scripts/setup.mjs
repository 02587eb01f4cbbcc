#!/usr/bin/env node
// One entry for `npm start`, `npm test` and `npm run bench` on a fresh machine: installs what is
// missing (npm packages; as root, Debian chromium and PyTorch for test fixtures), then runs; and
// `npm run data:fredsr`, which builds the FREDSR data (installing its wallpaper packages as root).
// Plain Node with no dependencies, because it runs before node_modules exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const mode = process.argv[2] ?? 'start';
const isRoot = process.getuid?.() === 0;
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, ...options });
  if (r.status !== 0) {
    console.error(`\n✗ ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

function ensureNodeModules() {
  const marker = join('node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync('package-lock.json').mtimeMs) return;
  console.log('• installing npm packages (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

let aptUpdated = false;
function aptInstall(packages, why) {
  if (!isRoot) {
    console.error(`✗ ${why} needs: sudo apt-get install -y ${packages.join(' ')}`);
    process.exit(1);
  }
  console.log(`• installing ${packages.join(' ')} (${why})…`);
  if (!aptUpdated) run('apt-get', ['update', '-qq']);
  aptUpdated = true;
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function hasPython(modules) {
  try {
    execFileSync('/usr/bin/python3', ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ensureTestTools() {
  if (!existsSync('/usr/bin/chromium')) aptInstall(['chromium', 'fonts-dejavu-core'], 'end-to-end tests drive Debian chromium');
  if (!hasPython(['torch', 'torchvision', 'onnx'])) aptInstall(['python3-torch', 'python3-torchvision', 'python3-onnx'], 'test fixtures are exported from torchvision');
  if (!existsSync('/usr/share/datasets/fashion-mnist')) aptInstall(['dataset-fashion-mnist'], 'the scene world is built from Fashion-MNIST');
  if (!existsSync('/usr/share/backgrounds/Dragonfly_by_Bolly.jpg')) aptInstall(['lomiri-wallpapers-16.04'], 'the upscaler tests use its photographs');
  // The lab slurm test runs a single-node Slurm as root; without root it is skipped (it says so).
  if (!['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/bin/sbatch', '/usr/sbin/munged'].every((f) => existsSync(f))) {
    if (isRoot) aptInstall(['slurmctld', 'slurmd', 'slurm-client', 'munge'], 'the lab slurm test runs a single-node Slurm cluster');
    else console.log('• the lab slurm cluster test will be skipped: it needs root and slurmctld slurmd slurm-client munge');
  }
}

const bin = (name) => join('node_modules', '.bin', name);

ensureNodeModules();
if (mode === 'start') {
  run(bin('vite'), ['build', '--logLevel', 'warn']);
  await import('./serve.mjs').then(async ({ startServer }) => {
    const port = Number(process.env.PORT ?? 5173);
    const host = process.env.HOST ?? '127.0.0.1';
    const server = await startServer({ root: join(root, 'dist'), port, host });
    console.log(`\n  Interpretability lab on the built-in model: http://${host}:${server.address().port}/\n  (Ctrl-C to stop)\n`);
  });
} else if (mode === 'test') {
  ensureTestTools();
  run(bin('tsc'), ['--noEmit', '-p', '.']);
  run(bin('vitest'), ['run']);
  run(bin('vite'), ['build', '--logLevel', 'warn']);
  run(bin('playwright'), ['test']);
} else if (mode === 'bench') {
  ensureTestTools();
  run(bin('vite'), ['build', '--logLevel', 'warn']);
  run(bin('tsx'), ['bench/run.ts', ...process.argv.slice(3)]);
} else if (mode === 'fredsr-data') {
  // The FREDSR data: the wallpaper packages models/fredsr-data.json names are installed (as root) by
  // the builder itself, only for pictures that are missing; without root it lists what to install.
  if (!hasPython(['PIL', 'numpy', 'torch'])) aptInstall(['python3-pil', 'python3-torch'], 'the FREDSR data builder (and models/training/common.py)');
  run('/usr/bin/python3', ['models/training/fredsr_data.py', ...(isRoot ? ['--install'] : []), ...process.argv.slice(3)]);
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
