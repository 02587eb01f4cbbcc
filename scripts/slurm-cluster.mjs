#!/usr/bin/env node
/**
 * A single-node Slurm cluster for tests and benchmarks, without systemd: a private munged, one
 * slurmctld and one slurmd, all state under one directory (default $TMPDIR/lab-slurm-<uid>).
 *
 *   node scripts/slurm-cluster.mjs start [--dir DIR]   # idempotent; prints `export SLURM_CONF=…`
 *   node scripts/slurm-cluster.mjs stop  [--dir DIR]   # stops only the daemons this script started
 *   node scripts/slurm-cluster.mjs status [--dir DIR]
 *
 * Needs root and Debian's `slurmctld slurmd slurm-client munge` (22.05); exit 3 says which is
 * missing. Every wait has a timeout. The settings and why (found on this kind of machine):
 * no /run/munge (a private munged: key dir 700, key 0400, socket dir 755, AuthInfo=socket=…);
 * no cgroups (proctrack/linuxproc, task/none, jobacct_gather/none); CR_Core, not CR_Core_Memory
 * (which gives each job all the memory, so the array would run one task at a time);
 * kill_invalid_depend (else a merge after a failed task stays PENDING forever);
 * batch_sched_delay=0 (else ~3 s per step); no slurmdbd, so jobcomp/filetxt and MinJobAge=3600
 * keep finished jobs visible to `scontrol show job`. `scontrol shutdown` removes the pid files
 * before the daemons exit, so the pids are recorded here at start.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARIES = { munged: '/usr/sbin/munged', slurmctld: '/usr/sbin/slurmctld', slurmd: '/usr/sbin/slurmd', sbatch: '/usr/bin/sbatch', scontrol: '/usr/bin/scontrol', sinfo: '/usr/bin/sinfo' };
const PACKAGES = 'slurmctld slurmd slurm-client munge';
const NODE = 'localnode';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
// Ports away from Slurm's defaults (6817/6818), so a system Slurm on the machine is left alone.
const CTLD_PORT = Number(process.env.LAB_SLURM_CTLD_PORT ?? 16817);
const SLURMD_PORT = Number(process.env.LAB_SLURM_SLURMD_PORT ?? 16818);

function parseCli(argv) {
  const [action, ...rest] = argv;
  let dir = process.env.LAB_SLURM_DIR ?? join(tmpdir(), `lab-slurm-${process.getuid?.() ?? 'user'}`);
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--dir' && rest[i + 1]) dir = rest[++i];
    else fail(2, `unknown argument ${rest[i]}`);
  }
  if (!['start', 'stop', 'status'].includes(action)) fail(2, 'usage: node scripts/slurm-cluster.mjs start|stop|status [--dir DIR]');
  return { action, dir };
}

function fail(code, message) {
  console.error(`slurm-cluster: ${message}`);
  process.exit(code);
}

const paths = (dir) => ({
  dir,
  conf: join(dir, 'slurm.conf'),
  pids: join(dir, 'pids.json'),
  mungeDir: join(dir, 'munge'),
  key: join(dir, 'munge', 'munge.key'),
  sockDir: join(dir, 'munge-socket'),
  socket: join(dir, 'munge-socket', 'munge.socket.2'),
  state: join(dir, 'state'),
  spool: join(dir, 'spool'),
  log: join(dir, 'log'),
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** True when `pid` is alive and its command line names our directory (not a reused pid). */
function ours(pid, dir) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => a.includes(dir));
  } catch {
    return false;
  }
}

function readPids(p) {
  try {
    return JSON.parse(readFileSync(p.pids, 'utf8'));
  } catch {
    return {};
  }
}

function run(bin, args, p, timeoutMs = 10_000) {
  return execFileSync(bin, args, { env: { ...process.env, SLURM_CONF: p.conf }, timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

function nodeState(p) {
  try {
    return run(BINARIES.sinfo, ['-h', '-n', NODE, '-o', '%T'], p, 5_000).trim();
  } catch {
    return '';
  }
}

function running(p) {
  const pids = readPids(p);
  const names = ['munged', 'slurmctld', 'slurmd'];
  return names.every((n) => pids[n] && ours(pids[n], p.dir)) && /^(idle|mixed|allocated)/.test(nodeState(p));
}

/** The node line: slurmd -C's hardware, under our node name and address. */
function nodeLine() {
  const hw = execFileSync(BINARIES.slurmd, ['-C'], { encoding: 'utf8', timeout: 10_000 }).split('\n')[0];
  const attrs = hw.split(/\s+/).filter((a) => /^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=/.test(a));
  return `NodeName=${NODE} NodeAddr=127.0.0.1 ${attrs.join(' ')} State=UNKNOWN`;
}

function slurmConf(p) {
  return `# Written by scripts/slurm-cluster.mjs: a single-node test cluster (see the script's header for why).
ClusterName=lab
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=${CTLD_PORT}
SlurmdPort=${SLURMD_PORT}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${p.socket}
SlurmUser=root
SlurmdUser=root
StateSaveLocation=${p.state}
SlurmdSpoolDir=${p.spool}
SlurmctldPidFile=${join(p.dir, 'slurmctld.pid')}
SlurmdPidFile=${join(p.dir, 'slurmd.pid')}
SlurmctldLogFile=${join(p.log, 'slurmctld.log')}
SlurmdLogFile=${join(p.log, 'slurmd.log')}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=${join(p.log, 'jobcomp.txt')}
MinJobAge=3600
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
DependencyParameters=kill_invalid_depend
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
MpiDefault=none
SlurmctldTimeout=30
SlurmdTimeout=30
${nodeLine()}
PartitionName=debug Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP
`;
}

function spawnDaemon(bin, args, logName, p) {
  const out = openSync(join(p.log, logName), 'a');
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, SLURM_CONF: p.conf } });
  child.unref();
  return child.pid;
}

