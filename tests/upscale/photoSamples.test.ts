/**
 * The Upscale panel's sample photos: every entry of public/samples/photos/index.json is offered
 * (parsePhotoSamples), exists at its recorded size (both sides multiples of 3, so the panel's 3×
 * downscale divides it), states a licence and author, and comes from a held-out FREDSR test picture
 * of the manifest, whose package and sha256 it repeats.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/decode';
import { parsePhotoSamples, PHOTO_SAMPLES_INDEX } from '../../src/panels/upscale/photoSamples';
import { REPO_ROOT } from '../setup/fixturePaths';

const INDEX = join(REPO_ROOT, 'public', PHOTO_SAMPLES_INDEX);

describe('sample photos', () => {
  it('are listed with licences, sized in multiples of 3, and are held-out pictures of the manifest', () => {
    const json = JSON.parse(readFileSync(INDEX, 'utf8'));
    const samples = parsePhotoSamples(json, new URL('http://lab.test/samples/photos/index.json'));
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples).toHaveLength(json.length);
    expect(samples[0].url).toBe(`http://lab.test/samples/photos/${json[0].file}`);
    const manifest = new Map((JSON.parse(readFileSync(join(REPO_ROOT, 'models/fredsr-data.json'), 'utf8')).images as { id: string; path: string; sha256: string; package: string; licence: string; split: string }[]).map((e) => [e.path, e]));
    for (const e of json) {
      const img = decodeImageFile(join(REPO_ROOT, 'public/samples/photos', e.file));
      expect([img.width, img.height]).toEqual([e.width, e.height]);
      expect(e.width % 3 + e.height % 3).toBe(0);
      expect(e.copyright).not.toBe('');
      const source = manifest.get(e.source);
      expect(source, e.source).toBeDefined();
      expect({ sha256: e.sourceSha256, package: e.package, licence: e.licence, split: 'test' }).toEqual({ sha256: source!.sha256, package: source!.package, licence: source!.licence, split: source!.split });
    }
  });

  it('skip entries without a file or licence, and refuse a non-list', () => {
    const base = new URL('http://lab.test/s/index.json');
    expect(parsePhotoSamples([{ file: 'a.jpg' }, { licence: 'CC0-1.0' }, { file: 'http://x/b.jpg', licence: 'CC0-1.0' }, { file: 'c.jpg', licence: 'CC0-1.0' }], base).map((s) => s.file)).toEqual(['c.jpg']);
    expect(() => parsePhotoSamples({}, base)).toThrow(/not a list/);
  });
});
