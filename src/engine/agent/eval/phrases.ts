/**
 * Attributes back to words the scene grammar reads again: "red striped sneakers", "items on
 * foliage" (the same phrasing as the synthetic units' ground-truth descriptions in
 * models/training/synthetic_unit_formulas.py), so a describer built on attributes yields text.
 */
import { attributeType, type Attribute } from './groundTruth';

const PLURAL: Record<string, string> = {
  't-shirt': 't-shirts', trouser: 'trousers', pullover: 'pullovers', dress: 'dresses', coat: 'coats',
  sandal: 'sandals', shirt: 'shirts', sneaker: 'sneakers', bag: 'bags', 'ankle-boot': 'ankle boots',
};
const TEXTURE_ADJ: Record<string, string> = { plain: 'plain', stripes: 'striped', dots: 'dotted', checks: 'checked' };
const BACKGROUND_PHRASE: Record<string, string> = {
  foliage: 'foliage', flowers: 'flowers', 'water-sky': 'the sky', earth: 'earth', 'man-made': 'a man-made background',
  solid: 'a plain background', gradient: 'a gradient background', stripes: 'a striped background',
  dots: 'a dotted background', noise: 'a mottled background',
};

/** A conjunction of attributes as one phrase: colour, texture, class (or "items"), then "on" background. */
export function attributePhrase(attrs: readonly Attribute[]): string {
  const v = (t: string): string | undefined => attrs.find((a) => attributeType(a) === t)?.split(':')[1];
  const words: string[] = [];
  const color = v('color');
  const texture = v('texture');
  const cls = v('class');
  const bg = v('background');
  if (color) words.push(color);
  if (texture) words.push(TEXTURE_ADJ[texture]);
  words.push(cls ? PLURAL[cls] : 'items');
  if (bg) words.push('on', BACKGROUND_PHRASE[bg]);
  return words.join(' ');
}
