/**
 * Scene specifications (what to draw) and scene attributes (what was drawn). A spec is plain
 * JSON: it round-trips through URLs, experiment files and shard indexes, and re-renders to the
 * same bytes. Edits are functions from spec to spec (see edits.ts).
 */
import type { BackgroundKind, ClassName, ColorName, PhotoKind, Rgb, TextureName } from './vocabulary';

export type ItemSplit = 'train' | 'test';

/** Texture of the item; periods and radii in output pixels, `direction` indexes DIRECTIONS. */
export type TextureSpec =
  | { name: 'plain' }
  | { name: 'stripes'; period: number; direction: number }
  | { name: 'dots'; period: number; radius: number; direction: number }
  | { name: 'checks'; period: number; direction: number };

export type BackgroundSpec =
  /** A 64×64 window of a 96×96 photo crop at `offset`, mirrored when `flip`. */
  | { kind: 'photo'; crop: number; offset: [number, number]; flip: boolean }
  | { kind: 'solid'; color: Rgb }
  | { kind: 'gradient'; from: Rgb; to: Rgb; direction: number }
  | { kind: 'stripes'; colors: [Rgb, Rgb]; period: number; direction: number }
  | { kind: 'dots'; colors: [Rgb, Rgb]; period: number; radius: number }
  /** Smooth value noise on a lattice of `cell` pixels, mixing two colours. */
  | { kind: 'noise'; colors: [Rgb, Rgb]; cell: number; seed: number };

/** Operations applied after compositing, in order (recorded so edited scenes re-render). */
export type PostOp =
  /** Grey patch over the half-open box [x0, y0, x1, y1). */
  | { op: 'occlude'; box: [number, number, number, number]; gray: number }
  /** Additive approximately Gaussian noise of standard deviation `sigma` (0-255 scale). */
  | { op: 'noise'; sigma: number; seed: number };

export interface SceneSpec {
  class: ClassName;
  /** Which item bank: Fashion-MNIST train (60k, read from the Debian package) or test (10k, committed). */
  split: ItemSplit;
  itemIndex: number;
  color: ColorName;
  texture: TextureSpec;
  /** Item box side relative to the 64 px canvas (0.3-1). */
  scale: number;
  /** Top-left corner of the item box in pixels (the box is round(scale·64) square). */
  position: [number, number];
  background: BackgroundSpec;
  post: PostOp[];
}

export interface BackgroundAttributes {
  /** One of the 10 background kinds: the photo's tag for photos, else the procedural kind. */
  kind: BackgroundKind;
  type: 'photo' | 'procedural';
  /** For photos: crop id, its source file, package and licence. */
  crop?: number;
  source?: string;
  package?: string;
  licence?: string;
  photoKind?: PhotoKind;
}

export interface SceneAttributes {
  class: ClassName;
  classIndex: number;
  split: ItemSplit;
  itemIndex: number;
  color: ColorName;
  rgb: Rgb;
  texture: TextureName;
  scale: number;
  position: [number, number];
  /** Half-open box [x0, y0, x1, y1) of the pixels with non-zero item alpha; null when none. */
  bbox: [number, number, number, number] | null;
  /** Fraction of the canvas covered by the item (sum of alpha / 64²). */
  coverage: number;
  background: BackgroundAttributes;
  /** The full spec, so a scene can be re-rendered and edited from its attributes alone. */
  spec: SceneSpec;
}

/** A spec with any subset of fields given; `background` may be just a kind. */
export interface PartialSceneSpec {
  class?: ClassName;
  split?: ItemSplit;
  itemIndex?: number;
  color?: ColorName;
  texture?: TextureName | TextureSpec;
  scale?: number;
  position?: [number, number];
  background?: BackgroundKind | BackgroundSpec;
  post?: PostOp[];
}

/** Deep copy (specs are plain JSON). */
export function cloneSpec(spec: SceneSpec): SceneSpec {
  return JSON.parse(JSON.stringify(spec)) as SceneSpec;
}

/** Item box side in pixels for a scale. */
export function itemSize(scale: number): number {
  return Math.max(1, Math.min(64, Math.round(scale * 64)));
}
