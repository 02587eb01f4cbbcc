/**
 * The settings feature visualisation offers and their defaults (see ./objective for what each
 * objective maximises, ./visualize for the rest). A module of its own with no imports, so the
 * store, the panel and the URL codec can name them without loading the engine.
 */
export type FeatureObjective = 'max' | 'mean';
export const FEATURE_OBJECTIVES: readonly FeatureObjective[] = ['max', 'mean'];
/** The (smooth) spatial max: the score exemplars are ranked by. */
export const DEFAULT_OBJECTIVE = 'max' satisfies FeatureObjective;

export function isFeatureObjective(x: unknown): x is FeatureObjective {
  return typeof x === 'string' && (FEATURE_OBJECTIVES as readonly string[]).includes(x);
}

export const DEFAULT_SAMPLES = 4;
/** 256: with 128 some samples of the built-in models' units stayed below their best exemplar. */
export const DEFAULT_STEPS = 256;
