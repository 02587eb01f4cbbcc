/**
 * NumPy .npy (format version 1.0) for one float32 tensor: the magic string, a little-endian
 * header length, the header dict (descr '<f4', C order, shape) padded with spaces to a multiple
 * of 64 bytes and ended by '\n', then the data in C order.
 */
import type { TensorF32 } from '../engine/types';

const MAGIC = [0x93, ...'NUMPY'].map((c) => (typeof c === 'number' ? c : c.charCodeAt(0)));

export function encodeNpy(t: TensorF32): Uint8Array {
  const count = t.dims.reduce((p, d) => p * d, 1);
  if (count !== t.data.length) throw new Error(`A tensor of shape [${t.dims}] needs ${count} values, got ${t.data.length}.`);
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const pre = MAGIC.length + 2 + 2; // magic, version, header length
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header.padEnd(total - pre - 1, ' ') + '\n';
  if (header.length > 0xffff) throw new Error('The .npy header is too long for format 1.0.');
  const out = new Uint8Array(total + count * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[pre + i] = header.charCodeAt(i);
  const view = new DataView(out.buffer, total);
  for (let i = 0; i < count; i++) view.setFloat32(i * 4, t.data[i], true);
  return out;
}
