/**
 * Writes the scene-world dataset shards (train + test, balanced and/or spurious) into data/.
 *
 *   npx tsx scripts/data.ts [--out data/] [--variant balanced|spurious|all] [--seed 1]
 *                           [--train-count 60000] [--test-count 10000] [--preview DIR]
 *
 * Test items come from assets/fmnist-test.bin.gz (committed); train items from the Debian package
 * dataset-fashion-mnist (not committed). Each shard is <name>.u8 (N×64×64×3 uint8) + <name>.json.
 * --preview DIR also writes an 8×8 PNG grid of the first 64 scenes of each shard.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import {
  datasetCount,
  encodeShardIndex,
  generateScenes,
  makeShardIndex,
  shardName,
  type DatasetOptions,
  type DatasetVariant,
} from '../src/engine/data/shards';
import { parseBackgrounds, parseFmnb, parseIdxItems, type BackgroundManifest, type SynthBanks } from '../src/engine/synth/banks';
import { SPURIOUS_MAP } from '../src/engine/synth/policy';
import type { SceneAttributes } from '../src/engine/synth/spec';
import type { ItemSplit } from '../src/engine/synth/spec';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ASSETS = join(ROOT, 'assets');
const FMNIST_DIR = '/usr/share/datasets/fashion-mnist';
const SCENE_BYTES = 64 * 64 * 3;
const CHUNK = 1024;

interface Args {
  out: string;
  variants: DatasetVariant[];
  seed: number;
  trainCount?: number;
  testCount?: number;
  preview?: string;
}

function usage(msg?: string): never {
  if (msg) console.error(`error: ${msg}`);
  console.error(
    'usage: npx tsx scripts/data.ts [--out data/] [--variant balanced|spurious|all] [--seed N] ' +
      '[--train-count N] [--test-count N] [--preview DIR]',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { out: join(ROOT, 'data'), variants: ['balanced', 'spurious'], seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    const need = (): string => {
      if (v === undefined) usage(`${k} needs a value`);
      i++;
      return v;
    };
    const int = (s: string): number => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) usage(`${k} wants a non-negative integer, got "${s}"`);
      return n;
    };
    if (k === '--out') a.out = resolve(need());
    else if (k === '--variant') {
      const s = need();
      if (s === 'all') a.variants = ['balanced', 'spurious'];
      else if (s === 'balanced' || s === 'spurious') a.variants = [s];
      else usage(`--variant is balanced, spurious or all, not "${s}"`);
    } else if (k === '--seed') a.seed = int(need());
    else if (k === '--train-count') a.trainCount = int(need());
    else if (k === '--test-count') a.testCount = int(need());
    else if (k === '--preview') a.preview = resolve(need());
    else if (k === '--help' || k === '-h') usage();
    else usage(`unknown argument "${k}"`);
  }
  return a;
}

function loadBanks(needTrain: boolean): SynthBanks {
  const test = parseFmnb(new Uint8Array(gunzipSync(readFileSync(join(ASSETS, 'fmnist-test.bin.gz')))));
  const manifest = JSON.parse(readFileSync(join(ASSETS, 'backgrounds.json'), 'utf8')) as BackgroundManifest;
  const backgrounds = parseBackgrounds(new Uint8Array(gunzipSync(readFileSync(join(ASSETS, 'backgrounds.bin.gz')))), manifest);
  const banks: SynthBanks = { items: { test }, backgrounds };
  if (needTrain) {
    const images = join(FMNIST_DIR, 'train-images-idx3-ubyte.gz');
    const labels = join(FMNIST_DIR, 'train-labels-idx1-ubyte.gz');
    if (!existsSync(images) || !existsSync(labels)) {
      console.error(
        `The Fashion-MNIST train split is not installed (${images}).\n` +
          'Install it with:  apt-get install dataset-fashion-mnist\n' +
          '(or pass --train-count 0 to write the test shards only)',
      );
      process.exit(1);
    }
    banks.items.train = parseIdxItems(new Uint8Array(gunzipSync(readFileSync(images))), new Uint8Array(gunzipSync(readFileSync(labels))));
  }
  return banks;
}

function writePreview(file: string, scenes: Uint8Array[]): void {
  const cols = 8;
  const up = 2;
  const cell = 64 * up + 2;
  const rows = Math.ceil(scenes.length / cols);
  const W = cols * cell + 2;
  const H = rows * cell + 2;
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  scenes.forEach((im, k) => {
    const ox = 2 + (k % cols) * cell;
    const oy = 2 + Math.floor(k / cols) * cell;
    for (let y = 0; y < 64 * up; y++)
      for (let x = 0; x < 64 * up; x++) {
        const s = (Math.floor(y / up) * 64 + Math.floor(x / up)) * 3;
        const d = ((oy + y) * W + ox + x) * 4;
        png.data[d] = im[s];
        png.data[d + 1] = im[s + 1];
        png.data[d + 2] = im[s + 2];
      }
  });
  writeFileSync(file, PNG.sync.write(png));
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function writeShard(o: DatasetOptions, banks: SynthBanks, args: Args): void {
  const name = shardName(o);
  const n = datasetCount(o, banks);
  const u8Path = join(args.out, `${name}.u8`);
  const jsonPath = join(args.out, `${name}.json`);
  const t0 = performance.now();
  const fd = openSync(u8Path, 'w');
  const hash = createHash('sha256');
  const attributes: SceneAttributes[] = [];
  const preview: Uint8Array[] = [];
  const buf = new Uint8Array(CHUNK * SCENE_BYTES);
  let filled = 0;
  const flush = (): void => {
    const part = buf.subarray(0, filled * SCENE_BYTES);
    hash.update(part);
    writeSync(fd, part);
    filled = 0;
  };
  try {
    for (const s of generateScenes(o, banks, 0, n)) {
      buf.set(s.pixels, filled * SCENE_BYTES);
      filled++;
      attributes.push(s.attributes);
      if (args.preview && preview.length < 64) preview.push(s.pixels);
      if (filled === CHUNK) flush();
    }
    if (filled > 0) flush();
  } finally {
    closeSync(fd);
  }
  const index = makeShardIndex(o, attributes, banks);
  index.sha256 = hash.digest('hex');
  writeFileSync(jsonPath, encodeShardIndex(index));
  const dt = (performance.now() - t0) / 1000;
  let note = '';
  if (o.split === 'train' && o.variant === 'spurious') {
    const onMap = attributes.filter((a) => a.background.kind === SPURIOUS_MAP[a.class]).length;
    note = `, ${((100 * onMap) / Math.max(1, n)).toFixed(1)}% on the paired background`;
  }
  console.log(
    `${name}: ${n} scenes in ${dt.toFixed(1)} s (${Math.round(n / Math.max(dt, 1e-9))} scenes/s), ` +
      `${mb(statSync(u8Path).size)} + ${mb(statSync(jsonPath).size)} json${note}`,
  );
  if (args.preview && preview.length > 0) {
    const file = join(args.preview, `${name}.png`);
    writePreview(file, preview);
    console.log(`  preview ${file}`);
  }
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const splits: ItemSplit[] = args.trainCount === 0 ? ['test'] : ['train', 'test'];
  const t0 = performance.now();
  const banks = loadBanks(splits.includes('train'));
  mkdirSync(args.out, { recursive: true });
  if (args.preview) mkdirSync(args.preview, { recursive: true });
  console.log(`banks loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s; writing to ${args.out}`);
  for (const variant of args.variants)
    for (const split of splits) {
      const count = split === 'train' ? args.trainCount : args.testCount;
      if (count === 0) continue;
      writeShard({ split, variant, seed: args.seed, count }, banks, args);
    }
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main();
