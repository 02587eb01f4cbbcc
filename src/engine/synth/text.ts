/**
 * Text → scene (the offline text2image): a small keyword grammar over the closed vocabularies.
 * "red striped sneaker on grass", "small blue dotted bag, left, against a gradient background".
 * Words before a preposition (on, against, over, in front of, …) describe the item; words after
 * it, or words just before "background", describe the background. Unknown words are reported,
 * never guessed. Whatever the text leaves open is drawn from the seed (see completeSpec).
 */
import type { SynthBanks } from './banks';
import type { BackgroundPolicy } from './policy';
import { Rng, hashSeed } from './rng';
import { completeSpec } from './sample';
import { itemSize, type BackgroundSpec, type PartialSceneSpec, type SceneSpec } from './spec';
import {
  CANVAS,
  PALETTE,
  PHOTO_KINDS,
  isBackgroundKind,
  type BackgroundKind,
  type ClassName,
  type ColorName,
  type TextureName,
} from './vocabulary';

const CLASS_WORDS: Record<string, ClassName> = {
  't-shirt': 't-shirt', tshirt: 't-shirt', tee: 't-shirt', top: 't-shirt',
  trouser: 'trouser', trousers: 'trouser', pants: 'trouser', jeans: 'trouser', slacks: 'trouser',
  pullover: 'pullover', sweater: 'pullover', jumper: 'pullover', sweatshirt: 'pullover', hoodie: 'pullover',
  dress: 'dress', gown: 'dress',
  coat: 'coat', jacket: 'coat', parka: 'coat',
  sandal: 'sandal', sandals: 'sandal',
  shirt: 'shirt', blouse: 'shirt',
  sneaker: 'sneaker', sneakers: 'sneaker', trainer: 'sneaker', trainers: 'sneaker', shoe: 'sneaker', shoes: 'sneaker',
  bag: 'bag', bags: 'bag', handbag: 'bag', purse: 'bag', tote: 'bag',
  'ankle-boot': 'ankle-boot', boot: 'ankle-boot', boots: 'ankle-boot',
};

const COLOR_WORDS: Record<string, ColorName> = {
  red: 'red', crimson: 'red', scarlet: 'red',
  orange: 'orange',
  yellow: 'yellow', gold: 'yellow', golden: 'yellow',
  green: 'green', lime: 'green',
  cyan: 'cyan', teal: 'cyan', turquoise: 'cyan', aqua: 'cyan',
  blue: 'blue', navy: 'blue',
  purple: 'purple', violet: 'purple', lilac: 'purple',
  pink: 'pink', magenta: 'pink',
  white: 'white',
  gray: 'gray', grey: 'gray', silver: 'gray',
};

const TEXTURE_WORDS: Record<string, TextureName> = {
  plain: 'plain', solid: 'plain', uniform: 'plain', unpatterned: 'plain',
  striped: 'stripes', stripes: 'stripes', stripy: 'stripes', stripe: 'stripes', pinstriped: 'stripes',
  dotted: 'dots', dots: 'dots', dot: 'dots', spotted: 'dots', polka: 'dots', spotty: 'dots',
  checked: 'checks', checks: 'checks', checkered: 'checks', chequered: 'checks', plaid: 'checks', tartan: 'checks', gingham: 'checks',
};

/** Background words; 'photo' means any photo kind (drawn from the seed). */
const BACKGROUND_WORDS: Record<string, BackgroundKind | 'photo'> = {
  grass: 'foliage', grassy: 'foliage', lawn: 'foliage', meadow: 'foliage', leaves: 'foliage', leaf: 'foliage',
  foliage: 'foliage', forest: 'foliage', plants: 'foliage', moss: 'foliage', jungle: 'foliage', trees: 'foliage',
  flowers: 'flowers', flower: 'flowers', floral: 'flowers', petals: 'flowers', blossom: 'flowers', autumn: 'flowers',
  water: 'water-sky', sea: 'water-sky', ocean: 'water-sky', lake: 'water-sky', river: 'water-sky', sky: 'water-sky',
  clouds: 'water-sky', cloudy: 'water-sky', fog: 'water-sky', 'water-sky': 'water-sky',
  rock: 'earth', rocks: 'earth', rocky: 'earth', stone: 'earth', stones: 'earth', sand: 'earth', soil: 'earth',
  dirt: 'earth', earth: 'earth', ground: 'earth', wood: 'earth', wooden: 'earth', bark: 'earth', mountain: 'earth',
  mountains: 'earth', gravel: 'earth',
  city: 'man-made', urban: 'man-made', street: 'man-made', indoors: 'man-made', indoor: 'man-made', room: 'man-made',
  building: 'man-made', architecture: 'man-made', interior: 'man-made', 'man-made': 'man-made', table: 'man-made',
  solid: 'solid', plain: 'solid', uniform: 'solid', blank: 'solid', flat: 'solid', empty: 'solid',
  gradient: 'gradient', ramp: 'gradient', fade: 'gradient',
  stripes: 'stripes', striped: 'stripes', stripy: 'stripes', lines: 'stripes',
  dots: 'dots', dotted: 'dots', polka: 'dots', spotted: 'dots', spots: 'dots',
  noise: 'noise', noisy: 'noise', mottled: 'noise', blotchy: 'noise', camouflage: 'noise', camo: 'noise',
  photo: 'photo', photograph: 'photo', picture: 'photo', natural: 'photo', nature: 'photo',
};

