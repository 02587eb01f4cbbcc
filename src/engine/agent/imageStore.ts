/**
 * The per-run image store: tools put images in and hand the model handles ("img-12"); clients
 * resolve handles into image parts; the transcript carries every image once. Ids are sequential,
 * so re-running a run's tool calls in order rebuilds the same ids. Pixels stay in memory beside
 * the PNG so tools never decode what they just encoded.
 */
import { LabError } from '../errors';
import type { RawImage } from '../types';
import { decodePng, encodePng, fromBase64, toBase64 } from './png';
import type { ImageRef, ImageResolver, StoredImage } from './types';

export type ImageMeta = Omit<StoredImage, 'id' | 'width' | 'height' | 'png'>;

/** The most images one run may hold (about 16 kB each as PNG). */
export const MAX_STORE_IMAGES = 4000;

export class ImageStore implements ImageResolver {
  private readonly images = new Map<string, StoredImage>();
  private readonly pixels = new Map<string, RawImage>();
  private next = 1;

  get size(): number {
    return this.images.size;
  }

  async add(image: RawImage, meta: ImageMeta = {}): Promise<StoredImage> {
    if (this.images.size >= MAX_STORE_IMAGES) throw new LabError('too-large', `A run holds at most ${MAX_STORE_IMAGES} images.`);
    const id = `img-${this.next++}`;
    const rgb = toRgb(image);
    const stored: StoredImage = { id, width: rgb.width, height: rgb.height, png: toBase64(await encodePng(rgb)), ...meta };
    this.images.set(id, stored);
    this.pixels.set(id, rgb);
    return stored;
  }

  get(id: string): StoredImage | undefined {
    return this.images.get(id);
  }

  /** The stored image, or a bad-request error naming the unknown handle. */
  need(id: string): StoredImage {
    const s = this.images.get(id);
    if (!s) throw new LabError('bad-request', `There is no image "${String(id).slice(0, 40)}" in this run (handles look like img-1).`);
    return s;
  }

  /** Adds facts learned later (an activation, a map) to a stored image. */
  annotate(id: string, meta: ImageMeta): void {
    this.images.set(id, { ...this.need(id), ...meta });
  }

  async pixelsOf(id: string): Promise<RawImage> {
    const hit = this.pixels.get(id);
    if (hit) return hit;
    const img = await decodePng(fromBase64(this.need(id).png));
    this.pixels.set(id, img);
    return img;
  }

  all(): StoredImage[] {
    return [...this.images.values()];
  }

  ref(id: string, caption?: string): ImageRef {
    this.need(id);
    return caption ? { id, caption } : { id };
  }

  /** A store holding a transcript's images under their ids (new ones continue after the largest). */
  static from(images: readonly StoredImage[]): ImageStore {
    const store = new ImageStore();
    for (const img of images) {
      store.images.set(img.id, img);
      const n = /^img-(\d+)$/.exec(img.id);
      if (n) store.next = Math.max(store.next, Number(n[1]) + 1);
    }
    return store;
  }
}

function toRgb(image: RawImage): RawImage {
  if (image.channels === 3) return { ...image, data: Uint8Array.from(image.data) };
  const n = image.width * image.height;
  const out = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    out[p * 3] = image.data[p * 4];
    out[p * 3 + 1] = image.data[p * 4 + 1];
    out[p * 3 + 2] = image.data[p * 4 + 2];
  }
  return { width: image.width, height: image.height, channels: 3, data: out };
}
