/**
 * MAIA's predictive test inputs, drawn from the scene world instead of a text-to-image model:
 * scenes a description predicts to activate the unit (each satisfies one disjunct, in turn) and
 * scenes it predicts not to (every attribute type the description mentions takes a value the
 * description does not name). Deterministic: same description, seed and count, same scenes.
 */
import { LabError } from '../../errors';
import type { SynthBanks } from '../../synth/banks';
import { Rng, hashSeed, hashString } from '../../synth/rng';
import { completeSpec } from '../../synth/sample';
import type { PartialSceneSpec, SceneSpec } from '../../synth/spec';
import type { BackgroundKind, ClassName, ColorName, TextureName } from '../../synth/vocabulary';
import { ATTRIBUTE_TYPES, ATTRIBUTE_VALUES, attributeType, type Attribute, type AttributeType } from './groundTruth';
import type { ParsedDescription } from './description';

export interface PredictedScenes {
  positive: SceneSpec[];
  neutral: SceneSpec[];
}

function partialOf(values: Partial<Record<AttributeType, string>>): PartialSceneSpec {
  const p: PartialSceneSpec = {};
  if (values.class) p.class = values.class as ClassName;
  if (values.color) p.color = values.color as ColorName;
  if (values.texture) p.texture = values.texture as TextureName;
  if (values.background) p.background = values.background as BackgroundKind;
  return p;
}

function valuesOf(attrs: readonly Attribute[]): Partial<Record<AttributeType, string>> {
  const out: Partial<Record<AttributeType, string>> = {};
  for (const a of attrs) out[attributeType(a)] ??= a.split(':')[1];
  return out;
}

export function predictedScenes(d: ParsedDescription, banks: SynthBanks, count = 10, seed = 0): PredictedScenes {
  if (d.disjuncts.length === 0) {
    throw new LabError('bad-request', `The description “${d.text.slice(0, 80)}” names no class, colour, texture or background the scene world knows.`);
  }
  const base = hashSeed(seed, hashString(d.attributes.join('|')));
  const positive = Array.from({ length: count }, (_, i) =>
    completeSpec(partialOf(valuesOf(d.disjuncts[i % d.disjuncts.length])), new Rng(hashSeed(base, 1, i)), banks),
  );
  // the values the description leaves for each type it mentions
  const allowed = new Map<AttributeType, string[]>();
  for (const t of ATTRIBUTE_TYPES) {
    const named = d.attributes.filter((a) => attributeType(a) === t).map((a) => a.split(':')[1]);
    if (named.length > 0) allowed.set(t, ATTRIBUTE_VALUES[t].filter((v) => !named.includes(v)));
  }
  const neutral = Array.from({ length: count }, (_, i) => {
    const rng = new Rng(hashSeed(base, 2, i));
    const values: Partial<Record<AttributeType, string>> = {};
    for (const [t, vs] of allowed) if (vs.length > 0) values[t] = vs[rng.int(vs.length)];
    return completeSpec(partialOf(values), rng, banks);
  });
  return { positive, neutral };
}
