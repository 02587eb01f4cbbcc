/**
 * A cheap look at the first bytes of a supposed ONNX file, to name common mistakes before the
 * engine parses it: an HTML page, a PyTorch/zip checkpoint, JSON, an empty file.
 * ONNX files are protobuf; their first byte is a field tag, never '<' or '{' or 'P','K'.
 */
export type SniffResult = { ok: true } | { ok: false; kind: 'empty' | 'html' | 'zip' | 'json' | 'text'; what: string };

export function sniffModelBytes(head: Uint8Array): SniffResult {
  if (head.length === 0) return { ok: false, kind: 'empty', what: 'an empty file' };
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return { ok: false, kind: 'zip', what: 'a zip archive (a PyTorch .pt/.pth checkpoint is one)' };
  }
  const text = new TextDecoder('utf-8', { fatal: false })
    .decode(head.subarray(0, Math.min(head.length, 256)))
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (text.startsWith('<!doctype') || text.startsWith('<html') || text.startsWith('<?xml') || text.startsWith('<head') || text.startsWith('<body')) {
    return { ok: false, kind: 'html', what: 'a web page (HTML), not a model' };
  }
  if (text.startsWith('{') || text.startsWith('[')) {
    return { ok: false, kind: 'json', what: 'a JSON document, not a model' };
  }
  if (text.startsWith('version https://git-lfs')) {
    return { ok: false, kind: 'text', what: 'a Git LFS pointer file, not the model itself' };
  }
  return { ok: true };
}
