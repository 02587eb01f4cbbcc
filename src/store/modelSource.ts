/** Where a model came from: a built-in, a local file, or an address. */
export type ModelSource =
  | { kind: 'builtin'; id: string }
  | { kind: 'file'; name: string }
  | { kind: 'url'; url: string };

/** The link's model value for a source: a built-in's id or the address; a local file has none (null). */
export function linkModelKey(source: ModelSource | null): string | null {
  if (!source) return null;
  if (source.kind === 'builtin') return source.id;
  if (source.kind === 'url') return source.url;
  return null;
}

export function sameSource(a: ModelSource | null, b: ModelSource | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === 'builtin' && b.kind === 'builtin') return a.id === b.id;
  if (a.kind === 'file' && b.kind === 'file') return a.name === b.name;
  if (a.kind === 'url' && b.kind === 'url') return a.url === b.url;
  return false;
}

/** The page address relative paths are resolved against (a stand-in under Node). */
export function pageBase(): string {
  if (typeof document !== 'undefined' && document.baseURI) return document.baseURI;
  if (typeof location !== 'undefined') return location.href;
  return 'http://localhost/';
}

/** "https://x.org/a/resnet18.onnx?dl=1" -> "resnet18.onnx". */
export function fileNameOf(url: URL): string {
  const last = url.pathname.split('/').filter(Boolean).pop() ?? '';
  try {
    return decodeURIComponent(last) || url.host || 'model.onnx';
  } catch {
    return last || 'model.onnx';
  }
}
