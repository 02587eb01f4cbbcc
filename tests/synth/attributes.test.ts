/** Attributes are true of the rendered pixels: bbox, colour, texture. */
import { describe, expect, it } from 'vitest';
import {
  COLORS,
  PALETTE,
  Rng,
  hueDistance,
  render,
  rgbToHsv,
  sampleSpec,
  type SceneSpec,
  type TextureSpec,
} from '../../src/engine/synth';
import { loadTestBanks } from './banks';

const banks = loadTestBanks();
const N = 64;

function specs(n: number, seed: number): SceneSpec[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => sampleSpec(rng, banks));
}

describe('bbox', () => {
  it('contains every pixel that differs from the same scene without the item, and is tight', () => {
    for (const spec of specs(150, 11)) {
      const full = render(spec, banks);
      const bare = render(spec, banks, { item: false });
      const b = full.attributes.bbox;
      expect(b).not.toBeNull();
      const [x0, y0, x1, y1] = b!;
      let dx0 = N, dy0 = N, dx1 = -1, dy1 = -1;
      let outside = 0;
      for (let y = 0; y < N; y++)
        for (let x = 0; x < N; x++) {
          const o = (y * N + x) * 3;
          const differs = full.pixels[o] !== bare.pixels[o] || full.pixels[o + 1] !== bare.pixels[o + 1] || full.pixels[o + 2] !== bare.pixels[o + 2];
          if (!differs) continue;
          if (!(x >= x0 && x < x1 && y >= y0 && y < y1)) outside++;
          dx0 = Math.min(dx0, x); dx1 = Math.max(dx1, x); dy0 = Math.min(dy0, y); dy1 = Math.max(dy1, y);
        }
      expect(outside).toBe(0);
      // tight: the alpha support touches all four sides of the bbox ...
      const m = full.mask;
      const rowHas = (y: number) => Array.from({ length: x1 - x0 }, (_, k) => m[y * N + x0 + k]).some((a) => a > 0);
      const colHas = (x: number) => Array.from({ length: y1 - y0 }, (_, k) => m[(y0 + k) * N + x]).some((a) => a > 0);
      expect(rowHas(y0) && rowHas(y1 - 1) && colHas(x0) && colHas(x1 - 1)).toBe(true);
      // ... no alpha outside it, and the visible difference spans nearly all of it
      let alphaOutside = 0;
      for (let i = 0; i < N * N; i++) if (m[i] > 0 && !(i % N >= x0 && i % N < x1 && Math.floor(i / N) >= y0 && Math.floor(i / N) < y1)) alphaOutside++;
      expect(alphaOutside).toBe(0);
      expect(dx1 - dx0 + 1).toBeGreaterThanOrEqual(x1 - x0 - 2);
      expect(dy1 - dy0 + 1).toBeGreaterThanOrEqual(y1 - y0 - 2);
    }
  });

  it('equals the bbox of the changed pixels exactly on a contrasting solid background', () => {
    for (const spec of specs(60, 12)) {
      const s: SceneSpec = { ...spec, color: 'white', texture: { name: 'plain' }, background: { kind: 'solid', color: [0, 0, 0] } };
      const full = render(s, banks);
      let x0 = N, y0 = N, x1 = -1, y1 = -1;
      for (let i = 0; i < N * N; i++)
        if (full.pixels[i * 3] !== 0) {
          const x = i % N, y = Math.floor(i / N);
          x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
        }
      expect(full.attributes.bbox).toEqual([x0, y0, x1 + 1, y1 + 1]);
      // and it sits inside the item box given by position and scale
      const S = Math.round(s.scale * 64);
      expect(x0).toBeGreaterThanOrEqual(s.position[0]);
      expect(x1).toBeLessThan(s.position[0] + S);
    }
  });
});

describe('colour', () => {
  it('the named colour is the dominant hue inside the item mask (white/gray by saturation and value)', () => {
    const all = specs(200, 13);
    for (const [k, color] of COLORS.entries()) {
      for (const base of all.filter((_, i) => i % COLORS.length === k).slice(0, 12)) {
        const spec: SceneSpec = { ...base, color, texture: { name: 'plain' } };
        const { pixels, mask } = render(spec, banks);
        const hsv: [number, number, number][] = [];
        for (let i = 0; i < N * N; i++) if (mask[i] === 255) hsv.push(rgbToHsv(pixels[i * 3], pixels[i * 3 + 1], pixels[i * 3 + 2]));
        expect(hsv.length).toBeGreaterThan(20);
        const sorted = (f: (p: [number, number, number]) => number) => hsv.map(f).sort((a, b) => a - b);
        const pct = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
        const p = PALETTE[color];
        if (p.hue === null) {
          expect(pct(sorted((h) => h[1]), 0.5)).toBeLessThan(0.06);
          const v90 = pct(sorted((h) => h[2]), 0.9);
          if (color === 'white') expect(v90).toBeGreaterThan(0.6);
          else expect(v90).toBeLessThanOrEqual(0.51);
        } else {
          // each visible pixel votes for its nearest chromatic palette hue
          const chroma = COLORS.filter((c) => PALETTE[c].hue !== null);
          const votes = hsv
            .filter((h) => h[1] > 0.25 && h[2] > 0.15)
            .map((h) => chroma.reduce((best, c) => (hueDistance(h[0], PALETTE[c].hue!) < hueDistance(h[0], PALETTE[best].hue!) ? c : best)));
          const share = votes.filter((v) => v === color).length / votes.length;
          expect(share, `${color}: share ${share}`).toBeGreaterThan(0.95);
          const medianHueOff = pct(hsv.map((h) => hueDistance(h[0], p.hue!)).sort((a, b) => a - b), 0.5);
          expect(medianHueOff).toBeLessThan(5);
        }
      }
    }
  });
});

