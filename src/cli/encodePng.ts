/** PNG encoding for the CLI and the tests (pngjs): the counterpart of decode.ts. */
import { PNG } from 'pngjs';
import type { RawImage } from '../engine/types';

/** RGBA (or RGB) pixels as PNG bytes. */
export function encodePng(img: RawImage): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height });
  if (img.channels === 4) png.data.set(img.data);
  else {
    for (let i = 0, n = img.width * img.height; i < n; i++) {
      png.data[i * 4] = img.data[i * 3];
      png.data[i * 4 + 1] = img.data[i * 3 + 1];
      png.data[i * 4 + 2] = img.data[i * 3 + 2];
      png.data[i * 4 + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
