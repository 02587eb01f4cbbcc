/**
 * Reads a fetch Response's body as a stream into one buffer, with progress, cancellation and a
 * size limit. With a known length the bytes land in one buffer allocated up front, so a large
 * download holds one copy, never its chunks and their concatenation at once.
 */
import { LabError } from '../errors';

export interface ReadBodyOptions {
  maxBytes: number;
  /** The length the server declared (uncompressed), or null. */
  total: number | null;
  signal?: AbortSignal;
  onProgress?: (received: number, total: number | null) => void;
}

/** Thrown past `maxBytes` (with the bytes seen so far, or the declared total). */
export class BodyTooLarge extends Error {
  constructor(readonly bytes: number | null) {
    super('too large');
    this.name = 'BodyTooLarge';
  }
}

export async function readBody(res: Response, { maxBytes, total, signal, onProgress }: ReadBodyOptions): Promise<Uint8Array> {
  if (total !== null && total > maxBytes) {
    void res.body?.cancel().catch(() => {});
    throw new BodyTooLarge(total);
  }
  if (!res.body) {
    const buf = new Uint8Array(await res.arrayBuffer());
    if (buf.byteLength > maxBytes) throw new BodyTooLarge(buf.byteLength);
    return buf;
  }
  const reader = res.body.getReader();
  let out: Uint8Array | null = total !== null ? new Uint8Array(total) : null;
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    if (signal?.aborted) {
      void reader.cancel().catch(() => {});
      throw new LabError('cancelled', 'Cancelled');
    }
    const { done, value } = await reader.read();
    if (done) break;
    if (received + value.byteLength > maxBytes) {
      void reader.cancel().catch(() => {});
      throw new BodyTooLarge(null);
    }
    if (out && received + value.byteLength <= out.byteLength) out.set(value, received);
    else {
      // The server sent more than it declared: keep going in chunks.
      if (out) chunks.push(out.subarray(0, received));
      out = null;
      chunks.push(value);
    }
    received += value.byteLength;
    onProgress?.(received, total);
  }
  if (out) return received === out.byteLength ? out : out.subarray(0, received);
  const whole = new Uint8Array(received);
  let offset = 0;
  for (const c of chunks) {
    whole.set(c, offset);
    offset += c.byteLength;
  }
  return whole;
}
