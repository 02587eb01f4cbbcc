/**
 * A local folder's files, with paths relative to the folder, from each way the browser hands
 * them over: the directory picker (showDirectoryPicker), <input type=file webkitdirectory>, or a
 * drop of a folder or of loose files.
 */
import { stripRoot } from '../../engine/data/folder';

export interface PickedFolder {
  name: string;
  files: Array<{ path: string; file: File }>;
}

/** The File System Access API's directory handle, as far as we use it (not in TypeScript's DOM lib everywhere). */
interface DirHandle {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<DirHandle | { kind: 'file'; name: string; getFile(): Promise<File> }>;
}

export function hasDirectoryPicker(): boolean {
  return typeof (window as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker === 'function';
}

async function walkHandle(dir: DirHandle, prefix: string, out: PickedFolder['files']): Promise<void> {
  for await (const entry of dir.values()) {
    if (entry.kind === 'directory') await walkHandle(entry, `${prefix}${entry.name}/`, out);
    else out.push({ path: `${prefix}${entry.name}`, file: await entry.getFile() });
  }
}

/** Asks for a folder with the directory picker; null when the user cancels. */
export async function pickDirectory(): Promise<PickedFolder | null> {
  let dir: DirHandle;
  try {
    dir = await (window as unknown as { showDirectoryPicker(o?: object): Promise<DirHandle> }).showDirectoryPicker({ mode: 'read' });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') return null;
    throw err;
  }
  const files: PickedFolder['files'] = [];
  await walkHandle(dir, '', files);
  return { name: dir.name, files };
}

/** Files of <input webkitdirectory> (webkitRelativePath "folder/sub/x.png") or of a plain multiple input. */
export function fromFileList(list: FileList | File[]): PickedFolder {
  const files = Array.from(list);
  const rel = files[0]?.webkitRelativePath ?? '';
  const name = rel.includes('/') ? rel.split('/')[0] : 'files';
  return { name, files: files.map((file) => ({ path: file.webkitRelativePath ? stripRoot(file.webkitRelativePath) : file.name, file })) };
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((ok, fail) => reader.readEntries(ok, fail));
}

async function walkEntry(entry: FileSystemEntry, out: PickedFolder['files'], root: string): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail));
    out.push({ path: root ? stripRoot(entry.fullPath) : entry.fullPath.replace(/^\//, ''), file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in chunks (100 in Chromium) until it returns none.
  for (let batch = await readEntries(reader); batch.length; batch = await readEntries(reader)) {
    for (const e of batch) await walkEntry(e, out, root);
  }
}

/** A drop: one folder (walked), or loose files (a folder named "dropped files"). */
export async function fromDrop(data: DataTransfer): Promise<PickedFolder | null> {
  const entries = Array.from(data.items)
    .map((it) => (it.kind === 'file' ? it.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  const dirs = entries.filter((e) => e.isDirectory);
  if (dirs.length === 1 && entries.length === 1) {
    const files: PickedFolder['files'] = [];
    await walkEntry(dirs[0], files, dirs[0].name);
    return { name: dirs[0].name, files };
  }
  const loose = Array.from(data.files);
  if (loose.length === 0) return null;
  return { name: 'dropped files', files: loose.map((file) => ({ path: file.name, file })) };
}
