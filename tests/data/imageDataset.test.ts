/** Folder and manifest datasets in the engine: file order and labels, fitting, hashing, unreadable files, manifests. */
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeImageBytes } from '../../src/cli/decode';
import { folderEntries, labelFromPath, stripRoot } from '../../src/engine/data/folder';
import { ImageDataset, datasetPreprocess, imageDatasetSha256, type ImageEntry, type ImagePrep } from '../../src/engine/data/imageDataset';
import { fitImage } from '../../src/engine/data/imageFit';
import { parseManifest } from '../../src/engine/data/manifest';
import type { RawImage } from '../../src/engine/types';

const decode = async (bytes: Uint8Array, name: string) => decodeImageBytes(bytes, name);

/** A w×h RGB image whose pixel (x, y) is (x, y, c). */
function ramp(w: number, h: number, c = 7): RawImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, c], (y * w + x) * 3);
  return { width: w, height: h, channels: 3, data };
}

function png(img: RawImage): Uint8Array {
  const p = new PNG({ width: img.width, height: img.height });
  for (let i = 0; i < img.width * img.height; i++) {
    for (let c = 0; c < 3; c++) p.data[i * 4 + c] = img.data[i * img.channels + c];
    p.data[i * 4 + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(p));
}

const entry = (name: string, bytes: Uint8Array, label: string | null = null): ImageEntry => ({ name, label, read: async () => bytes });
const meta = { id: 'folder:t', title: 'Folder t', description: '', origin: 'folder' as const };
const PREP: ImagePrep = { size: [8, 8], fit: 'stretch' };

describe('folder entries', () => {
  it('keeps image files, sorted by code point, labelled by their folder', () => {
    const files = ['b/2.PNG', 'README.md', 'a/1.jpg', '.hidden.png', 'top.webp', 'a/._1.png', 'B/x.png'].map((path) => ({ path }));
    expect(folderEntries(files)).toEqual([
      { path: 'B/x.png', label: 'B' },
      { path: 'a/1.jpg', label: 'a' },
      { path: 'b/2.PNG', label: 'b' },
      { path: 'top.webp', label: null },
    ]);
    expect(labelFromPath('x/y/z.png')).toBe('y');
    expect(stripRoot('pets/cat/1.png')).toBe('cat/1.png');
    expect(stripRoot('/pets/1.png')).toBe('1.png');
  });
});

describe('fitImage', () => {
  it('stretch resizes both sides; identity at the same size', () => {
    const img = ramp(4, 4);
    expect(Array.from(fitImage(img, 4, 4, 'stretch').data)).toEqual(Array.from(img.data));
    const s = fitImage(ramp(8, 4), 4, 4, 'stretch');
    expect([s.width, s.height]).toEqual([4, 4]);
  });

  it('center-crop takes the centred square of a wide image', () => {
    const out = fitImage(ramp(12, 4), 4, 4, 'center-crop');
    // Columns 4..7 of the source, rows 0..3, unchanged (no resampling at the same size).
    expect(Array.from(out.data.subarray(0, 3))).toEqual([4, 0, 7]);
    expect(Array.from(out.data.subarray(3 * 3, 3 * 4))).toEqual([7, 0, 7]);
  });

  it('pad letterboxes a wide image on black, centred', () => {
    const out = fitImage(ramp(8, 4, 200), 8, 8, 'pad');
    const px = (x: number, y: number) => Array.from(out.data.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3));
    expect(px(0, 0)).toEqual([0, 0, 0]);
    expect(px(0, 7)).toEqual([0, 0, 0]);
    expect(px(0, 2)).toEqual([0, 0, 200]);
    expect(px(7, 5)).toEqual([7, 3, 200]);
  });

  it('drops alpha', () => {
    const rgba: RawImage = { width: 1, height: 1, channels: 4, data: new Uint8Array([1, 2, 3, 4]) };
    expect(Array.from(fitImage(rgba, 1, 1, 'stretch').data)).toEqual([1, 2, 3]);
  });
});

