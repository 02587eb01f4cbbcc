/**
 * Folder and manifest datasets for `lab exemplars`, opened exactly as the tab opens them
 * (src/engine/data/imageDataset.ts: same file order, labels, fitting and sha256), so an index
 * file written here imports into the tab over the same folder or manifest.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { folderEntries } from '../engine/data/folder';
import { ImageDataset, type ImageEntry, type ImagePrep } from '../engine/data/imageDataset';
import { parseManifest } from '../engine/data/manifest';
import { LabError } from '../engine/errors';
import { decodeImageBytes } from './decode';
import type { DiskSource } from './sources';

const decode = async (bytes: Uint8Array, name: string) => decodeImageBytes(bytes, name);

/** Every file under `dir`, as "/"-separated paths relative to it. */
function walk(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = join(dir, d.name);
    if (d.isDirectory()) return d.name.startsWith('.') ? [] : walk(full, root);
    return d.isFile() ? [relative(root, full).split(sep).join('/')] : [];
  });
}

export function folderImageEntries(dir: string): ImageEntry[] {
  const entries = folderEntries(walk(dir).map((path) => ({ path })));
  if (entries.length === 0) throw new LabError('bad-request', `${dir} holds no images (.png, .jpg, .jpeg, .gif, .webp, .bmp).`);
  return entries.map((e) => ({ name: e.path, label: e.label, read: async () => new Uint8Array(readFileSync(join(dir, e.path))) }));
}

export function isManifestArg(arg: string): boolean {
  return /^https?:\/\//i.test(arg) || /\.json$/i.test(arg);
}

async function readUrl(url: string): Promise<Uint8Array> {
  if (url.startsWith('file:')) return new Uint8Array(readFileSync(fileURLToPath(url)));
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** A manifest at an http(s) address or a local path; image URLs resolve against it. */
export async function manifestImageEntries(arg: string): Promise<{ entries: ImageEntry[]; address: string }> {
  const address = /^https?:\/\//i.test(arg) ? arg : pathToFileURL(resolve(arg)).href;
  let text: string;
  try {
    text = new TextDecoder().decode(await readUrl(address));
  } catch (err) {
    throw new LabError('bad-request', `Cannot read the manifest ${arg}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const entries = parseManifest(text, address).map((e) => ({ name: e.name, label: e.label, read: () => readUrl(e.url) }));
  return { entries, address };
}

/** Opens a folder (a directory) or a manifest (an address or a .json that is not a shard index) at the model's input size. */
export async function openImageDataset(arg: string, prep: ImagePrep): Promise<ImageDataset> {
  const isDir = !/^https?:\/\//i.test(arg) && statSync(arg, { throwIfNoEntry: false })?.isDirectory() === true;
  if (isDir) {
    const name = resolve(arg).split(sep).pop() ?? arg;
    return ImageDataset.open({ id: `folder:${name}`, title: `Folder ${name}`, description: resolve(arg), origin: 'folder' }, folderImageEntries(arg), prep, decode);
  }
  const { entries, address } = await manifestImageEntries(arg);
  return ImageDataset.open({ id: address, title: `Manifest ${arg}`, description: address, origin: 'manifest' }, entries, prep, decode);
}

/** An opened image dataset as the CLI's source (names, labels, the unreadable files). */
export function imageDiskSource(ds: ImageDataset): DiskSource {
  return {
    ...ds.source(),
    id: ds.info.id,
    sha256: ds.info.sha256,
    names: [...ds.names],
    labels: [...ds.labels],
    failures: new Map(ds.info.bad.map((b) => [b.name, b.reason])),
  };
}
