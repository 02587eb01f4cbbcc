/**
 * Scoring a description of a unit. Predictive (MAIA): the unit's mean activation on 10 scenes the
 * description predicts to activate it and on 10 it predicts not to, each divided by the unit's
 * top-exemplar activation. Against ground truth (synthetic units): attribute-level precision
 * (the share of the description's attributes that the formula has) and recall (the share of the
 * formula's attributes the description names).
 */
import type { SynthBanks } from '../../synth/banks';
import { render } from '../../synth/render';
import type { SceneSpec } from '../../synth/spec';
import type { LoadedModel } from '../../lab/loadedModel';
import type { RawImage } from '../../types';
import { unitColumn, unitMaxima } from './activations';
import { parseDescription, type ParsedDescription } from './description';
import type { Attribute } from './groundTruth';
import { predictedScenes } from './stimuli';

export interface AttributeMatch {
  precision: number;
  recall: number;
}

export function attributeMatch(described: readonly Attribute[], truth: readonly Attribute[]): AttributeMatch {
  const d = new Set(described);
  const t = new Set(truth);
  const hit = [...d].filter((a) => t.has(a)).length;
  return { precision: d.size ? hit / d.size : 0, recall: t.size ? hit / t.size : 0 };
}

export interface PredictiveScore {
  description: string;
  parsed: ParsedDescription;
  /** Mean activation on the predicted-positive scenes / top exemplar activation. */
  positive: number;
  /** Mean activation on the predicted-neutral scenes / top exemplar activation. */
  neutral: number;
  topActivation: number;
  positiveActivations: number[];
  neutralActivations: number[];
  positiveScenes: SceneSpec[];
  neutralScenes: SceneSpec[];
}

export interface ScoreOptions {
  banks: SynthBanks;
  /** The unit's top-exemplar activation (see topActivations). */
  topActivation: number;
  count?: number;
  seed?: number;
  signal?: AbortSignal;
}

function image(spec: SceneSpec, banks: SynthBanks): RawImage {
  return { width: 64, height: 64, channels: 3, data: render(spec, banks).pixels };
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

export async function scoreDescription(model: LoadedModel, layer: string, unit: number, description: string, o: ScoreOptions): Promise<PredictiveScore> {
  const parsed = parseDescription(description);
  const { positive, neutral } = predictedScenes(parsed, o.banks, o.count ?? 10, o.seed ?? 0);
  const acts = await unitMaxima(model, layer, [...positive, ...neutral].map((s) => image(s, o.banks)), o.signal);
  const all = unitColumn(acts, unit);
  const pos = all.slice(0, positive.length);
  const neu = all.slice(positive.length);
  // a unit that never fires has no scale: report raw zeros rather than dividing by zero
  const top = o.topActivation > 0 ? o.topActivation : 1;
  return {
    description,
    parsed,
    positive: mean(pos) / top,
    neutral: mean(neu) / top,
    topActivation: o.topActivation,
    positiveActivations: pos,
    neutralActivations: neu,
    positiveScenes: positive,
    neutralScenes: neutral,
  };
}
