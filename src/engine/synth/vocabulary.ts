/**
 * The closed vocabularies of the scene world: item classes (Fashion-MNIST order), the colour
 * palette, textures, background kinds and the fixed directions used by stripes and gradients.
 */

export const CANVAS = 64;

/** Fashion-MNIST classes as slugs, index = label. */
export const CLASSES = [
  't-shirt',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle-boot',
] as const;
export type ClassName = (typeof CLASSES)[number];

export type Rgb = [number, number, number];

export interface PaletteColor {
  name: ColorName;
  rgb: Rgb;
  /** Hue in degrees of `rgb` (null for the achromatic white and gray). */
  hue: number | null;
}

export const COLORS = ['red', 'orange', 'yellow', 'green', 'cyan', 'blue', 'purple', 'pink', 'white', 'gray'] as const;
export type ColorName = (typeof COLORS)[number];

export const PALETTE: Record<ColorName, PaletteColor> = {
  red: { name: 'red', rgb: [220, 30, 30], hue: 0 },
  orange: { name: 'orange', rgb: [245, 130, 20], hue: 29.3 },
  yellow: { name: 'yellow', rgb: [240, 220, 30], hue: 54.3 },
  green: { name: 'green', rgb: [40, 180, 50], hue: 124.3 },
  cyan: { name: 'cyan', rgb: [30, 200, 210], hue: 183.3 },
  blue: { name: 'blue', rgb: [40, 70, 220], hue: 230 },
  purple: { name: 'purple', rgb: [140, 50, 200], hue: 276 },
  pink: { name: 'pink', rgb: [245, 110, 180], hue: 328.9 },
  white: { name: 'white', rgb: [245, 245, 245], hue: null },
  gray: { name: 'gray', rgb: [128, 128, 128], hue: null },
};

export const TEXTURES = ['plain', 'stripes', 'dots', 'checks'] as const;
export type TextureName = (typeof TEXTURES)[number];

/** Photo kinds: tags assigned per source photograph in assets/backgrounds.json. */
export const PHOTO_KINDS = ['foliage', 'flowers', 'water-sky', 'earth', 'man-made'] as const;
export type PhotoKind = (typeof PHOTO_KINDS)[number];

/** Procedural background kinds, painted by the renderer. */
export const PROCEDURAL_KINDS = ['solid', 'gradient', 'stripes', 'dots', 'noise'] as const;
export type ProceduralKind = (typeof PROCEDURAL_KINDS)[number];

/** The 10 background kinds a dataset balances over (or pairs with classes). */
export const BACKGROUND_KINDS = [...PHOTO_KINDS, ...PROCEDURAL_KINDS] as const;
export type BackgroundKind = PhotoKind | ProceduralKind;

/**
 * Eight directions (0°, 22.5°, …, 157.5°) as exact literals, so stripes, checks and gradients
 * never call Math.cos/sin (whose last bits may differ between engines).
 */
export const DIRECTIONS: readonly (readonly [number, number])[] = [
  [1, 0],
  [0.9238795325112867, 0.3826834323650898],
  [0.7071067811865476, 0.7071067811865476],
  [0.3826834323650898, 0.9238795325112867],
  [0, 1],
  [-0.3826834323650898, 0.9238795325112867],
  [-0.7071067811865476, 0.7071067811865476],
  [-0.9238795325112867, 0.3826834323650898],
];
/** Angle in degrees of DIRECTIONS[i]. */
export const directionDegrees = (i: number): number => i * 22.5;

export function isClassName(s: unknown): s is ClassName {
  return typeof s === 'string' && (CLASSES as readonly string[]).includes(s);
}
export function isColorName(s: unknown): s is ColorName {
  return typeof s === 'string' && (COLORS as readonly string[]).includes(s);
}
export function isTextureName(s: unknown): s is TextureName {
  return typeof s === 'string' && (TEXTURES as readonly string[]).includes(s);
}
export function isPhotoKind(s: unknown): s is PhotoKind {
  return typeof s === 'string' && (PHOTO_KINDS as readonly string[]).includes(s);
}
export function isProceduralKind(s: unknown): s is ProceduralKind {
  return typeof s === 'string' && (PROCEDURAL_KINDS as readonly string[]).includes(s);
}
export function isBackgroundKind(s: unknown): s is BackgroundKind {
  return isPhotoKind(s) || isProceduralKind(s);
}

/** RGB (0-255) to HSV: hue in degrees [0, 360), saturation and value in [0, 1]. */
export function rgbToHsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  let h = 0;
  if (d > 0) {
    if (max === r) h = 60 * (((g - b) / d) % 6);
    else if (max === g) h = 60 * ((b - r) / d + 2);
    else h = 60 * ((r - g) / d + 4);
  }
  if (h < 0) h += 360;
  return [h, max === 0 ? 0 : d / max, max / 255];
}

/** Smallest angular distance between two hues in degrees. */
export function hueDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
}
