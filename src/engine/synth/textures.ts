/**
 * Item textures as brightness multipliers: 1 on the base colour, TEXTURE_LOW on the pattern.
 * Multiplying RGB by a scalar keeps hue and saturation, so the named colour stays the item's hue.
 * Coordinates are pixel centres relative to the item box (the pattern moves with the item).
 */
import type { TextureSpec } from './spec';
import { DIRECTIONS } from './vocabulary';

export const TEXTURE_LOW = 0.4;

/** Default parameters when a texture is named without them. */
export function defaultTexture(name: TextureSpec['name']): TextureSpec {
  switch (name) {
    case 'plain':
      return { name: 'plain' };
    case 'stripes':
      return { name: 'stripes', period: 6, direction: 0 };
    case 'dots':
      return { name: 'dots', period: 6, radius: 1.6, direction: 0 };
    case 'checks':
      return { name: 'checks', period: 6, direction: 0 };
  }
}

/** A function (dx, dy) -> multiplier for one texture, with its constants hoisted. */
export function textureSampler(t: TextureSpec): (dx: number, dy: number) => number {
  if (t.name === 'plain') return () => 1;
  const [c, s] = DIRECTIONS[t.direction];
  const p = t.period;
  if (!(p > 0)) throw new Error(`Texture period must be positive, got ${p}.`);
  switch (t.name) {
    case 'stripes':
      return (dx, dy) => {
        const f = ((dx + 0.5) * c + (dy + 0.5) * s) / p;
        return f - Math.floor(f) < 0.5 ? 1 : TEXTURE_LOW;
      };
    case 'checks':
      return (dx, dy) => {
        const u = (dx + 0.5) * c + (dy + 0.5) * s;
        const v = (dy + 0.5) * c - (dx + 0.5) * s;
        return ((Math.floor(u / p) + Math.floor(v / p)) & 1) === 0 ? 1 : TEXTURE_LOW;
      };
    case 'dots': {
      const r2 = (t.radius / p) * (t.radius / p);
      return (dx, dy) => {
        const u = ((dx + 0.5) * c + (dy + 0.5) * s) / p;
        const v = ((dy + 0.5) * c - (dx + 0.5) * s) / p;
        const fu = u - Math.floor(u) - 0.5;
        const fv = v - Math.floor(v) - 0.5;
        return fu * fu + fv * fv < r2 ? TEXTURE_LOW : 1;
      };
    }
  }
}
