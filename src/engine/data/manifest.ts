/**
 * A URL manifest of images: `{"images": [{"url": "...", "label": "..."}]}` or a plain array of
 * such objects or of URL strings. Relative URLs resolve against the manifest's own address;
 * only http(s) images are accepted (file: too when the manifest itself is a local file, for the CLI).
 */
import { LabError } from '../errors';

export interface ManifestEntry {
  /** Absolute address of the image. */
  url: string;
  label: string | null;
  /** The URL as the manifest wrote it (the entry's name in hashes and lists). */
  name: string;
}

/** The most images a manifest may list. */
export const MAX_MANIFEST_IMAGES = 50_000;
const MAX_LABEL_CHARS = 200;

function bad(message: string): LabError {
  return new LabError('bad-request', `The manifest ${message}.`);
}

/** Parses manifest text; `base` is the manifest's absolute address. Throws a bad-request LabError. */
export function parseManifest(text: string, base: string): ManifestEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw bad(`is not JSON (${err instanceof Error ? err.message.slice(0, 80) : 'parse error'})`);
  }
  const list = Array.isArray(doc) ? doc : doc && typeof doc === 'object' ? (doc as { images?: unknown }).images : undefined;
  if (!Array.isArray(list)) throw bad('must be an array of images or an object with an "images" array');
  if (list.length === 0) throw bad('lists no images');
  if (list.length > MAX_MANIFEST_IMAGES) throw bad(`lists ${list.length} images; the lab opens at most ${MAX_MANIFEST_IMAGES}`);
  const baseUrl = new URL(base);
  const allowed = baseUrl.protocol === 'file:' ? ['http:', 'https:', 'file:'] : ['http:', 'https:'];
  return list.map((item, i) => {
    const raw = typeof item === 'string' ? item : item && typeof item === 'object' ? (item as { url?: unknown }).url : undefined;
    if (typeof raw !== 'string' || raw.length === 0) throw bad(`entry ${i} has no "url" string`);
    let url: URL;
    try {
      url = new URL(raw, baseUrl);
    } catch {
      throw bad(`entry ${i}: “${raw.slice(0, 80)}” is not a valid address`);
    }
    if (!allowed.includes(url.protocol)) throw bad(`entry ${i}: “${url.protocol}” addresses are not allowed (use http or https)`);
    const rawLabel = item && typeof item === 'object' ? (item as { label?: unknown }).label : undefined;
    if (rawLabel !== undefined && rawLabel !== null && typeof rawLabel !== 'string' && typeof rawLabel !== 'number') {
      throw bad(`entry ${i}: "label" must be a string`);
    }
    const label = rawLabel === undefined || rawLabel === null || rawLabel === '' ? null : String(rawLabel).slice(0, MAX_LABEL_CHARS);
    return { url: url.href, label, name: raw };
  });
}
