/**
 * Training data for the synthetic units' attribute detector (models/training/synthetic_units.py):
 * scene-world scenes with their item alpha masks and attributes, which the shards do not keep.
 *
 *   npx tsx scripts/synthetic-units-data.ts [--out data/synthetic-units] [--train 12000] [--test 2000]
 *
 * Train scenes are the first N of the balanced train shard (seed 1, Fashion-MNIST train items from
 * the Debian package); test scenes are the first N of the balanced test shard (= the lab's
 * built-in `scenes-test` dataset). Writes <split>.u8 (N×64×64×3), <split>.mask.u8 (N×64×64 item
 * alpha 0-255) and <split>.json (per-scene class, colour, texture and background-kind indices).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { generateScenes, type DatasetOptions } from '../src/engine/data/shards';
import { parseBackgrounds, parseFmnb, parseIdxItems, type BackgroundManifest, type SynthBanks } from '../src/engine/synth/banks';
import { BACKGROUND_KINDS, CLASSES, COLORS, TEXTURES } from '../src/engine/synth/vocabulary';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ASSETS = join(ROOT, 'assets');
const FMNIST_DIR = '/usr/share/datasets/fashion-mnist';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function loadBanks(): SynthBanks {
  const test = parseFmnb(new Uint8Array(gunzipSync(readFileSync(join(ASSETS, 'fmnist-test.bin.gz')))));
  const manifest = JSON.parse(readFileSync(join(ASSETS, 'backgrounds.json'), 'utf8')) as BackgroundManifest;
  const backgrounds = parseBackgrounds(new Uint8Array(gunzipSync(readFileSync(join(ASSETS, 'backgrounds.bin.gz')))), manifest);
  const images = join(FMNIST_DIR, 'train-images-idx3-ubyte.gz');
  const labels = join(FMNIST_DIR, 'train-labels-idx1-ubyte.gz');
  if (!existsSync(images)) throw new Error(`${images} is missing: apt-get install dataset-fashion-mnist`);
  const train = parseIdxItems(new Uint8Array(gunzipSync(readFileSync(images))), new Uint8Array(gunzipSync(readFileSync(labels))));
  return { items: { test, train }, backgrounds };
}

function writeSplit(out: string, name: string, o: DatasetOptions, banks: SynthBanks): void {
  const n = o.count ?? 0;
  const pixels = new Uint8Array(n * 64 * 64 * 3);
  const masks = new Uint8Array(n * 64 * 64);
  const cls: number[] = [];
  const color: number[] = [];
  const texture: number[] = [];
  const background: number[] = [];
  for (const s of generateScenes(o, banks, 0, n)) {
    pixels.set(s.pixels, s.index * 64 * 64 * 3);
    masks.set(s.mask, s.index * 64 * 64);
    const a = s.attributes;
    cls.push(a.classIndex);
    color.push(COLORS.indexOf(a.color));
    texture.push(TEXTURES.indexOf(a.texture));
    background.push(BACKGROUND_KINDS.indexOf(a.background.kind));
  }
  writeFileSync(join(out, `${name}.u8`), pixels);
  writeFileSync(join(out, `${name}.mask.u8`), masks);
  const sha256 = createHash('sha256').update(pixels).digest('hex');
  const index = { count: n, options: o, sha256, classes: CLASSES, colors: COLORS, textures: TEXTURES, backgroundKinds: BACKGROUND_KINDS, class: cls, color, texture, background };
  writeFileSync(join(out, `${name}.json`), JSON.stringify(index));
  console.log(`${name}: ${n} scenes, sha256 ${sha256}`);
}

const out = resolve(arg('--out', join(ROOT, 'data/synthetic-units')));
mkdirSync(out, { recursive: true });
const banks = loadBanks();
writeSplit(out, 'train', { split: 'train', variant: 'balanced', seed: 1, count: Number(arg('--train', '12000')) }, banks);
writeSplit(out, 'test', { split: 'test', variant: 'balanced', seed: 1, count: Number(arg('--test', '2000')) }, banks);
