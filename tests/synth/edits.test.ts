/** Each edit changes exactly the attribute it names, and only the pixels it should. */
import { describe, expect, it } from 'vitest';
import {
  Rng,
  addNoise,
  backgroundOfKind,
  clearPost,
  move,
  occlude,
  recolor,
  render,
  rescale,
  retexture,
  sampleSpec,
  swapBackground,
  type SceneAttributes,
  type SceneSpec,
} from '../../src/engine/synth';
import { loadTestBanks } from './banks';

const banks = loadTestBanks();
const N = 64;

/** Keys of the attributes (without the embedded spec) whose values differ. */
function changed(a: SceneAttributes, b: SceneAttributes): string[] {
  const keys = Object.keys(a).filter((k) => k !== 'spec') as (keyof SceneAttributes)[];
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}
/** Keys of the specs whose values differ. */
function changedSpec(a: SceneSpec, b: SceneSpec): string[] {
  return (Object.keys(a) as (keyof SceneSpec)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}
function changedPixels(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < N * N; i++) if (a[i * 3] !== b[i * 3] || a[i * 3 + 1] !== b[i * 3 + 1] || a[i * 3 + 2] !== b[i * 3 + 2]) out.push(i);
  return out;
}

const rng = new Rng(99);
// items kept off the canvas edges so moves are never clamped
const bases = Array.from({ length: 20 }, () => sampleSpec(rng, banks)).map((s) => ({ ...s, scale: 0.6, position: [12, 12] as [number, number] }));

