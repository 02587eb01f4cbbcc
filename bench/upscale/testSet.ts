/**
 * Which FREDSR test set a benchmark measured: its count and a sha256 over its pictures (id, source
 * sha256, crop), the same digest models/training/fredsr_data.py stores in the manifest as `testSet`,
 * so a partial build (fewer wallpaper packages) cannot pass for the documented set.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST_PATH = 'models/fredsr-data.json';

/** One entry of /data/fredsr/test/index.json; builds before the digest lack sha256 and crop. */
export interface TestImage {
  id: string;
  hr: string;
  lr: string;
  source?: string;
  sha256?: string;
  crop?: number[];
}

interface ManifestImage {
  id: string;
  sha256: string;
  split: string;
  testCrop?: number[];
}

/** sha256 over the sorted lines "id source-sha256 x0,y0,w,h\n" (fredsr_data.py's test_set_digest). */
export function testSetDigest(pictures: { id: string; sha256: string; crop: number[] }[]): string {
  const lines = pictures.map((p) => `${p.id} ${p.sha256} ${p.crop.join(',')}\n`).sort();
  return createHash('sha256').update(lines.join('')).digest('hex');
}

/** The test pictures the manifest lists, as digest input. */
export function manifestTestSet(manifest: { images: ManifestImage[] }): { id: string; sha256: string; crop: number[] }[] {
  return manifest.images.filter((e) => e.split === 'test').map((e) => ({ id: e.id, sha256: e.sha256, crop: e.testCrop ?? [] }));
}

export interface TestSetReport {
  count: number;
  /** null: index.json was built before the digest existed (rebuild to identify it). */
  sha256: string | null;
  documented: { count: number; sha256: string } | null;
  /** Whether the measured pictures are exactly the documented set. */
  isDocumented: boolean;
  line: string;
}

/** Identifies `measured` (the entries a benchmark ran on) against the committed manifest. */
export function describeTestSet(measured: TestImage[], testDir: string, root = '.'): TestSetReport {
  const manifestFile = join(root, MANIFEST_PATH);
  const manifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as { testSet?: { count: number; sha256: string } }) : {};
  const documented = manifest.testSet ?? null;
  const complete = measured.every((e) => e.sha256 && e.crop);
  const sha256 = complete ? testSetDigest(measured.map((e) => ({ id: e.id, sha256: e.sha256!, crop: e.crop! }))) : null;
  const isDocumented = sha256 !== null && documented !== null && sha256 === documented.sha256;
  const what = `${measured.length} held-out photo${measured.length === 1 ? '' : 's'} (${testDir}), sha256 ${sha256 ? sha256.slice(0, 16) : 'unknown'}`;
  const verdict = isDocumented
    ? `the documented test set of ${MANIFEST_PATH}`
    : sha256 === null
      ? `not identifiable: ${testDir}/index.json predates the test-set digest; rebuild it with \`/usr/bin/python3 models/training/fredsr_data.py\``
      : `NOT the documented test set (${MANIFEST_PATH}: ${documented ? `${documented.count} photos, sha256 ${documented.sha256.slice(0, 16)}` : 'no testSet'}); figures are not comparable with FREDSR.md`;
  return { count: measured.length, sha256, documented, isDocumented, line: `${what} — ${verdict}` };
}
