/**
 * A unit description as attribute constraints, read with the scene grammar (synth/text.ts): the
 * text is split into disjuncts at "or" ("red items or bags"), and each disjunct is a conjunction
 * of the attributes parseSceneText understands ("dotted items on foliage" → texture:dots ∧
 * background:foliage). Plurals and filler words ("items", "things") are normalised first.
 */
import { parseSceneText } from '../../synth/text';
import type { Attribute } from './groundTruth';

export interface ParsedDescription {
  text: string;
  /** Each disjunct: the attributes all of which a positive scene has. */
  disjuncts: Attribute[][];
  /** Every attribute mentioned, in order, without repeats. */
  attributes: Attribute[];
  /** Words no vocabulary knows. */
  ignored: string[];
}

const PLURALS: Array<[RegExp, string]> = [
  [/\bdresses\b/g, 'dress'],
  [/\bcoats\b/g, 'coat'],
  [/\bshirts\b/g, 'shirt'],
  [/\bpullovers\b/g, 'pullover'],
  [/\bsweaters\b/g, 'sweater'],
  [/\bjackets\b/g, 'jacket'],
  [/\bblouses\b/g, 'blouse'],
  [/\bhandbags\b/g, 'handbag'],
  [/\bbackgrounds\b/g, 'background'],
  [/\bbackdrops\b/g, 'backdrop'],
];
const FILLER = /\b(items?|things?|objects?|anything|garments?|clothes|clothing|images?|scenes?|pictures?|any|kind|kinds|all|either|mostly|especially|selective|detector|unit|neuron|fires|responds)\b/g;

function normalise(text: string): string {
  let t = text.toLowerCase();
  for (const [re, s] of PLURALS) t = t.replace(re, s);
  return t.replace(FILLER, ' ');
}

function conjunction(text: string): { attrs: Attribute[]; ignored: string[] } {
  const p = parseSceneText(text);
  const attrs: Attribute[] = [];
  if (p.partial.class) attrs.push(`class:${p.partial.class}`);
  if (p.partial.color) attrs.push(`color:${p.partial.color}`);
  if (typeof p.partial.texture === 'string') attrs.push(`texture:${p.partial.texture}`);
  if (typeof p.partial.background === 'string') attrs.push(`background:${p.partial.background}`);
  return { attrs, ignored: p.ignored };
}

export function parseDescription(text: string): ParsedDescription {
  const parts = normalise(text)
    .split(/\bor\b|\/|\|/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const disjuncts: Attribute[][] = [];
  const ignored: string[] = [];
  for (const part of parts) {
    let c = conjunction(part);
    // "on foliage or flowers": a bare background word after "or" keeps the background reading
    if (c.attrs.length === 0) {
      const asBackground = conjunction(`on ${part}`);
      if (asBackground.attrs.length > 0) c = asBackground;
    }
    ignored.push(...c.ignored);
    if (c.attrs.length > 0) disjuncts.push(c.attrs);
  }
  return { text, disjuncts, attributes: [...new Set(disjuncts.flat())], ignored };
}
