/**
 * The circuit's target resolved against the model: the tensor and units whose a_n the top layer
 * of the circuit explains. A logit is unit `index` of the first output; a 'selective' target
 * picks the last circuit layer's units that best separate the examples from the contrast.
 */
import { LabError } from '../errors';
import type { Layer, ModelSummary } from '../types';
import { topK } from './rank';
import type { CircuitTarget, UnitRef } from './types';

export interface ResolvedTarget {
  /** Tensor whose units the edges of the top circuit layer point to; null for 'selective'. */
  tensor: string | null;
  units: number[];
  kind: CircuitTarget['kind'];
}

export function classCount(summary: ModelSummary): number {
  const n = Number(summary.outputs[0]?.shape.at(-1));
  return Number.isInteger(n) && n > 0 ? n : summary.labels?.length ?? 0;
}

/** Checks a logit or unit target and says where it sits; circuit layers must all lie below a unit target. */
export function resolveTarget(summary: ModelSummary, target: CircuitTarget, layers: Layer[]): ResolvedTarget {
  if (target.kind === 'logit') {
    const n = classCount(summary);
    if (!Number.isInteger(target.index) || target.index < 0 || target.index >= n) {
      throw new LabError('bad-request', `Target logit ${target.index} is out of range: the model has ${n} classes (0..${n - 1}).`);
    }
    return { tensor: summary.outputs[0].name, units: [target.index], kind: 'logit' };
  }
  if (target.kind === 'unit') {
    const layer = summary.layers.find((l) => l.tensor === target.layer || l.label === target.layer);
    if (!layer) throw new LabError('bad-request', `Unknown target layer "${target.layer}". \`lab inspect\` lists the layers.`);
    if (!Number.isInteger(target.unit) || target.unit < 0 || target.unit >= layer.channels) {
      throw new LabError('bad-request', `Target unit ${target.unit} is out of range for ${layer.label} (0..${layer.channels - 1}).`);
    }
    const order = summary.layers.findIndex((l) => l.tensor === layer.tensor);
    const above = layers.filter((l) => summary.layers.findIndex((x) => x.tensor === l.tensor) >= order);
    if (above.length > 0) {
      throw new LabError('bad-request', `The circuit's layers must lie below the target ${layer.label}:${target.unit}; ${above.map((l) => l.label).join(', ')} do not.`);
    }
    return { tensor: layer.tensor, units: [target.unit], kind: 'unit' };
  }
  const last = layers[layers.length - 1];
  if (!Number.isInteger(target.count) || target.count < 1 || target.count > last.channels) {
    throw new LabError('bad-request', `A selective target takes 1..${last.channels} units of ${last.label}; got ${target.count}.`);
  }
  return { tensor: null, units: [], kind: 'selective' };
}

/**
 * The most selective units: largest (mean over examples − mean over contrast) / pooled sd of the
 * units' a_n, as [N, C] rows of each set.
 */
export function selectiveUnits(examples: Float32Array, contrast: Float32Array, channels: number, count: number): { units: number[]; scores: number[] } {
  const stats = (rows: Float32Array) => {
    const n = rows.length / channels;
    const mean = new Float64Array(channels);
    const sq = new Float64Array(channels);
    for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) mean[c] += rows[i * channels + c] / n;
    for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) sq[c] += (rows[i * channels + c] - mean[c]) ** 2 / Math.max(1, n - 1);
    return { mean, sq };
  };
  const a = stats(examples);
  const b = stats(contrast);
  const scores = Array.from({ length: channels }, (_, c) => (a.mean[c] - b.mean[c]) / Math.sqrt((a.sq[c] + b.sq[c]) / 2 + 1e-8));
  const units = topK(scores, count);
  return { units, scores: units.map((u) => scores[u]) };
}

export const unitRefs = (layer: string, units: number[]): UnitRef[] => units.map((unit) => ({ layer, unit }));
