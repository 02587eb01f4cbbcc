/** The committed assets: sizes, integrity, provenance; loaders in Node and via DecompressionStream. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzip } from '../../src/engine/data/gzip';
import {
  CLASSES,
  PHOTO_KINDS,
  loadSynthBanks,
  parseFmnb,
  parseIdxItems,
  type BackgroundManifest,
} from '../../src/engine/synth';
import { ASSETS, loadTestBanks } from './banks';

const FMNIST = '/usr/share/datasets/fashion-mnist';

describe('assets', () => {
  it('stay small (under 15 MB together) and are documented', () => {
    const total = readdirSync(ASSETS).reduce((s, f) => s + statSync(join(ASSETS, f)).size, 0);
    expect(total).toBeLessThan(15e6);
    const prov = readFileSync(join(ASSETS, 'PROVENANCE.md'), 'utf8');
    for (const f of ['fmnist-test.bin.gz', 'backgrounds.bin.gz', 'backgrounds.json', 'build_synth_assets.py']) expect(prov).toContain(f);
  });

  it('the item bank holds the 10k Fashion-MNIST test items, 1000 per class', () => {
    const { items } = loadTestBanks();
    const t = items.test!;
    expect([t.count, t.rows, t.cols]).toEqual([10000, 28, 28]);
    expect(t.byClass.map((c) => c.length)).toEqual(CLASSES.map(() => 1000));
  });

  it.skipIf(!existsSync(join(FMNIST, 't10k-images-idx3-ubyte.gz')))('matches the Debian package byte for byte', () => {
    const deb = parseIdxItems(
      new Uint8Array(gunzipSync(readFileSync(join(FMNIST, 't10k-images-idx3-ubyte.gz')))),
      new Uint8Array(gunzipSync(readFileSync(join(FMNIST, 't10k-labels-idx1-ubyte.gz')))),
    );
    const ours = loadTestBanks().items.test!;
    expect(Buffer.from(ours.images).equals(Buffer.from(deb.images))).toBe(true);
    expect(Buffer.from(ours.labels).equals(Buffer.from(deb.labels))).toBe(true);
  });

  it('background crops match their manifest: checksum, kinds, provenance per crop', () => {
    const manifest = JSON.parse(readFileSync(join(ASSETS, 'backgrounds.json'), 'utf8')) as BackgroundManifest;
    const raw = gunzipSync(readFileSync(join(ASSETS, 'backgrounds.bin.gz')));
    expect(createHash('sha256').update(raw).digest('hex')).toBe(manifest.sha256Raw);
    expect(raw.length).toBe(manifest.count * 96 * 96 * 3);
    const { backgrounds } = loadTestBanks();
    for (const k of PHOTO_KINDS) expect(backgrounds.byKind[k].length).toBeGreaterThanOrEqual(40);
    for (const c of manifest.crops) {
      expect(c.package).toMatch(/^[a-z0-9.+-]+$/);
      expect(c.file).toMatch(/^\/usr\/share\//);
      expect(c.licence.length).toBeGreaterThan(3);
      const [x0, y0, x1, y1] = c.box;
      expect(x1 - x0).toBe(y1 - y0);
      expect(x1 - x0).toBeGreaterThan(96);
    }
    expect(new Set(manifest.crops.map((c) => c.source)).size).toBeGreaterThanOrEqual(30);
  });

  it('loads through injected I/O with DecompressionStream (the browser path) to the same banks', async () => {
    const banks = await loadSynthBanks({ read: async (name) => new Uint8Array(readFileSync(join(ASSETS, name))), gunzip });
    const ref = loadTestBanks();
    expect(Buffer.from(banks.items.test!.images).equals(Buffer.from(ref.items.test!.images))).toBe(true);
    expect(Buffer.from(banks.backgrounds.pixels).equals(Buffer.from(ref.backgrounds.pixels))).toBe(true);
    expect(banks.items.train).toBeUndefined();
  });

  it('rejects bytes that are not a bank', () => {
    expect(() => parseFmnb(new Uint8Array(32))).toThrow(/FMNB/);
    expect(() => parseIdxItems(new Uint8Array(16), new Uint8Array(16))).toThrow(/IDX/);
  });
});