const SIZE_WORDS: Record<string, number> = { tiny: 0.4, small: 0.5, little: 0.5, medium: 0.7, large: 0.9, big: 0.9, huge: 1 };
const PLACE_WORDS = ['left', 'right', 'top', 'bottom', 'center', 'centre', 'middle', 'centered', 'centred'] as const;
const PREPOSITIONS = new Set(['on', 'against', 'over', 'onto', 'atop', 'before', 'upon', 'in', 'front']);
const STOPWORDS = new Set([
  'a', 'an', 'the', 'of', 'with', 'and', 'at', 'to', 'image', 'photo-of', 'picture-of', 'scene', 'item', 'background',
  'backdrop', 'pattern', 'patterned', 'colored', 'coloured', 'sized', 'size', 'side', 'corner', 'placed', 'some', 'one',
]);

export interface ParsedText {
  partial: PartialSceneSpec;
  /** Colour named for the background ("on a blue background"): first procedural colour. */
  backgroundColor?: ColorName;
  /** Placement words, applied after the scale is known. */
  place: { x?: 'left' | 'right' | 'center'; y?: 'top' | 'bottom' | 'center' };
  /** Words understood, as "word→meaning". */
  understood: string[];
  /** Words not in any vocabulary. */
  ignored: string[];
  /** The text asked for a photo background without naming its kind. */
  anyPhoto: boolean;
}

function normalise(text: string): string[] {
  const t = text
    .toLowerCase()
    .replace(/\bt[\s-]?shirts?\b/g, 't-shirt')
    .replace(/\btee[\s-]shirts?\b/g, 't-shirt')
    .replace(/\bankle[\s-]boots?\b/g, 'ankle-boot')
    .replace(/\bman[\s-]made\b/g, 'man-made')
    .replace(/\bpolka[\s-]dot(s|ted)?\b/g, 'dots')
    .replace(/\bin front of\b/g, 'before');
  return t.split(/[^a-z-]+/).filter((w) => w.length > 0);
}

