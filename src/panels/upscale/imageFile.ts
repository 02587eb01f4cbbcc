/** Glue from an image file the researcher gave the Upscale panel (file, paste, drop) to the store. */
import type { RawImage } from '../../engine/types';
import { useLab } from '../../store';
import { decodeImage, ImageDecodeError } from '../../ui/decodeImage';

export type ImageRole = 'lr' | 'hr' | 'truth';

async function decode(file: Blob | string, name: string): Promise<RawImage | null> {
  try {
    return await decodeImage(file, { name: `“${name}”` });
  } catch (err) {
    useLab.getState().pushNotice({
      level: 'error',
      title: err instanceof ImageDecodeError ? err.message : `The image could not be read: ${err instanceof Error ? err.message : String(err)}`,
      hint: err instanceof ImageDecodeError ? err.hint : undefined,
    });
    return null;
  }
}

/** An .onnx file opens as the upscaler; an image becomes the input (lr/hr) or the ground truth. */
export async function upscaleFile(file: File, role: ImageRole): Promise<void> {
  const name = file.name || 'pasted image';
  if (/\.onnx$/i.test(name)) {
    await useLab.getState().openUpscalerFile(file);
    return;
  }
  const image = await decode(file, name);
  if (!image) return;
  if (role === 'truth') await useLab.getState().setUpscaleTruth(image, name);
  else await useLab.getState().setUpscaleInput(image, name, role);
}

/** A sample photo (an address beside the page) as the high-resolution ground truth: downscaled 3×, upscaled, scored. */
export async function upscaleSample(url: string, name: string): Promise<void> {
  const image = await decode(url, name);
  if (image) await useLab.getState().setUpscaleInput(image, name, 'hr');
}
