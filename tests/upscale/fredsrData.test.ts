/**
 * models/training/fredsr_data.py builds from the manifest it is given: every listed picture must be
 * present with its sha256, else it refuses, naming each missing picture and the package that ships
 * it, and builds nothing; a manifest is never rewritten without --write-manifest (the committed one
 * least of all). The test-set digest it records agrees with bench/upscale/testSet.ts.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestTestSet, testSetDigest, type TestImage } from '../../bench/upscale/testSet';
import { decodeImageFile } from '../../src/cli/decode';
import { encodePng } from '../../src/cli/encodePng';
import { cropImage } from '../../src/engine/upscale/compare';
import { REPO_ROOT } from '../setup/fixturePaths';
import { photoCrop } from './photo';

const BUILDER = join(REPO_ROOT, 'models/training/fredsr_data.py');
const COMMITTED = join(REPO_ROOT, 'models/fredsr-data.json');
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

let dir = '';
let committedBefore = '';

interface Entry {
  id: string;
  package: string;
  packageVersion: string;
  path: string;
  licence: string;
  sha256: string;
  kind: string;
  split: string;
  testCrop?: number[];
}

/** A picture file (a crop of a real photo) and its manifest entry. */
function picture(id: string, split: 'train' | 'test', pkg: string, w: number, h: number, dx: number): Entry {
  const path = join(dir, `${id}.png`);
  const bytes = encodePng(photoCrop(w, h, dx, 0));
  writeFileSync(path, bytes);
  return { id, package: pkg, packageVersion: '1.0-1', path, licence: 'CC-BY-4.0', sha256: sha256(bytes), kind: 'photo', split, ...(split === 'test' ? { testCrop: [3, 6, 288, 288] } : {}) };
}

function manifest(name: string, images: Entry[]): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ name: 'test', trainPatches: { perImage: 3, seed: 0, total: 3 }, images }, null, 2));
  return path;
}

async function build(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('/usr/bin/python3', [BUILDER, ...args], { cwd: REPO_ROOT, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-fredsr-data-'));
  committedBefore = readFileSync(COMMITTED, 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fredsr_data.py', () => {
  it('builds exactly what the manifest lists and leaves the manifest as it was', async () => {
    const train = picture('meadow', 'train', 'pkg-a', 320, 300, -300);
    const test = picture('dragonfly', 'test', 'pkg-b', 300, 300, 0);
    const path = manifest('ok.json', [train, test]);
    const before = readFileSync(path, 'utf8');
    const out = join(dir, 'ok-out');
    const r = await build('--manifest', path, '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 pictures verified \(sha256\).*test set: 1 pictures/);
    const index = JSON.parse(readFileSync(join(out, 'test/index.json'), 'utf8')) as TestImage[];
    expect(index).toEqual([{ id: 'dragonfly', hr: 'dragonfly_hr.png', lr: 'dragonfly_lr.png', source: test.path, sha256: test.sha256, crop: [3, 6, 288, 288] }]);
    // The HR file is the listed crop of the source; the LR is its 3× downscale.
    const hr = decodeImageFile(join(out, 'test/dragonfly_hr.png'));
    const want = cropImage(decodeImageFile(test.path), { x: 3, y: 6, width: 288, height: 288 });
    expect([hr.width, hr.height]).toEqual([288, 288]);
    expect(sha256(hr.data)).toBe(sha256(want.data));
    const lr = decodeImageFile(join(out, 'test/dragonfly_lr.png'));
    expect([lr.width, lr.height]).toEqual([96, 96]);
    expect(existsSync(join(out, 'train/patches.npz'))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('refuses, naming each missing or altered picture and its package, builds nothing and leaves the manifest', async () => {
    const present = picture('bridge', 'train', 'pkg-a', 320, 300, 200);
    const gone = { ...picture('gone-test', 'test', 'pkg-b', 300, 300, 100), path: join(dir, 'nowhere/gone-test.jpg') };
    const gone2 = { ...picture('gone-train', 'train', 'pkg-c', 300, 300, 50), path: join(dir, 'nowhere/gone-train.jpg') };
    const altered = { ...picture('altered', 'train', 'pkg-c', 300, 300, -50), sha256: '0'.repeat(64) };
    const path = manifest('missing.json', [present, gone, gone2, altered]);
    const before = readFileSync(path, 'utf8');
    const out = join(dir, 'missing-out');
    const r = await build('--manifest', path, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('3 of the 4 pictures listed in');
    expect(r.stderr).toMatch(/pkg-b 1\.0-1 \(not installed\): 1 picture\n\s+gone-test\s+test\s+\S*nowhere\/gone-test\.jpg/);
    expect(r.stderr).toMatch(/pkg-c 1\.0-1 \(not installed\): 2 pictures/);
    expect(r.stderr).toMatch(/altered\s+train\s+\S+altered\.png \(sha256 differs\)/);
    expect(r.stderr).toMatch(/gone-train\s+train\s+\S*nowhere\/gone-train\.jpg/);
    expect(r.stderr).not.toMatch(/bridge/);
    expect(r.stderr).toContain('apt-get install -y --no-install-recommends pkg-b pkg-c');
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(before);
    // --check says the same without building.
    const check = await build('--manifest', path, '--check');
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('gone-test');
  });

  it('never touched the committed manifest, whose testSet digest the bench computes the same way', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(committedBefore);
    const doc = JSON.parse(committedBefore);
    const set = manifestTestSet(doc);
    expect(set).toHaveLength(doc.counts.test);
    expect(doc.testSet).toEqual({ count: set.length, sha256: testSetDigest(set) });
  });
});
