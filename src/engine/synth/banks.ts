/**
 * Item and background banks, parsed from already-decompressed bytes (the caller gunzips: zlib
 * in Node, DecompressionStream in the browser; see src/engine/data/gzip.ts).
 *
 * Item bank formats:
 *  - FMNB (assets/fmnist-test.bin.gz after gunzip): 'FMNB', u32le version=1, count, rows, cols,
 *    then `count` label bytes, then count·rows·cols image bytes.
 *  - IDX (the Debian package's train/t10k-*-ubyte files after gunzip): images idx3 + labels idx1.
 * Background bank: N×96×96×3 uint8 (assets/backgrounds.bin.gz after gunzip) + backgrounds.json.
 */
import type { ItemSplit } from './spec';
import { CLASSES, PHOTO_KINDS, isPhotoKind, type PhotoKind } from './vocabulary';

export interface ItemBank {
  count: number;
  rows: number;
  cols: number;
  /** Label per item (0-9, index into CLASSES). */
  labels: Uint8Array;
  /** count·rows·cols grey levels, item-major. */
  images: Uint8Array;
  /** Item indices of each class, ascending. */
  byClass: number[][];
}

export interface CropInfo {
  id: number;
  source: number;
  kind: PhotoKind;
  package: string;
  file: string;
  licence: string;
  /** Source-image box [x0, y0, x1, y1] the crop was resampled from. */
  box: [number, number, number, number];
}

export interface BackgroundManifest {
  version: number;
  count: number;
  height: number;
  width: number;
  channels: number;
  sha256Raw: string;
  kinds: Record<string, string>;
  crops: CropInfo[];
  sources: unknown[];
}

export interface BackgroundBank {
  count: number;
  /** Crop side (96). */
  size: number;
  /** count·size·size·3 uint8, NHWC. */
  pixels: Uint8Array;
  crops: CropInfo[];
  byKind: Record<PhotoKind, number[]>;
  manifest: BackgroundManifest;
}

export interface SynthBanks {
  items: { train?: ItemBank; test?: ItemBank };
  backgrounds: BackgroundBank;
}

function indexByClass(labels: Uint8Array): number[][] {
  const by: number[][] = CLASSES.map(() => []);
  labels.forEach((l, i) => {
    if (l >= CLASSES.length) throw new Error(`Item ${i} has label ${l}, outside 0-9.`);
    by[l].push(i);
  });
  return by;
}

function makeItemBank(count: number, rows: number, cols: number, labels: Uint8Array, images: Uint8Array): ItemBank {
  if (labels.length !== count || images.length !== count * rows * cols) {
    throw new Error(`Item bank sizes disagree: ${count} items, ${labels.length} labels, ${images.length} image bytes.`);
  }
  return { count, rows, cols, labels, images, byClass: indexByClass(labels) };
}

/** Parses the FMNB container (assets/fmnist-test.bin.gz, decompressed). */
export function parseFmnb(bytes: Uint8Array): ItemBank {
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (bytes.length < 20 || magic !== 'FMNB') throw new Error('Not an FMNB item bank (bad magic); was it decompressed?');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== 1) throw new Error(`FMNB version ${version} is not supported.`);
  const count = dv.getUint32(8, true);
  const rows = dv.getUint32(12, true);
  const cols = dv.getUint32(16, true);
  const labels = bytes.subarray(20, 20 + count);
  const images = bytes.subarray(20 + count, 20 + count + count * rows * cols);
  return makeItemBank(count, rows, cols, labels, images);
}

function parseIdx(bytes: Uint8Array, what: string): { dims: number[]; data: Uint8Array } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || dv.getUint16(0, false) !== 0 || bytes[2] !== 0x08) {
    throw new Error(`${what} is not an IDX uint8 file (was it decompressed?).`);
  }
  const ndim = bytes[3];
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(dv.getUint32(4 + 4 * i, false));
  const start = 4 + 4 * ndim;
  const n = dims.reduce((a, b) => a * b, 1);
  if (bytes.length < start + n) throw new Error(`${what} is truncated.`);
  return { dims, data: bytes.subarray(start, start + n) };
}

/** Parses the IDX pair of Fashion-MNIST (images idx3, labels idx1), both decompressed. */
export function parseIdxItems(images: Uint8Array, labels: Uint8Array): ItemBank {
  const im = parseIdx(images, 'images');
  const lb = parseIdx(labels, 'labels');
  if (im.dims.length !== 3 || lb.dims.length !== 1 || im.dims[0] !== lb.dims[0]) {
    throw new Error(`IDX shapes do not fit: images ${im.dims.join('x')}, labels ${lb.dims.join('x')}.`);
  }
  return makeItemBank(im.dims[0], im.dims[1], im.dims[2], lb.data, im.data);
}

/** Builds the background bank from the decompressed crop bytes and the parsed manifest. */
export function parseBackgrounds(pixels: Uint8Array, manifest: BackgroundManifest): BackgroundBank {
  const { count, height, width, channels } = manifest;
  if (height !== width || channels !== 3) throw new Error('Background crops must be square RGB.');
  if (pixels.length !== count * height * width * 3) {
    throw new Error(`Background bank has ${pixels.length} bytes, manifest says ${count}×${height}×${width}×3.`);
  }
  if (manifest.crops.length !== count) throw new Error('Background manifest lists a different number of crops.');
  const byKind = Object.fromEntries(PHOTO_KINDS.map((k) => [k, [] as number[]])) as Record<PhotoKind, number[]>;
  manifest.crops.forEach((c, i) => {
    if (c.id !== i) throw new Error(`Background crop ${i} has id ${c.id}.`);
    if (!isPhotoKind(c.kind)) throw new Error(`Background crop ${i} has unknown kind "${String(c.kind)}".`);
    byKind[c.kind].push(i);
  });
  for (const k of PHOTO_KINDS) if (byKind[k].length === 0) throw new Error(`No background crop of kind "${k}".`);
  return { count, size: height, pixels, crops: manifest.crops, byKind, manifest };
}

export function itemBank(banks: SynthBanks, split: ItemSplit): ItemBank {
  const b = banks.items[split];
  if (!b) {
    throw new Error(
      split === 'train'
        ? 'The Fashion-MNIST train items are not loaded (they come from the Debian package dataset-fashion-mnist).'
        : 'The Fashion-MNIST test items are not loaded (assets/fmnist-test.bin.gz).',
    );
  }
  return b;
}

/** File names of the committed assets, relative to the assets folder. */
export const ASSET_FILES = {
  itemsTest: 'fmnist-test.bin.gz',
  backgrounds: 'backgrounds.bin.gz',
  backgroundsManifest: 'backgrounds.json',
} as const;

/**
 * Loads the committed assets through injected I/O: `read(name)` returns a file's bytes (fetch in
 * the browser, fs in Node) and `gunzip` decompresses (DecompressionStream or zlib). The train
 * items are optional and given as already-parsed bank (see parseIdxItems).
 */
export async function loadSynthBanks(io: {
  read: (name: string) => Promise<Uint8Array>;
  gunzip: (gz: Uint8Array) => Promise<Uint8Array>;
  train?: ItemBank;
}): Promise<SynthBanks> {
  const [items, bg, manifestBytes] = await Promise.all([
    io.read(ASSET_FILES.itemsTest).then(io.gunzip),
    io.read(ASSET_FILES.backgrounds).then(io.gunzip),
    io.read(ASSET_FILES.backgroundsManifest),
  ]);
  const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as BackgroundManifest;
  return { items: { test: parseFmnb(items), train: io.train }, backgrounds: parseBackgrounds(bg, manifest) };
}
