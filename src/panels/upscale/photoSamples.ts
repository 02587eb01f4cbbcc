/** The Upscale panel's sample photographs (public/samples/photos/index.json) and their licences. */
import { useJsonIndex } from '../../ui/useJsonIndex';

export const PHOTO_SAMPLES_INDEX = 'samples/photos/index.json';

export interface PhotoSample {
  file: string;
  title: string;
  licence: string;
  copyright: string;
  /** The Debian package the picture ships in. */
  package: string;
  /** Absolute address of the image. */
  url: string;
}

const text = (v: unknown, fallback: string) => (typeof v === 'string' && v ? v : fallback);

/** Well-formed entries only; a photo without a stated licence is not offered. */
export function parsePhotoSamples(json: unknown, indexUrl: URL): PhotoSample[] {
  if (!Array.isArray(json)) throw new Error('the sample index is not a list');
  return (json as Array<Record<string, unknown>>)
    .filter((e) => e && typeof e === 'object' && typeof e.file === 'string' && !e.file.includes(':') && typeof e.licence === 'string')
    .map((e) => ({
      file: e.file as string,
      title: text(e.title, e.file as string),
      licence: e.licence as string,
      copyright: text(e.copyright, 'unknown author'),
      package: text(e.package, 'unknown package'),
      url: new URL(e.file as string, indexUrl).href,
    }));
}

export function usePhotoSamples() {
  return useJsonIndex(PHOTO_SAMPLES_INDEX, parsePhotoSamples);
}
