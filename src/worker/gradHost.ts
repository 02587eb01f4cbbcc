/**
 * The worker's gradient requests: attribution maps of an image (gradient × input, integrated
 * gradients) and feature visualisation of a unit. One gradient session per target (a unit's
 * spatial sum, a class logit, a unit's pre-ReLU mean), the few most recent kept open.
 */
import {
  baselineFor,
  DEFAULT_IG_STEPS,
  gradientTimesInput,
  integratedGradients,
  openGradientRunner,
  pixelMap,
  type BaselineKind,
  type GradientRunner,
} from '../engine/attribution';
import { imagesToTensor } from '../engine/data/preprocess';
import { LabError } from '../engine/errors';
import { mapRange } from '../engine/exemplars/maps';
import { DEFAULT_SAMPLES, DEFAULT_STEPS, featureTarget, visualize } from '../engine/featvis';
import type { LoadedModel } from '../engine/lab/loadedModel';
import type { GradientTarget } from '../engine/onnx/backward';
import type { Runtime, SessionOptions } from '../engine/runtime/types';
import type { RawImage, TensorF32 } from '../engine/types';
import type { EngineResponseBody, Progress } from './protocol';

/** What an attribution explains: a unit's spatial sum, or a class logit. */
export type AttributionTarget = { kind: 'unit'; layer: string; unit: number } | { kind: 'logit'; index: number };
export type AttributionMethod = 'grad-input' | 'integrated-gradients';

export interface AttributionRequest {
  image: RawImage;
  target: AttributionTarget;
  method: AttributionMethod;
  /** Integrated gradients only (default 'blur'). */
  baseline?: BaselineKind;
  /** Integrated gradients only (default 32). */
  steps?: number;
}

export interface AttributionResult {
  method: AttributionMethod;
  target: AttributionTarget;
  baseline: BaselineKind | null;
  steps: number | null;
  /** Σ over colour channels of the attribution, signed, dims [H, W] (the model's input size). */
  map: TensorF32;
  /** The target at the image. */
  value: number;
  /** Integrated gradients: the target at the baseline, Σ attribution, and the completeness gap. */
  baselineValue: number | null;
  sum: number;
  completenessError: number | null;
  ms: number;
}

export interface FeatureVisRequest {
  layer: string;
  unit: number;
  seed: number;
  samples?: number;
  steps?: number;
}

export interface FeatureVisProgress {
  step: number;
  steps: number;
  /** The objective (the unit's channel mean, pre-ReLU for ReLU layers) per sample. */
  values: number[];
  preview?: RawImage[];
}

export interface FeatureVisResult {
  modelSha256: string;
  layer: string;
  unit: number;
  seed: number;
  steps: number;
  /** The tensor maximised (the Relu's input for a ReLU layer). */
  objectiveTensor: string;
  images: RawImage[];
  /** The objective per sample on its final image. */
  objective: number[];
  /** The unit's spatial max per sample on its final image — the exemplar ranking score. */
  activation: number[];
  ms: number;
}

type Body<K extends EngineResponseBody['kind']> = Extract<EngineResponseBody, { kind: K }>;

/** Gradient sessions kept open (each is a copy of the model plus its backward graph). */
const KEEP_RUNNERS = 3;

export class GradHost {
  private readonly runners = new Map<string, Promise<GradientRunner>>();

  private runner(runtime: Runtime, session: SessionOptions, model: LoadedModel, target: GradientTarget): Promise<GradientRunner> {
    const key = `${model.summary.sha256}|${JSON.stringify(target)}`;
    let r = this.runners.get(key);
    if (r) {
      this.runners.delete(key);
    } else {
      const { imageInput, preprocess } = model.summary;
      r = openGradientRunner(runtime, model.model, imageInput.name, preprocess.size, target, session);
      r.catch(() => this.runners.delete(key));
    }
    this.runners.set(key, r);
    while (this.runners.size > KEEP_RUNNERS) {
      const [old, p] = this.runners.entries().next().value!;
      this.runners.delete(old);
      // Runs go one at a time (the worker's model lane), so an evicted runner is idle.
      void p.then((x) => x.release()).catch(() => undefined);
    }
    return r;
  }

  private layer(model: LoadedModel, tensor: string) {
    const layer = model.summary.layers.find((l) => l.tensor === tensor);
    if (!layer) throw new LabError('bad-request', `Unknown layer "${tensor.slice(0, 120)}" in ${model.summary.name}.`);
    return layer;
  }

  private checkUnit(model: LoadedModel, tensor: string, unit: number) {
    const layer = this.layer(model, tensor);
    if (!Number.isInteger(unit) || unit < 0 || unit >= layer.channels) {
      throw new LabError('bad-request', `Unit ${unit} is out of range for ${layer.label} (0..${layer.channels - 1}).`);
    }
    return layer;
  }

