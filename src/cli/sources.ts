/** Datasets on disk as ImageSources for the CLI: an image folder, or a shard (.json + .u8). */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findDataset, loadBanks, openDataset } from '../engine/data/datasets';
import { parseShard, shardImage } from '../engine/data/shards';
import { LabError } from '../engine/errors';
import type { ImageSource } from '../engine/exemplars/indexer';
import { decodeImageFile } from './decode';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

export interface DiskSource extends ImageSource {
  /** A name per image (file name, or "#i class" for shards). */
  names: string[];
  /** Labels per image when the dataset has them. */
  labels: Array<string | null>;
  /** Decode failures: file → reason. */
  failures: Map<string, string>;
  /** The dataset's sha256 as the tab computes it (index files carry it), when known. */
  sha256?: string;
}

export function folderSource(dir: string): DiskSource {
  const files = readdirSync(dir)
    .filter((f) => IMAGE_EXT.has(extname(f).toLowerCase()))
    .sort();
  if (files.length === 0) throw new LabError('bad-request', `${dir} holds no .png or .jpg images.`);
  const failures = new Map<string, string>();
  return {
    id: `folder:${dir}`,
    count: files.length,
    names: files,
    labels: files.map(() => null),
    failures,
    async load(start, end) {
      return files.slice(start, end).map((f) => {
        try {
          return decodeImageFile(join(dir, f));
        } catch (err) {
          failures.set(f, err instanceof Error ? err.message : String(err));
          return null;
        }
      });
    },
  };
}

/** A shard written by `npm run data`: NAME.json beside NAME.u8. */
export function shardSource(jsonPath: string): DiskSource {
  const pixelsPath = jsonPath.replace(/\.json$/, '.u8');
  const shard = parseShard(readFileSync(jsonPath, 'utf8'), new Uint8Array(readFileSync(pixelsPath)));
  const { index } = shard;
  const labels = index.attributes.map((a) => (a as { class?: string }).class ?? null);
  return {
    id: `shard:${index.name}:${index.seed}`,
    // The .u8 bytes: the same hash as the built-in dataset generated from the same options.
    sha256: createHash('sha256').update(shard.pixels).digest('hex'),
    count: index.count,
    names: labels.map((l, i) => `#${i}${l ? ` ${l}` : ''}`),
    labels,
    failures: new Map(),
    async load(start, end) {
      const out = [];
      for (let i = start; i < end; i++) out.push({ width: index.width, height: index.height, channels: 3 as const, data: shardImage(shard, i) });
      return out;
    },
  };
}

/** A built-in dataset (e.g. "scenes-test"), generated from the committed assets/. */
export async function builtinSource(id: string): Promise<DiskSource> {
  const assets = fileURLToPath(new URL('../../assets/', import.meta.url));
  const banks = await loadBanks(async (name) => new Uint8Array(readFileSync(join(assets, name))));
  const dataset = await openDataset(id, banks);
  const labels = Array.from({ length: dataset.count }, (_, i) => dataset.scene(i).attributes.class);
  return {
    id: `builtin:${id}:${dataset.info.sha256.slice(0, 12)}`,
    sha256: dataset.info.sha256,
    count: dataset.count,
    names: labels.map((l, i) => `#${i} ${l}`),
    labels,
    failures: new Map(),
    async load(start, end) {
      return Array.from({ length: end - start }, (_, i) => dataset.image(start + i));
    },
  };
}

/** A dataset argument: a built-in id, a folder of images, or a shard index. */
export async function datasetSource(arg: string): Promise<DiskSource> {
  return findDataset(arg) ? builtinSource(arg) : diskSource(arg);
}

export function diskSource(path: string): DiskSource {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new LabError('bad-request', `No dataset at ${path}.`);
  }
  if (isDir) return folderSource(path);
  if (path.endsWith('.json')) return shardSource(path);
  throw new LabError('bad-request', `${path}: a dataset is a folder of images or a shard index (.json beside its .u8).`);
}
