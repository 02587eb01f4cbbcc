/**
 * Synthetic units (MAIA's idea, in our scene world): a unit whose activation is a known formula
 * over scene attributes — one concept, A OR B, or A AND B — so an agent's description can be
 * checked against the ground truth. Tools measure it in place of the model when the context has
 * one (it answers only for scene images, whose attributes are known); its exemplars rank the
 * dataset's scenes by the formula.
 */
import type { SceneFacets, SceneDataset } from '../data/datasets';
import { isPhotoKind } from '../synth/vocabulary';
import type { ExemplarSource } from './tools/context';
import type { SceneFacts } from './tools/scene';

export interface Concept {
  key: 'class' | 'color' | 'texture' | 'background';
  value: string;
}

export interface SyntheticUnit {
  logic: 'mono' | 'or' | 'and';
  concepts: Concept[];
}

/** Activation when the formula holds and when it does not. */
export const SYNTHETIC_ON = 4.5;
export const SYNTHETIC_OFF = 0.5;

export function syntheticValue(unit: SyntheticUnit, scene: SceneFacts): number {
  const hits = unit.concepts.map((c) => (scene[c.key] === c.value ? 1 : 0));
  const on = unit.logic === 'and' ? Math.min(...hits) : Math.max(...hits);
  return on ? SYNTHETIC_ON : SYNTHETIC_OFF;
}

export function factsOf(f: SceneFacets): SceneFacts {
  return { class: f.class, color: f.color, texture: f.texture, background: f.background.kind, backgroundKind: isPhotoKind(f.background.kind) ? 'photo' : 'procedural' };
}

/** The dataset's scenes ranked by the formula (ties: dataset order). */
export function syntheticExemplars(unit: SyntheticUnit, dataset: SceneDataset): ExemplarSource {
  return {
    async top(_layer, _unit, k) {
      return dataset.facets
        .map((f, index) => ({ index, value: syntheticValue(unit, factsOf(f)) }))
        .sort((a, b) => b.value - a.value || a.index - b.index)
        .slice(0, k);
    },
  };
}

/** "red AND stripes" → the unit as words. */
export function syntheticLabel(unit: SyntheticUnit): string {
  return unit.concepts.map((c) => c.value).join(unit.logic === 'and' ? ' AND ' : ' OR ');
}