  async attribution(
    runtime: Runtime,
    session: SessionOptions,
    model: LoadedModel,
    request: AttributionRequest,
    signal: AbortSignal,
    progress: (p: Progress) => void,
  ): Promise<Body<'attribution'>> {
    const t0 = performance.now();
    const { target: t, method } = request;
    let target: GradientTarget;
    if (t.kind === 'unit') {
      this.checkUnit(model, t.layer, t.unit);
      target = { kind: 'unit', tensor: t.layer, unit: t.unit, reduce: 'sum' };
    } else {
      target = { kind: 'logit', index: t.index };
    }
    if (method !== 'grad-input' && method !== 'integrated-gradients') throw new LabError('bad-request', `Unknown attribution method "${String(method)}".`);
    const runner = await this.runner(runtime, session, model, target);
    const p = model.summary.preprocess;
    const x = imagesToTensor([request.image], p);
    let result: AttributionResult;
    if (method === 'grad-input') {
      const a = await gradientTimesInput(runner, x, signal);
      result = { method, target: t, baseline: null, steps: null, map: pixelMap(a.attribution, 'signed'), value: a.value, baselineValue: null, sum: sum(a.attribution.data), completenessError: null, ms: 0 };
    } else {
      const baseline = request.baseline ?? 'blur';
      if (baseline !== 'black' && baseline !== 'blur') throw new LabError('bad-request', `Unknown baseline "${String(baseline)}" (black or blur).`);
      const ig = await integratedGradients(runner, x, baselineFor(baseline, x, p), {
        steps: request.steps ?? DEFAULT_IG_STEPS,
        signal,
        onProgress: (done, total) => progress({ stage: 'attribution', fraction: done / total, message: `Integrated gradients: ${done} of ${total} steps` }),
      });
      result = {
        method,
        target: t,
        baseline,
        steps: ig.steps,
        map: pixelMap(ig.attribution, 'signed'),
        value: ig.value,
        baselineValue: ig.baselineValue,
        sum: ig.sum,
        completenessError: ig.completenessError,
        ms: 0,
      };
    }
    result.ms = performance.now() - t0;
    return { kind: 'attribution', result };
  }

  async featureVis(
    runtime: Runtime,
    session: SessionOptions,
    model: LoadedModel,
    request: FeatureVisRequest,
    signal: AbortSignal,
    progress: (p: Progress) => void,
  ): Promise<Body<'featureVis'>> {
    const t0 = performance.now();
    const layer = this.checkUnit(model, request.layer, request.unit);
    const target = featureTarget(model.model, layer.tensor, request.unit);
    progress({ stage: 'featvis', fraction: 0, message: 'Building the gradient session' });
    const runner = await this.runner(runtime, session, model, target);
    const steps = request.steps ?? DEFAULT_STEPS;
    const vis = await visualize(runner, model.summary.preprocess, {
      seed: request.seed,
      samples: request.samples ?? DEFAULT_SAMPLES,
      steps,
      signal,
      onProgress: (p) =>
        progress({ stage: 'featvis', fraction: p.step / p.steps, message: `Optimising: step ${p.step} of ${p.steps}`, featvis: { step: p.step, steps: p.steps, values: p.values, preview: p.preview } }),
    });
    // The unit's own score on the final images, as the exemplars are ranked: its spatial max.
    const spatial = layer.shape.length === 4;
    const run = await model.run({ images: vis.images, layers: spatial ? [] : [layer.tensor], maps: spatial ? [{ layer: layer.tensor, unit: request.unit }] : [], signal });
    const n = vis.images.length;
    let activation: number[];
    if (spatial) {
      const m = run.maps[`${layer.tensor}#${request.unit}`];
      const per = m.data.length / n;
      activation = Array.from({ length: n }, (_, i) => mapRange(m.data.subarray(i * per, (i + 1) * per)).max);
    } else {
      const C = layer.channels;
      activation = Array.from({ length: n }, (_, i) => run.stats[layer.tensor].max.data[i * C + request.unit]);
    }
    return {
      kind: 'featureVis',
      result: {
        modelSha256: model.summary.sha256,
        layer: layer.tensor,
        unit: request.unit,
        seed: request.seed,
        steps,
        objectiveTensor: target.tensor,
        images: vis.images,
        objective: vis.values,
        activation,
        ms: performance.now() - t0,
      },
    };
  }

  /** Releases every gradient session (the model changed or went away). */
  async clear(): Promise<void> {
    const all = [...this.runners.values()];
    this.runners.clear();
    await Promise.all(all.map((p) => p.then((r) => r.release()).catch(() => undefined)));
  }
}

function sum(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

/** Buffers a gradient answer owns alone (moved to the page instead of copied). */
export function gradTransferables(body: EngineResponseBody): ArrayBuffer[] {
  if (body.kind === 'attribution') return [body.result.map.data.buffer as ArrayBuffer];
  if (body.kind === 'featureVis') return body.result.images.map((i) => i.data.buffer as ArrayBuffer);
  return [];
}
