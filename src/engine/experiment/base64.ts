/** base64 of bytes and back, with atob/btoa (Node ≥ 16 and every browser and worker have them). */
// A multiple of 3, so no chunk but the last is padded.
const CHUNK = 3 * 8192;

export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    out += btoa(String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + CHUNK))));
  }
  return out;
}

/** Throws on text that is not base64 (atob's own check, plus length: atob accepts missing padding). */
export function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error('base64 length is not a multiple of 4');
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
