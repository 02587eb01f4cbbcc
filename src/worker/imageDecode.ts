/**
 * The worker's image decoder for image datasets: the browser's own decoders (createImageBitmap,
 * OffscreenCanvas) through src/ui/decodeImage.ts, which also refuses images over 40 megapixels.
 */
import type { ImageDecoder } from '../engine/data/imageDataset';
import { decodeImage } from '../ui/decodeImage';

export const workerDecode: ImageDecoder = async (bytes, name) => {
  try {
    return await decodeImage(new Blob([bytes as Uint8Array<ArrayBuffer>]), { name });
  } catch (err) {
    // The dataset lists the reason beside the file's name.
    throw new Error(err instanceof Error ? err.message : String(err));
  }
};
