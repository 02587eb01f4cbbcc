/** Glue from an image the researcher picked (a sample or a file) to a prediction in the store. */
import { useLab } from '../../store';
import { decodeImage, ImageDecodeError } from '../../ui/decodeImage';
import type { Sample } from './useSamples';

function reportDecodeError(err: unknown): void {
  useLab.getState().selectPredictInput(null);
  useLab.getState().pushNotice({
    level: 'error',
    title: err instanceof ImageDecodeError ? err.message : `The image could not be read: ${err instanceof Error ? err.message : String(err)}`,
    hint: err instanceof ImageDecodeError ? err.hint : undefined,
  });
}

export async function predictSample(sample: Sample, index: number): Promise<void> {
  const { selectPredictInput, predictImage } = useLab.getState();
  selectPredictInput({ kind: 'sample', index, url: sample.url, label: sample.label });
  let raw;
  try {
    raw = await decodeImage(sample.url, { name: sample.file });
  } catch (err) {
    reportDecodeError(err);
    return;
  }
  await predictImage(raw, sample.label);
}

export async function predictFile(file: File): Promise<void> {
  const { selectPredictInput, predictImage } = useLab.getState();
  selectPredictInput({ kind: 'upload', name: file.name, url: URL.createObjectURL(file) });
  let raw;
  try {
    raw = await decodeImage(file, { name: `“${file.name}”` });
  } catch (err) {
    reportDecodeError(err);
    return;
  }
  await predictImage(raw);
}
