/**
 * Edits that hold for any image (uploads, masked or already pixel-edited images): crop, flip,
 * grayscale, hue shift, blur, noise, occlusion. RGB in, RGB out, same size; deterministic.
 */
import { resizeImage } from '../../exemplars/maps';
import { Rng } from '../../synth/rng';
import { rgbToHsv } from '../../synth/vocabulary';
import type { RawImage } from '../../types';

export type Half = 'top' | 'bottom' | 'left' | 'right';

export type PixelEdit =
  | { op: 'crop' }
  | { op: 'flip'; vertical: boolean }
  | { op: 'grayscale' }
  | { op: 'hue'; degrees: number }
  | { op: 'blur' }
  | { op: 'noise'; sigma: number; seed: number }
  | { op: 'occlude'; half: Half };

function rgb(img: RawImage): RawImage {
  return resizeImage(img, img.width, img.height);
}

function map(img: RawImage, f: (r: number, g: number, b: number, x: number, y: number) => [number, number, number]): RawImage {
  const src = rgb(img);
  const out = new Uint8Array(src.width * src.height * 3);
  for (let y = 0; y < src.height; y++)
    for (let x = 0; x < src.width; x++) {
      const o = (y * src.width + x) * 3;
      const [r, g, b] = f(src.data[o], src.data[o + 1], src.data[o + 2], x, y);
      out[o] = Math.max(0, Math.min(255, Math.round(r)));
      out[o + 1] = Math.max(0, Math.min(255, Math.round(g)));
      out[o + 2] = Math.max(0, Math.min(255, Math.round(b)));
    }
  return { width: src.width, height: src.height, channels: 3, data: out };
}

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const c = v * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = v - c;
  const [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}

/** The half-open box [x0, y0, x1, y1) of one half of a w×h image. */
export function halfBox(half: Half, w: number, h: number): [number, number, number, number] {
  return half === 'top' ? [0, 0, w, h >> 1] : half === 'bottom' ? [0, h >> 1, w, h] : half === 'left' ? [0, 0, w >> 1, h] : [w >> 1, 0, w, h];
}

export function applyPixelEdit(img: RawImage, e: PixelEdit): RawImage {
  const src = rgb(img);
  const { width: w, height: h } = src;
  const at = (x: number, y: number, c: number) => src.data[(Math.max(0, Math.min(h - 1, y)) * w + Math.max(0, Math.min(w - 1, x))) * 3 + c];
  switch (e.op) {
    case 'crop': {
      // the centre half, scaled back up to the full size
      const x0 = w >> 2;
      const y0 = h >> 2;
      const cw = w >> 1;
      const ch = h >> 1;
      const out = new Uint8Array(cw * ch * 3);
      for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) for (let c = 0; c < 3; c++) out[(y * cw + x) * 3 + c] = at(x0 + x, y0 + y, c);
      return resizeImage({ width: cw, height: ch, channels: 3, data: out }, w, h);
    }
    case 'flip':
      return map(src, (_r, _g, _b, x, y) => {
        const sx = e.vertical ? x : w - 1 - x;
        const sy = e.vertical ? h - 1 - y : y;
        return [at(sx, sy, 0), at(sx, sy, 1), at(sx, sy, 2)];
      });
    case 'grayscale':
      return map(src, (r, g, b) => {
        const l = 0.299 * r + 0.587 * g + 0.114 * b;
        return [l, l, l];
      });
    case 'hue':
      return map(src, (r, g, b) => {
        const [hh, s, v] = rgbToHsv(r, g, b);
        return hsvToRgb((((hh + e.degrees) % 360) + 360) % 360, s, v);
      });
    case 'blur':
      // 5×5 box blur
      return map(src, (_r, _g, _b, x, y) => {
        const acc = [0, 0, 0];
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) for (let c = 0; c < 3; c++) acc[c] += at(x + dx, y + dy, c);
        return [acc[0] / 25, acc[1] / 25, acc[2] / 25];
      });
    case 'noise': {
      const rng = new Rng(e.seed >>> 0);
      return map(src, (r, g, b) => [r + e.sigma * rng.normal(), g + e.sigma * rng.normal(), b + e.sigma * rng.normal()]);
    }
    case 'occlude': {
      const [x0, y0, x1, y1] = halfBox(e.half, w, h);
      return map(src, (r, g, b, x, y) => (x >= x0 && x < x1 && y >= y0 && y < y1 ? [128, 128, 128] : [r, g, b]));
    }
  }
}
