/**
 * deploy/kubernetes: the Indexed Job and its merge, parsed as YAML (PyYAML from Debian's
 * python3-yaml, which python3-torch depends on), checked for the fields Kubernetes needs
 * (completionMode Indexed, JOB_COMPLETION_INDEX as the shard), and run: each pod's script under
 * bash with the volumes pointed at a temporary folder, then the merge command; the merged index
 * equals one pass. There is no Kubernetes here, so the scheduling itself is not tested.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args';
import { checkOptions, valuedOptions } from '../../src/cli/command';
import { findCommand } from '../../src/cli/commands';
import { findShardedCommand } from '../../src/engine/batch/shardedCommands';
import { encodeShardIndex, generateDataset } from '../../src/engine/data/shards';
import { decodeIndexFile } from '../../src/engine/exemplars/indexFile';
import { REPO_ROOT } from '../setup/fixturePaths';
import { lab } from '../setup/runLab';
import { loadTestBanks } from '../synth/banks';

interface Container { name: string; image: string; workingDir: string; command: string[]; args: string[]; volumeMounts: { name: string; mountPath: string }[] }
interface Job {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { completionMode?: string; completions: number; parallelism?: number; backoffLimit: number; template: { spec: { restartPolicy: string; containers: Container[]; volumes: { name: string }[] } } };
}

function loadYaml(file: string): Job[] {
  const json = execFileSync('/usr/bin/python3', ['-c', 'import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))', file], { encoding: 'utf8' });
  return JSON.parse(json) as Job[];
}

const dir = mkdtempSync(join(tmpdir(), 'lab-k8s-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const K8S = join(REPO_ROOT, 'deploy', 'kubernetes');

describe('deploy/kubernetes', () => {
  const [indexed] = loadYaml(join(K8S, 'exemplars-indexed-job.yaml'));
  const [merge] = loadYaml(join(K8S, 'exemplars-merge-job.yaml'));
  const pod = indexed.spec.template.spec;
  const script = pod.containers[0].args[0];
  const N = Number(/^N=(\d+)$/m.exec(script)?.[1]);

  it('is an Indexed Job whose pods take JOB_COMPLETION_INDEX as their shard of N = completions', () => {
    expect(indexed).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completionMode: 'Indexed' } });
    expect(indexed.spec.completions).toBe(N);
    expect(indexed.spec.parallelism).toBeLessThanOrEqual(N);
    expect(pod.restartPolicy).toBe('Never');
    expect(script).toMatch(/^i=\$JOB_COMPLETION_INDEX$/m);
    expect(pod.containers[0].command).toEqual(['bash', '-c']);
    // Every mount names a volume of the pod.
    for (const job of [indexed, merge]) {
      const volumes = new Set(job.spec.template.spec.volumes.map((v) => v.name));
      for (const m of job.spec.template.spec.containers[0].volumeMounts) expect(volumes, `${job.metadata.name}: ${m.name}`).toContain(m.name);
    }
    // The lab command line is one a sharded command accepts, with --shard i/N.
    const words = script.replace(/\\\n\s*/g, ' ').match(/node bin\/lab\.mjs (.*)/)![1].split(/\s+/).map((w) => w.replace(/^"|"$/g, ''));
    const command = findShardedCommand(words[0])!;
    expect(command).toBeDefined();
    const help = findCommand(command.name)!.help;
    const parsed = parseArgs(words.slice(1), valuedOptions(help));
    expect(() => checkOptions(help, parsed)).not.toThrow();
    expect(parsed.options.get('shard')).toBe('$i/$N');
  });

  it('the merge lists each of the N shard files once, as the registry merges them', () => {
    expect(merge).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job' });
    expect(merge.spec.completionMode).toBeUndefined();
    const c = merge.spec.template.spec.containers[0];
    const argv = [...c.command.slice(2), ...c.args];
    const shards = Array.from({ length: N }, (_, i) => `/results/shards/shard-${i}-of-${N}.idx`);
    expect(argv).toEqual(findShardedCommand('exemplars')!.mergeArgs(shards, '/results/exemplars.idx'));
    expect(script).toContain('out=/results/shards/shard-$i-of-$N.idx');
  });

  it('runs: each pod script and then the merge (volumes in a temporary folder) give the single-pass index', async () => {
    const shard = generateDataset({ split: 'train', variant: 'balanced', seed: 1, count: 64 }, loadTestBanks());
    writeFileSync(join(dir, 'fmnist-scenes-balanced-train.json'), encodeShardIndex(shard.index));
    writeFileSync(join(dir, 'fmnist-scenes-balanced-train.u8'), shard.pixels);
    const local = (text: string) => text.replaceAll('/results/', `${dir}/results/`).replaceAll('/data/', `${dir}/`);
    for (let i = 0; i < N; i++) {
      execFileSync('bash', ['-c', local(script)], { cwd: REPO_ROOT, env: { ...process.env, JOB_COMPLETION_INDEX: String(i) }, stdio: 'pipe' });
    }
    const c = merge.spec.template.spec.containers[0];
    execFileSync(c.command[0], [...c.command.slice(1), ...c.args].map(local), { cwd: REPO_ROOT, stdio: 'pipe' });
    const layer = /--layer (\S+)/.exec(script)![1];
    const single = join(dir, 'single.idx');
    expect((await lab('exemplars', 'models/scenes-balanced.onnx', join(dir, 'fmnist-scenes-balanced-train.json'), '--layer', layer, '--units', '0', '--out', single)).code).toBe(0);
    const read = (p: string) => decodeIndexFile(new Uint8Array(readFileSync(p)));
    expect(read(join(dir, 'results', 'exemplars.idx'))).toEqual(read(single));
  }, 180_000);
});