export function parseSceneText(text: string): ParsedText {
  const words = normalise(text);
  const partial: PartialSceneSpec = {};
  const place: ParsedText['place'] = {};
  const understood: string[] = [];
  const ignored: string[] = [];
  let backgroundColor: ColorName | undefined;
  let bgKind: BackgroundKind | 'photo' | undefined;

  // the background part: after the first preposition, or the words right before "background"
  let split = words.findIndex((w) => PREPOSITIONS.has(w));
  const bgWordAt = words.findIndex((w) => w === 'background' || w === 'backdrop');
  if (split < 0 && bgWordAt >= 0) {
    split = bgWordAt;
    while (split > 0 && (BACKGROUND_WORDS[words[split - 1]] || COLOR_WORDS[words[split - 1]])) split--;
    if (split === bgWordAt) split = -1;
  }
  // "a sneaker in red": a preposition followed by no background word is not a background
  if (split >= 0 && !words.slice(split).some((w) => BACKGROUND_WORDS[w] !== undefined || w === 'background' || w === 'backdrop')) {
    split = -1;
  }
  words.forEach((w, i) => {
    const inBg = split >= 0 && i >= split;
    if (inBg) {
      if (PREPOSITIONS.has(w) || STOPWORDS.has(w)) return;
      if (BACKGROUND_WORDS[w] !== undefined && bgKind === undefined) {
        bgKind = BACKGROUND_WORDS[w];
        understood.push(`${w}→background:${bgKind}`);
      } else if (COLOR_WORDS[w] !== undefined && backgroundColor === undefined) {
        backgroundColor = COLOR_WORDS[w];
        understood.push(`${w}→background colour:${backgroundColor}`);
      } else if (!BACKGROUND_WORDS[w]) ignored.push(w);
      return;
    }
    if (STOPWORDS.has(w) || PREPOSITIONS.has(w)) return;
    if (CLASS_WORDS[w] && partial.class === undefined) {
      partial.class = CLASS_WORDS[w];
      understood.push(`${w}→class:${partial.class}`);
    } else if (COLOR_WORDS[w] && partial.color === undefined) {
      partial.color = COLOR_WORDS[w];
      understood.push(`${w}→color:${partial.color}`);
    } else if (TEXTURE_WORDS[w] && partial.texture === undefined) {
      partial.texture = TEXTURE_WORDS[w];
      understood.push(`${w}→texture:${partial.texture}`);
    } else if (SIZE_WORDS[w] !== undefined && partial.scale === undefined) {
      partial.scale = SIZE_WORDS[w];
      understood.push(`${w}→scale:${partial.scale}`);
    } else if ((PLACE_WORDS as readonly string[]).includes(w)) {
      if (w === 'left' || w === 'right') place.x = w;
      else if (w === 'top' || w === 'bottom') place.y = w;
      else {
        place.x ??= 'center';
        place.y ??= 'center';
      }
      understood.push(`${w}→position`);
    } else ignored.push(w);
  });
  if (bgKind === undefined && backgroundColor !== undefined) bgKind = 'solid';
  if (bgKind !== undefined && bgKind !== 'photo') partial.background = bgKind;
  const out: ParsedText = { partial, place, understood, ignored, anyPhoto: bgKind === 'photo' };
  if (backgroundColor) out.backgroundColor = backgroundColor;
  return out;
}

/** A partial spec whose background may also be a word ("grass", "sky", "photo"). */
export type SceneRequest = Omit<PartialSceneSpec, 'background'> & { background?: string | BackgroundSpec };

function parseRequest(req: SceneRequest): ParsedText {
  const { background, ...rest } = req;
  const out: ParsedText = { partial: { ...rest }, place: {}, understood: [], ignored: [], anyPhoto: false };
  if (typeof background === 'object') out.partial.background = background;
  else if (typeof background === 'string') {
    const w = background.toLowerCase();
    const kind = isBackgroundKind(w) ? w : BACKGROUND_WORDS[w];
    if (kind === undefined) throw new Error(`Unknown background "${background}".`);
    if (kind === 'photo') out.anyPhoto = true;
    else out.partial.background = kind;
  }
  return out;
}

export interface TextScene {
  spec: SceneSpec;
  parsed: ParsedText;
}

/**
 * A scene from a description or a partial spec; open fields come from `seed` (same text and
 * seed, same scene). `policy` decides the background kind when the text names none.
 */
export function sceneFromText(
  input: string | SceneRequest,
  banks: SynthBanks,
  seed = 0,
  policy?: BackgroundPolicy,
): TextScene {
  const parsed = typeof input === 'string' ? parseSceneText(input) : parseRequest(input);
  const rng = new Rng(hashSeed(seed, 0x7e47));
  const partial = { ...parsed.partial };
  if (parsed.anyPhoto && partial.background === undefined) {
    partial.background = PHOTO_KINDS[new Rng(hashSeed(seed, 0x9407)).int(PHOTO_KINDS.length)];
  }
  let spec = completeSpec(partial, rng, banks, policy);
  const { x, y } = parsed.place;
  if (x || y) {
    const room = CANVAS - itemSize(spec.scale);
    const at = (w: string | undefined, cur: number): number =>
      w === 'left' || w === 'top' ? 0 : w === 'right' || w === 'bottom' ? room : w === 'center' ? Math.floor(room / 2) : cur;
    spec = { ...spec, position: [at(x, spec.position[0]), at(y, spec.position[1])] };
  }
  const bc = parsed.backgroundColor;
  if (bc && spec.background.kind !== 'photo') {
    const rgb = PALETTE[bc].rgb;
    const b = spec.background;
    if (b.kind === 'solid') spec = { ...spec, background: { ...b, color: [...rgb] } };
    else if (b.kind === 'gradient') spec = { ...spec, background: { ...b, from: [...rgb] } };
    else spec = { ...spec, background: { ...b, colors: [[...rgb], b.colors[1]] } };
  }
  return { spec, parsed };
}
