/** Glue from an image the researcher gave the try-it zone (file, paste, drop) to a run of the open unit. */
import { useLab } from '../../store';
import { decodeImage, ImageDecodeError } from '../../ui/decodeImage';

export async function tryFile(file: Blob, name: string): Promise<void> {
  let raw;
  try {
    raw = await decodeImage(file, { name: `“${name}”` });
  } catch (err) {
    useLab.getState().pushNotice({
      level: 'error',
      title: err instanceof ImageDecodeError ? err.message : `The image could not be read: ${err instanceof Error ? err.message : String(err)}`,
      hint: err instanceof ImageDecodeError ? err.hint : undefined,
    });
    return;
  }
  await useLab.getState().tryExemplarImage(raw, name);
}