async function waitFor(what, test, timeoutMs, p) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await test()) return;
    await sleep(200);
  }
  fail(1, `timed out after ${timeoutMs / 1000} s waiting for ${what} (logs in ${p.log})`);
}

function preflight() {
  const missing = Object.entries(BINARIES).filter(([, b]) => !existsSync(b)).map(([n]) => n);
  if (missing.length) fail(3, `missing ${missing.join(', ')}: apt-get install -y ${PACKAGES}`);
  if (process.getuid?.() !== 0) fail(3, 'needs root (slurmd runs jobs as their users; SlurmUser=root here)');
}

async function start(p) {
  preflight();
  if (running(p)) return printEnv(p, 'already running');
  await stop(p, true); // leftovers of a crashed run: only our own pids
  rmSync(p.dir, { recursive: true, force: true });
  for (const d of [p.dir, p.state, p.spool, p.log]) mkdirSync(d, { recursive: true, mode: 0o755 });
  mkdirSync(p.mungeDir, { mode: 0o700 });
  mkdirSync(p.sockDir, { mode: 0o755 });
  chmodSync(p.dir, 0o755);
  writeFileSync(p.key, randomBytes(1024), { mode: 0o400 });
  writeFileSync(p.conf, slurmConf(p));
  const pids = {};
  pids.munged = spawnDaemon(BINARIES.munged, ['-F', '--force', `--key-file=${p.key}`, `--socket=${p.socket}`, `--pid-file=${join(p.mungeDir, 'munged.pid')}`, `--log-file=${join(p.log, 'munged.log')}`, `--seed-file=${join(p.mungeDir, 'seed')}`], 'munged.out', p);
  writeFileSync(p.pids, JSON.stringify(pids));
  await waitFor('munged', () => existsSync(p.socket), 10_000, p);
  pids.slurmctld = spawnDaemon(BINARIES.slurmctld, ['-D', '-i', '-f', p.conf], 'slurmctld.out', p);
  pids.slurmd = spawnDaemon(BINARIES.slurmd, ['-D', '-N', NODE, '-f', p.conf], 'slurmd.out', p);
  writeFileSync(p.pids, JSON.stringify(pids));
  await waitFor('the node to come up idle', () => /^idle/.test(nodeState(p)), START_TIMEOUT_MS, p);
  printEnv(p, 'started');
}

function printEnv(p, what) {
  console.error(`slurm-cluster: ${what} (state in ${p.dir})`);
  console.log(`export SLURM_CONF=${p.conf}`);
}

async function stop(p, quiet = false) {
  const pids = readPids(p);
  const live = () => Object.values(pids).filter((pid) => ours(pid, p.dir));
  if (live().length === 0) {
    if (!quiet) console.error('slurm-cluster: not running');
    return;
  }
  if (pids.slurmctld && ours(pids.slurmctld, p.dir)) {
    try {
      run(BINARIES.scontrol, ['shutdown'], p, 5_000);
    } catch {
      /* a dead controller: signals below */
    }
  }
  const slurm = () => [pids.slurmctld, pids.slurmd].filter((pid) => pid && ours(pid, p.dir));
  const until = Date.now() + STOP_TIMEOUT_MS;
  while (slurm().length && Date.now() < until) await sleep(200);
  for (const [signal, wait] of [['SIGTERM', 5_000], ['SIGKILL', 2_000]]) {
    const left = live();
    if (!left.length) break;
    for (const pid of left) {
      try {
        process.kill(pid, signal);
      } catch {
        /* gone meanwhile */
      }
    }
    const end = Date.now() + wait;
    while (live().length && Date.now() < end) await sleep(100);
  }
  if (live().length) fail(1, `could not stop pids ${live().join(', ')}`);
  rmSync(p.pids, { force: true });
  if (!quiet) console.error('slurm-cluster: stopped');
}

const { action, dir } = parseCli(process.argv.slice(2));
const p = paths(dir);
if (action === 'start') await start(p);
else if (action === 'stop') await stop(p);
else if (running(p)) printEnv(p, `running, node ${nodeState(p)}`);
else fail(1, 'not running');
