/**
 * The worker's gradient requests: attribution maps of an image (gradient × input, integrated
 * gradients) and feature visualisation of a unit. One gradient session per target (a unit's
 * spatial sum, a class logit, a unit's pre-ReLU max or mean), the few most recent kept open.
 * A visualisation lets attribution requests run between its steps (src/worker/lanes.ts), so a
 * session is leased while in use: one evicted meanwhile is released when its last user is done.
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
import { DEFAULT_OBJECTIVE, DEFAULT_SAMPLES, DEFAULT_STEPS, FEATURE_OBJECTIVES, featureObjective, isFeatureObjective, preRelu, visualize, type FeatureObjective } from '../engine/featvis';
import type { LoadedModel } from '../engine/lab/loadedModel';
import type { GradientTarget } from '../engine/onnx/backward';
import type { Model } from '../engine/onnx/model';
import type { Runtime, SessionOptions } from '../engine/runtime/types';
import type { RawImage, TensorF32 } from '../engine/types';
import type { EngineResponseBody, Progress } from './protocol';
import { hasMap } from '../engine/onnx/tokens';

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
  /** The backend the gradient session ran on ("webgpu", "wasm", "cpu"). */
  backend: string;
}

export interface FeatureVisRequest {
  layer: string;
  unit: number;
  seed: number;
  samples?: number;
  steps?: number;
  /** What is maximised (default 'max': the spatial max, the exemplar ranking score). */
  objective?: FeatureObjective;
}

export interface FeatureVisProgress {
  step: number;
  steps: number;
  /** The objective (the unit's channel max or mean, pre-ReLU for ReLU layers) per sample. */
  values: number[];
  preview?: RawImage[];
}

export interface FeatureVisResult {
  modelSha256: string;
  layer: string;
  unit: number;
  seed: number;
  steps: number;
  objective: FeatureObjective;
  /** The tensor maximised (the Relu's input for a ReLU layer). */
  objectiveTensor: string;
  images: RawImage[];
  /** The objective per sample on its final image. */
  objectiveValues: number[];
  /** The unit's spatial max per sample on its final image — the exemplar ranking score. */
  activation: number[];
  ms: number;
}

type Body<K extends EngineResponseBody['kind']> = Extract<EngineResponseBody, { kind: K }>;

/** Gradient sessions kept open (each is a copy of the model plus its backward graph). */
const KEEP_RUNNERS = 3;

interface RunnerEntry {
  runner: Promise<GradientRunner>;
  /** Requests using it now. */
  users: number;
  /** Out of the cache: released when the last user is done. */
  evicted: boolean;
}

/** The gradient model to build: the model (maybe with an appended objective) and its target. */
type Plan = () => { model: Model; target: GradientTarget };

export class GradHost {
  private readonly runners = new Map<string, RunnerEntry>();