describe('texture', () => {
  /** Brightness ratio textured/plain at fully opaque, not-too-dark pixels: 'H', 'L' or '.'. */
  function ratioMap(base: SceneSpec, texture: TextureSpec): string[] {
    const plain = render({ ...base, texture: { name: 'plain' } }, banks);
    const tex = render({ ...base, texture }, banks);
    const out: string[] = [];
    for (let i = 0; i < N * N; i++) {
      const a = plain.pixels[i * 3] + plain.pixels[i * 3 + 1] + plain.pixels[i * 3 + 2];
      const b = tex.pixels[i * 3] + tex.pixels[i * 3 + 1] + tex.pixels[i * 3 + 2];
      out.push(plain.mask[i] === 255 && a > 120 ? (b / a > 0.7 ? 'H' : 'L') : '.');
    }
    return out;
  }
  /** Share of opaque pixel pairs at offset (dx, dy) that agree. */
  function agreement(m: string[], dx: number, dy: number): number {
    let same = 0, n = 0;
    for (let y = 0; y < N - dy; y++)
      for (let x = 0; x < N - dx; x++) {
        const a = m[y * N + x], b = m[(y + dy) * N + x + dx];
        if (a === '.' || b === '.') continue;
        n++;
        if (a === b) same++;
      }
    return n === 0 ? NaN : same / n;
  }
  const bases = specs(40, 14).map((s) => ({ ...s, color: 'yellow' as const, scale: 0.9, position: [3, 3] as [number, number] }));

  it('stripes alternate along the stripe normal with the given period and are constant along the stripes', () => {
    for (const base of bases.slice(0, 15))
      for (const period of [4, 6, 8]) {
        const v = ratioMap(base, { name: 'stripes', period, direction: 0 }); // normal = x: vertical stripes
        expect(agreement(v, period, 0)).toBeGreaterThan(0.97);
        expect(agreement(v, period / 2, 0)).toBeLessThan(0.03);
        expect(agreement(v, 0, 1)).toBeGreaterThan(0.97);
        const h = ratioMap(base, { name: 'stripes', period, direction: 4 }); // normal = y
        expect(agreement(h, 0, period)).toBeGreaterThan(0.97);
        expect(agreement(h, 0, period / 2)).toBeLessThan(0.03);
        expect(agreement(h, 1, 0)).toBeGreaterThan(0.97);
        const lows = v.filter((c) => c === 'L').length / v.filter((c) => c !== '.').length;
        expect(lows).toBeGreaterThan(0.3);
        expect(lows).toBeLessThan(0.7);
      }
  });

  it('checks flip every period along both axes and repeat every two periods', () => {
    for (const base of bases.slice(15, 25)) {
      const p = 6;
      const m = ratioMap(base, { name: 'checks', period: p, direction: 0 });
      expect(agreement(m, p, 0)).toBeLessThan(0.03);
      expect(agreement(m, 0, p)).toBeLessThan(0.03);
      expect(agreement(m, 2 * p, 0)).toBeGreaterThan(0.97);
      expect(agreement(m, p, p)).toBeGreaterThan(0.97);
    }
  });

  it('dots cover the share of a period cell within the radius and repeat every period', () => {
    for (const base of bases.slice(25, 35)) {
      const p = 8, r = 2.5;
      // pixel centres of one cell within r of its centre (π r²/p² before pixelation)
      let inside = 0;
      for (let j = 0; j < p; j++) for (let i = 0; i < p; i++) if ((i + 0.5 - p / 2) ** 2 + (j + 0.5 - p / 2) ** 2 < r * r) inside++;
      const m = ratioMap(base, { name: 'dots', period: p, radius: r, direction: 0 });
      const lows = m.filter((c) => c === 'L').length / m.filter((c) => c !== '.').length;
      expect(Math.abs(lows - inside / (p * p))).toBeLessThan(0.05);
      expect(agreement(m, p, 0)).toBeGreaterThan(0.97);
      expect(agreement(m, 0, p)).toBeGreaterThan(0.97);
    }
  });

  it('plain is uniform: textured and plain renders agree on plain', () => {
    const m = ratioMap(bases[0], { name: 'plain' });
    expect(m.every((c) => c !== 'L')).toBe(true);
  });
});
