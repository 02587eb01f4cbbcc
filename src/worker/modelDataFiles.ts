/**
 * Where the worker finds a model's external data files (`model.onnx.data`): among the files picked
 * or dropped with the model (by name, or by path inside a dropped folder), or beside the model's
 * address (streamed, with progress).
 */
import { readBody } from '../engine/data/readBody';
import { LabError } from '../engine/errors';
import type { DataFileReader } from '../engine/onnx/externalData';
import type { ModelDataSource, Progress } from './protocol';

const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;

/** The file whose name (or folder path) ends with the location. */
function pick(files: readonly File[], location: string): File | undefined {
  const want = location.replace(/\\/g, '/');
  const base = want.split('/').pop()!;
  const path = (f: File) => (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
  return files.find((f) => path(f) === want || path(f).endsWith(`/${want}`)) ?? files.find((f) => f.name === base);
}

export function dataFileReader(source: ModelDataSource, maxBytes: number, signal: AbortSignal, progress: (p: Progress) => void): DataFileReader {
  return async (location) => {
    const file = pick(source.files ?? [], location);
    if (file) {
      progress({ stage: 'data', fraction: null, message: `Reading ${file.name} (${mb(file.size)})` });
      return new Uint8Array(await file.arrayBuffer());
    }
    if (!source.baseUrl) throw new Error(source.files?.length ? `it is not among the ${source.files.length + 1} files given` : 'only the model was given');
    const url = new URL(location, source.baseUrl);
    const res = await fetch(url.href, { signal, credentials: 'same-origin' });
    if (!res.ok) throw new Error(`${url.href} answered ${res.status}`);
    const length = res.headers.get('content-length');
    const plain = (res.headers.get('content-encoding') ?? 'identity') === 'identity';
    const total = length && /^\d+$/.test(length) && plain ? Number(length) : null;
    try {
      return await readBody(res, {
        maxBytes,
        total,
        signal,
        onProgress: (received, all) =>
          progress({ stage: 'download', fraction: all ? received / all : null, message: `Downloading ${location}: ${mb(received)}${all ? ` of ${mb(all)}` : ''}` }),
      });
    } catch (err) {
      if (err instanceof LabError) throw err;
      if (err instanceof Error && err.name === 'BodyTooLarge') throw new LabError('too-large', `${location} is larger than the ${mb(maxBytes)} a tab opens.`);
      throw err;
    }
  };
}