  /** Runs `use` with the gradient session of `key` (opened from `plan` when not cached). */
  private async withRunner<T>(
    runtime: Runtime,
    session: SessionOptions,
    model: LoadedModel,
    key: string,
    plan: Plan,
    use: (r: GradientRunner) => Promise<T>,
  ): Promise<T> {
    const full = `${model.summary.sha256}|${key}`;
    let e = this.runners.get(full);
    if (e) {
      this.runners.delete(full);
    } else {
      const { imageInput, preprocess } = model.summary;
      const runner = Promise.resolve().then(() => {
        const p = plan();
        return openGradientRunner(runtime, p.model, imageInput.name, preprocess.size, p.target, session);
      });
      const entry: RunnerEntry = { runner, users: 0, evicted: false };
      runner.catch(() => {
        if (this.runners.get(full) === entry) this.runners.delete(full);
      });
      e = entry;
    }
    this.runners.set(full, e);
    e.users++;
    while (this.runners.size > KEEP_RUNNERS) {
      const [old, o] = this.runners.entries().next().value!;
      this.runners.delete(old);
      o.evicted = true;
      if (o.users === 0) void o.runner.then((x) => x.release()).catch(() => undefined);
    }
    try {
      return await use(await e.runner);
    } finally {
      e.users--;
      if (e.evicted && e.users === 0) void e.runner.then((x) => x.release()).catch(() => undefined);
    }
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
      const layer = this.checkUnit(model, t.layer, t.unit);
      target = { kind: 'unit', tensor: t.layer, unit: t.unit, reduce: 'sum', ...(layer.tokens ? { tokens: layer.tokens } : {}) };
    } else {
      target = { kind: 'logit', index: t.index };
    }
    if (method !== 'grad-input' && method !== 'integrated-gradients') throw new LabError('bad-request', `Unknown attribution method "${String(method)}".`);
    const result = await this.withRunner(runtime, session, model, JSON.stringify(target), () => ({ model: model.model, target }), (runner) =>
      this.attribute(runner, model, request, signal, progress),
    );
    result.ms = performance.now() - t0;
    return { kind: 'attribution', result };
  }

  private async attribute(runner: GradientRunner, model: LoadedModel, request: AttributionRequest, signal: AbortSignal, progress: (p: Progress) => void): Promise<AttributionResult> {
    const { target: t, method } = request;
    const p = model.summary.preprocess;
    const x = imagesToTensor([request.image], p);
    let result: AttributionResult;
    if (method === 'grad-input') {
      const a = await gradientTimesInput(runner, x, signal);
      result = { method, target: t, baseline: null, steps: null, map: pixelMap(a.attribution, 'signed'), value: a.value, baselineValue: null, sum: sum(a.attribution.data), completenessError: null, ms: 0, backend: runner.backend.name };
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
        backend: runner.backend.name,
      };
    }
    return result;
  }

  async featureVis(
    runtime: Runtime,
    session: SessionOptions,
    model: LoadedModel,
    request: FeatureVisRequest,
    signal: AbortSignal,
    progress: (p: Progress) => void,
    between?: () => Promise<void>,
  ): Promise<Body<'featureVis'>> {
    const t0 = performance.now();
    const layer = this.checkUnit(model, request.layer, request.unit);
    const objective = request.objective ?? DEFAULT_OBJECTIVE;
    if (!isFeatureObjective(objective)) throw new LabError('bad-request', `Unknown objective "${String(objective)}" (${FEATURE_OBJECTIVES.join(' or ')}).`);
    progress({ stage: 'featvis', fraction: 0, message: 'Building the gradient session' });
    const steps = request.steps ?? DEFAULT_STEPS;
    const plan = () => {
      const p = featureObjective(model.model, layer.tensor, layer.shape, request.unit, objective, layer.tokens);
      return { model: p.model, target: p.target };
    };
    const vis = await this.withRunner(runtime, session, model, `featvis|${objective}|${layer.tensor}#${request.unit}`, plan, (runner) =>
      visualize(runner, model.summary.preprocess, {
        seed: request.seed,
        samples: request.samples ?? DEFAULT_SAMPLES,
        steps,
        signal,
        between,
        onProgress: (p) =>
          progress({ stage: 'featvis', fraction: p.step / p.steps, message: `Optimising: step ${p.step} of ${p.steps}`, featvis: { step: p.step, steps: p.steps, values: p.values, preview: p.preview } }),
      }),
    );
    // The unit's own score on the final images, as the exemplars are ranked: its spatial max.
    const spatial = hasMap(layer);
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
        objective,
        objectiveTensor: preRelu(model.model, layer.tensor),
        images: vis.images,
        objectiveValues: vis.values,
        activation,
        ms: performance.now() - t0,
      },
    };
  }

  /** Releases every gradient session (the model changed or went away). */
  async clear(): Promise<void> {
    const all = [...this.runners.values()];
    this.runners.clear();
    await Promise.all(
      all.map((e) => {
        e.evicted = true;
        return e.users === 0 ? e.runner.then((r) => r.release()).catch(() => undefined) : undefined;
      }),
    );
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
