/**
 * Background painting: photo windows from the crop bank and five procedural kinds. Writes
 * floats (0-255) into a 64×64×3 buffer; only +, ×, floor and comparisons, so bytes agree across
 * engines.
 */
import type { BackgroundBank } from './banks';
import { hashSeed } from './rng';
import type { BackgroundAttributes, BackgroundSpec } from './spec';
import { CANVAS, DIRECTIONS, type Rgb } from './vocabulary';

const N = CANVAS;

function mix(out: Float32Array, o: number, a: Rgb, b: Rgb, t: number): void {
  out[o] = a[0] + (b[0] - a[0]) * t;
  out[o + 1] = a[1] + (b[1] - a[1]) * t;
  out[o + 2] = a[2] + (b[2] - a[2]) * t;
}

/** Lattice value in [0,1) for value noise. */
function lattice(seed: number, i: number, j: number): number {
  return hashSeed(seed, i, j) / 4294967296;
}

export function paintBackground(bg: BackgroundSpec, bank: BackgroundBank, out: Float32Array): void {
  switch (bg.kind) {
    case 'photo': {
      const { crop, offset, flip } = bg;
      if (!Number.isInteger(crop) || crop < 0 || crop >= bank.count) throw new Error(`No background crop ${crop}.`);
      const S = bank.size;
      const [ox, oy] = offset;
      if (ox < 0 || oy < 0 || ox + N > S || oy + N > S || !Number.isInteger(ox) || !Number.isInteger(oy)) {
        throw new Error(`Photo offset ${ox},${oy} does not fit a ${S}px crop.`);
      }
      const base = crop * S * S * 3;
      const px = bank.pixels;
      for (let y = 0; y < N; y++) {
        for (let x = 0; x < N; x++) {
          const sx = ox + (flip ? N - 1 - x : x);
          const si = base + ((oy + y) * S + sx) * 3;
          const o = (y * N + x) * 3;
          out[o] = px[si];
          out[o + 1] = px[si + 1];
          out[o + 2] = px[si + 2];
        }
      }
      return;
    }
    case 'solid':
      for (let i = 0; i < N * N; i++) {
        out[i * 3] = bg.color[0];
        out[i * 3 + 1] = bg.color[1];
        out[i * 3 + 2] = bg.color[2];
      }
      return;
    case 'gradient': {
      const [c, s] = DIRECTIONS[bg.direction];
      // projections of the corners bound the ramp, so it spans the whole canvas
      const ps = [0, N * c, N * s, N * c + N * s];
      const lo = Math.min(...ps);
      const span = Math.max(...ps) - lo;
      for (let y = 0; y < N; y++)
        for (let x = 0; x < N; x++) mix(out, (y * N + x) * 3, bg.from, bg.to, ((x + 0.5) * c + (y + 0.5) * s - lo) / span);
      return;
    }
    case 'stripes': {
      const [c, s] = DIRECTIONS[bg.direction];
      for (let y = 0; y < N; y++)
        for (let x = 0; x < N; x++) {
          const f = ((x + 0.5) * c + (y + 0.5) * s) / bg.period;
          mix(out, (y * N + x) * 3, bg.colors[0], bg.colors[1], f - Math.floor(f) < 0.5 ? 0 : 1);
        }
      return;
    }
    case 'dots': {
      const p = bg.period;
      const r2 = bg.radius * bg.radius;
      for (let y = 0; y < N; y++)
        for (let x = 0; x < N; x++) {
          const fx = x + 0.5 - (Math.floor((x + 0.5) / p) + 0.5) * p;
          const fy = y + 0.5 - (Math.floor((y + 0.5) / p) + 0.5) * p;
          mix(out, (y * N + x) * 3, bg.colors[0], bg.colors[1], fx * fx + fy * fy < r2 ? 1 : 0);
        }
      return;
    }
    case 'noise': {
      const cell = bg.cell;
      if (!(cell > 0)) throw new Error(`Noise cell must be positive, got ${cell}.`);
      // lattice values for every corner the canvas touches
      const L = Math.floor((N - 0.5) / cell) + 2;
      const lat = new Float64Array(L * L);
      for (let j = 0; j < L; j++) for (let i = 0; i < L; i++) lat[j * L + i] = lattice(bg.seed, i, j);
      for (let y = 0; y < N; y++) {
        const gy = (y + 0.5) / cell;
        const j = Math.floor(gy);
        let ty = gy - j;
        ty = ty * ty * (3 - 2 * ty);
        for (let x = 0; x < N; x++) {
          const gx = (x + 0.5) / cell;
          const i = Math.floor(gx);
          let tx = gx - i;
          tx = tx * tx * (3 - 2 * tx);
          const a = lat[j * L + i];
          const b = lat[j * L + i + 1];
          const c2 = lat[(j + 1) * L + i];
          const d = lat[(j + 1) * L + i + 1];
          const v = (a + (b - a) * tx) * (1 - ty) + (c2 + (d - c2) * tx) * ty;
          mix(out, (y * N + x) * 3, bg.colors[0], bg.colors[1], v);
        }
      }
      return;
    }
  }
}

export function backgroundAttributes(bg: BackgroundSpec, bank: BackgroundBank): BackgroundAttributes {
  if (bg.kind !== 'photo') return { kind: bg.kind, type: 'procedural' };
  const c = bank.crops[bg.crop];
  if (!c) throw new Error(`No background crop ${bg.crop}.`);
  return { kind: c.kind, type: 'photo', crop: c.id, source: c.file, package: c.package, licence: c.licence, photoKind: c.kind };
}