describe('edits', () => {
  it('recolor changes the colour only, and pixels only under the item', () => {
    for (const s of bases) {
      const e = recolor(s, s.color === 'red' ? 'cyan' : 'red');
      expect(changedSpec(s, e)).toEqual(['color']);
      const a = render(s, banks), b = render(e, banks);
      expect(changed(a.attributes, b.attributes)).toEqual(['color', 'rgb']);
      const px = changedPixels(a.pixels, b.pixels);
      expect(px.length).toBeGreaterThan(0);
      expect(px.every((i) => a.mask[i] > 0)).toBe(true);
    }
  });

  it('retexture changes the texture only, and pixels only under the item', () => {
    for (const s of bases) {
      const target = s.texture.name === 'stripes' ? 'checks' : 'stripes';
      const e = retexture(s, target);
      expect(changedSpec(s, e)).toEqual(['texture']);
      const a = render(s, banks), b = render(e, banks);
      expect(changed(a.attributes, b.attributes)).toEqual(['texture']);
      expect(b.attributes.texture).toBe(target);
      expect(changedPixels(a.pixels, b.pixels).every((i) => a.mask[i] > 0)).toBe(true);
    }
  });

  it('move shifts position and bbox by exactly (dx, dy), the item mask with them', () => {
    for (const [k, s] of bases.entries()) {
      const dx = (k % 5) - 2, dy = 3 - (k % 7);
      const e = move(s, dx, dy);
      expect(changedSpec(s, e)).toEqual(dx === 0 && dy === 0 ? [] : ['position']);
      const a = render(s, banks), b = render(e, banks);
      const ch = changed(a.attributes, b.attributes);
      expect(ch).toEqual(dx === 0 && dy === 0 ? [] : ['bbox', 'position']);
      const [x0, y0, x1, y1] = a.attributes.bbox!;
      expect(b.attributes.bbox).toEqual([x0 + dx, y0 + dy, x1 + dx, y1 + dy]);
      for (let y = 0; y < N; y++)
        for (let x = 0; x < N; x++) {
          const xs = x - dx, ys = y - dy;
          const before = xs >= 0 && ys >= 0 && xs < N && ys < N ? a.mask[ys * N + xs] : 0;
          if (b.mask[y * N + x] !== before) throw new Error(`mask moved wrongly at ${x},${y}`);
        }
    }
  });

  it('move clamps the item box to the canvas', () => {
    const e = move(bases[0], -100, 100);
    const S = Math.round(bases[0].scale * 64);
    expect(e.position).toEqual([0, 64 - S]);
  });

  it('rescale changes scale (and so position and bbox) only', () => {
    const s = bases[1];
    const e = rescale(s, 0.8);
    expect(changedSpec(s, e).filter((k) => k !== 'position')).toEqual(['scale']);
    const ch = changed(render(s, banks).attributes, render(e, banks).attributes);
    expect(ch.filter((k) => !['bbox', 'position', 'coverage'].includes(k))).toEqual(['scale']);
  });

  it('swapBackground changes the background only, and pixels only where the item is not opaque', () => {
    for (const [k, s] of bases.entries()) {
      const kind = s.background.kind === 'photo' ? 'gradient' : 'foliage';
      const bg = backgroundOfKind(kind, new Rng(k), banks);
      const e = swapBackground(s, bg);
      expect(changedSpec(s, e)).toEqual(['background']);
      const a = render(s, banks), b = render(e, banks);
      expect(changed(a.attributes, b.attributes)).toEqual(['background']);
      expect(b.attributes.background.kind).toBe(kind);
      const px = changedPixels(a.pixels, b.pixels);
      expect(px.length).toBeGreaterThan(1000);
      expect(px.every((i) => a.mask[i] < 255)).toBe(true);
    }
  });

  it('occlude records a post op and changes pixels only inside its box', () => {
    for (const s of bases) {
      const box: [number, number, number, number] = [20, 16, 36, 30];
      const e = occlude(s, box);
      expect(changedSpec(s, e)).toEqual(['post']);
      const a = render(s, banks), b = render(e, banks);
      expect(changed(a.attributes, b.attributes)).toEqual([]);
      expect(b.attributes.spec.post).toEqual([{ op: 'occlude', box, gray: 128 }]);
      const px = changedPixels(a.pixels, b.pixels);
      expect(px.every((i) => i % N >= 20 && i % N < 36 && Math.floor(i / N) >= 16 && Math.floor(i / N) < 30)).toBe(true);
      let grey = 0;
      for (let y = 16; y < 30; y++) for (let x = 20; x < 36; x++) for (let c = 0; c < 3; c++) if (b.pixels[(y * N + x) * 3 + c] === 128) grey++;
      expect(grey).toBe(16 * 14 * 3);
      // removing the post ops restores the original bytes
      expect(changedPixels(render(clearPost(e), banks).pixels, a.pixels)).toEqual([]);
    }
  });

  it('addNoise records a post op; same seed same bytes, noise of about the given sigma', () => {
    const s = bases[2];
    const e = addNoise(s, 12, 5);
    expect(changedSpec(s, e)).toEqual(['post']);
    const a = render(s, banks), b = render(e, banks), c = render(addNoise(s, 12, 5), banks), d = render(addNoise(s, 12, 6), banks);
    expect(changed(a.attributes, b.attributes)).toEqual([]);
    expect(changedPixels(c.pixels, b.pixels)).toEqual([]);
    expect(changedPixels(d.pixels, b.pixels).length).toBeGreaterThan(1000);
    // standard deviation over pixels away from 0/255 clipping
    let n = 0, ss = 0;
    for (let i = 0; i < a.pixels.length; i++) {
      if (a.pixels[i] < 40 || a.pixels[i] > 215) continue;
      const diff = b.pixels[i] - a.pixels[i];
      ss += diff * diff; n++;
    }
    expect(Math.sqrt(ss / n)).toBeGreaterThan(10.5);
    expect(Math.sqrt(ss / n)).toBeLessThan(13.5);
  });

  it('edits do not mutate their input', () => {
    const s = bases[3];
    const before = JSON.stringify(s);
    recolor(s, 'blue'); retexture(s, 'dots'); move(s, 1, 1); occlude(s, [0, 0, 4, 4]); addNoise(s, 3, 1);
    swapBackground(s, { kind: 'solid', color: [1, 2, 3] });
    expect(JSON.stringify(s)).toBe(before);
  });
});
