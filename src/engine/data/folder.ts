/**
 * A local folder of images as dataset entries, the same way in the tab (directory picker,
 * <input webkitdirectory>, drop) and in the CLI: image files by extension, named by their path
 * relative to the folder ("/"-separated), sorted by that name; an image in a subfolder takes the
 * subfolder's name as its label (the torchvision ImageFolder convention).
 */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp'] as const;

export function isImageName(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base.startsWith('.')) return false; // hidden files, macOS "._x.png" resource forks
  const dot = base.lastIndexOf('.');
  return dot > 0 && (IMAGE_EXTENSIONS as readonly string[]).includes(base.slice(dot).toLowerCase());
}

/** The label of an image at a relative path: its innermost folder's name, or null at the top. */
export function labelFromPath(path: string): string | null {
  const parts = path.split('/').filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2] : null;
}

/** Drops the picked folder's own name from a browser path ("pets/cat/1.png" → "cat/1.png"). */
export function stripRoot(path: string): string {
  const parts = path.replace(/^\/+/, '').split('/');
  return parts.length > 1 ? parts.slice(1).join('/') : parts[0];
}

/** Code-point order, the same in every runtime (localeCompare is not). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The image files among `paths` (relative to the folder), sorted, each with its label. Anything
 * else (READMEs, hidden files) is left out, not reported: a folder of photos has such files.
 */
export function folderEntries<T extends { path: string }>(files: readonly T[]): Array<T & { label: string | null }> {
  return files
    .filter((f) => isImageName(f.path))
    .sort((a, b) => compareNames(a.path, b.path))
    .map((f) => ({ ...f, label: labelFromPath(f.path) }));
}
