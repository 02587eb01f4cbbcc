/** Loads the committed synth assets in Node (fs + zlib) for the tests. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseBackgrounds, parseFmnb, type BackgroundManifest, type SynthBanks } from '../../src/engine/synth/banks';

export const ASSETS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets');

let cached: SynthBanks | null = null;

/**
 * Test and background banks from assets/. The tests stand the test items in for the train bank
 * too (the train split lives in a Debian package, not in the repository).
 */
export function loadTestBanks(): SynthBanks {
  if (cached) return cached;
  const test = parseFmnb(new Uint8Array(gunzipSync(readFileSync(join(ASSETS, 'fmnist-test.bin.gz')))));
  const manifest = JSON.parse(readFileSync(join(ASSETS, 'backgrounds.json'), 'utf8')) as BackgroundManifest;
  const bg = new Uint8Array(gunzipSync(readFileSync(join(ASSETS, 'backgrounds.bin.gz'))));
  cached = { items: { test, train: test }, backgrounds: parseBackgrounds(bg, manifest) };
  return cached;
}
