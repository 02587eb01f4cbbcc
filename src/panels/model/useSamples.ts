/** The sample images of a built-in model, from its JSON index (fetched once with react-query). */
import { useJsonIndex } from '../../ui/useJsonIndex';

export interface Sample {
  file: string;
  label: string;
  labelIndex: number;
  testIndex: number;
  /** Absolute address of the image. */
  url: string;
}

/** Keeps the well-formed entries of an index; anything else in the JSON is skipped. */
export function parseSampleIndex(json: unknown, indexUrl: URL): Sample[] {
  if (!Array.isArray(json)) throw new Error('the sample index is not a list');
  const out: Sample[] = [];
  for (const e of json as Array<Record<string, unknown>>) {
    if (!e || typeof e !== 'object' || typeof e.file !== 'string' || e.file.includes(':')) continue;
    out.push({
      file: e.file,
      label: typeof e.label === 'string' ? e.label : String(e.labelIndex ?? '?'),
      labelIndex: typeof e.labelIndex === 'number' ? e.labelIndex : -1,
      testIndex: typeof e.testIndex === 'number' ? e.testIndex : -1,
      url: new URL(e.file, indexUrl).href,
    });
  }
  return out;
}

export function useSamples(indexPath: string) {
  return useJsonIndex(indexPath, parseSampleIndex);
}
