/** The defaults of a CircuitSpec (the issue's: 16 examples and as many held out, k = 5, CLA, mean, zero ablation, 20 random circuits). */
import type { CircuitSpec, CircuitTarget, ConceptSource } from './types';

export const SPEC_DEFAULTS = {
  examples: 16,
  heldOut: 16,
  layers: [] as string[],
  k: 5,
  method: 'cla',
  reduce: 'mean',
  ablation: 'zero',
  random: 20,
  seed: 0,
} as const satisfies Partial<CircuitSpec>;

export function makeSpec(concept: ConceptSource, target: CircuitTarget, over: Partial<CircuitSpec> = {}): CircuitSpec {
  return { ...SPEC_DEFAULTS, layers: [...SPEC_DEFAULTS.layers], concept, target, ...over };
}