describe('ImageDataset', () => {
  const a = png(ramp(10, 6, 1));
  const b = png(ramp(6, 10, 2));
  const corrupt = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]);

  it('decodes and fits every image; an unreadable one is skipped, counted and listed', async () => {
    const progress: number[] = [];
    const ds = await ImageDataset.open(meta, [entry('cat/a.png', a, 'cat'), entry('cat/bad.png', corrupt, 'cat'), entry('dog/b.png', b, 'dog')], PREP, decode, {
      onProgress: (d) => progress.push(d),
    });
    expect(ds.count).toBe(2);
    expect(ds.info.files).toBe(3);
    expect(ds.info.bad).toEqual([{ name: 'cat/bad.png', reason: expect.stringMatching(/cat\/bad\.png: cannot decode/) }]);
    expect(ds.names).toEqual(['cat/a.png', 'dog/b.png']);
    expect(ds.info.labels).toEqual(['cat', 'dog']);
    expect(ds.facets.map((f) => f.class)).toEqual(['cat', 'dog']);
    expect(progress.at(-1)).toBe(3);
    const img = ds.image(1);
    expect([img.width, img.height, img.channels]).toEqual([8, 8, 3]);
    expect(Array.from(img.data)).toEqual(Array.from(fitImage(decodeImageBytes(b), 8, 8, 'stretch').data));
    const page = ds.page(1, 5);
    expect(page).toMatchObject({ total: 2, offset: 1 });
    expect(page.items.map((i) => [i.index, i.name, i.label])).toEqual([[1, 'dog/b.png', 'dog']]);
    const loaded = await ds.source().load(0, 2);
    expect(Array.from(loaded[0]!.data)).toEqual(Array.from(ds.image(0).data));
  });

  it('a failing read (a manifest fetch) counts as unreadable too', async () => {
    const failing: ImageEntry = { name: 'http://x/gone.png', label: null, read: async () => Promise.reject(new Error('404')) };
    const ds = await ImageDataset.open(meta, [failing, entry('a.png', a)], PREP, decode);
    expect(ds.info.bad).toEqual([{ name: 'http://x/gone.png', reason: '404' }]);
    expect(ds.count).toBe(1);
  });

  it('the hash depends on names, labels, bytes and preparation, not on the decoder', async () => {
    const open = (entries: ImageEntry[], prep = PREP) => ImageDataset.open(meta, entries, prep, decode).then((d) => d.info);
    const base = await open([entry('a.png', a), entry('b.png', b)]);
    expect(base.sha256).toBe(imageDatasetSha256(base.contentSha256, PREP));
    expect((await open([entry('a.png', a), entry('b.png', b)])).sha256).toBe(base.sha256);
    expect((await open([entry('b.png', a), entry('a.png', b)])).contentSha256).not.toBe(base.contentSha256);
    expect((await open([entry('a.png', a, 'x'), entry('b.png', b)])).contentSha256).not.toBe(base.contentSha256);
    expect((await open([entry('a.png', b), entry('b.png', a)])).contentSha256).not.toBe(base.contentSha256);
    const cropped = await open([entry('a.png', a), entry('b.png', b)], { ...PREP, fit: 'center-crop' });
    expect(cropped.contentSha256).toBe(base.contentSha256);
    expect(cropped.sha256).not.toBe(base.sha256);
    // Another decoder, same bytes: same identity.
    const other = await ImageDataset.open(meta, [entry('a.png', a), entry('b.png', b)], PREP, async () => ramp(3, 3)).then((d) => d.info);
    expect(other.sha256).toBe(base.sha256);
  });

  it('refuses a dataset with no readable image, saying why', async () => {
    await expect(ImageDataset.open(meta, [entry('bad.png', corrupt)], PREP, decode)).rejects.toThrow(/None of the 1 images could be read.*bad\.png/);
  });

  it('a mean/std override becomes the run preprocessing', () => {
    const model = { size: [8, 8] as [number, number], mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.25, 0.25, 0.25] as [number, number, number], source: 'metadata' as const };
    expect(datasetPreprocess(model, PREP)).toBeUndefined();
    expect(datasetPreprocess(model, { ...PREP, mean: [0, 0, 0] })).toEqual({ size: [8, 8], mean: [0, 0, 0], std: [0.25, 0.25, 0.25], source: 'override' });
  });
});

describe('parseManifest', () => {
  const base = 'https://data.example/sets/pets/manifest.json';
  it('reads {images:[{url,label}]} and plain arrays; relative URLs resolve against the manifest', () => {
    expect(parseManifest(JSON.stringify({ images: [{ url: 'img/1.png', label: 'cat' }, { url: '/abs.png' }, { url: 'https://cdn.example/x.jpg', label: 3 }] }), base)).toEqual([
      { url: 'https://data.example/sets/pets/img/1.png', label: 'cat', name: 'img/1.png' },
      { url: 'https://data.example/abs.png', label: null, name: '/abs.png' },
      { url: 'https://cdn.example/x.jpg', label: '3', name: 'https://cdn.example/x.jpg' },
    ]);
    expect(parseManifest('["a.png", {"url": "b.png", "label": "dog"}]', base).map((e) => [e.url, e.label])).toEqual([
      ['https://data.example/sets/pets/a.png', null],
      ['https://data.example/sets/pets/b.png', 'dog'],
    ]);
  });

  it('refuses what is not a manifest, naming the entry', () => {
    expect(() => parseManifest('<html>', base)).toThrow(/not JSON/);
    expect(() => parseManifest('{"files": []}', base)).toThrow(/"images" array/);
    expect(() => parseManifest('[]', base)).toThrow(/no images/);
    expect(() => parseManifest('[{"label": "x"}]', base)).toThrow(/entry 0 has no "url"/);
    expect(() => parseManifest('["ok.png", "javascript:alert(1)"]', base)).toThrow(/entry 1: “javascript:”/);
    expect(() => parseManifest('["file:///etc/passwd"]', base)).toThrow(/“file:”/);
    expect(() => parseManifest('[{"url": "a.png", "label": {"x": 1}}]', base)).toThrow(/label/);
    // A local manifest (the CLI) may list local files.
    expect(parseManifest('["a.png"]', 'file:///data/m.json')[0].url).toBe('file:///data/a.png');
  });
});
