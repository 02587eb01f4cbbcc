/**
 * A model open in the engine: its summary, a plain session for predictions, and probe sessions
 * (cached by the probed layer set) for per-layer statistics and unit maps. The worker and the
 * CLI both drive models through this class.
 */
import { imagesToTensor } from '../data/preprocess';
import { LabError, asLabError, sessionError } from '../errors';
import { encodeModel, type Model } from '../onnx/model';
import { addProbes, probeOutput } from '../onnx/probes';
import { hasMap } from '../onnx/tokens';
import type { Runtime, Session, SessionOptions } from '../runtime/types';
import type { ModelSummary, Preprocess, RawImage, RunResult, TensorF32 } from '../types';
import { inspectModel, type InspectOptions } from './inspect';

export interface RunRequest {
  images: RawImage[];
  /** Layer tensors to reduce to [N,C] max/mean; unknown names are an error. */
  layers?: string[];
  maps?: Array<{ layer: string; unit: number }>;
  signal?: AbortSignal;
  /** Normalisation for this run instead of the model's (a dataset's mean/std override). */
  preprocess?: Preprocess;
}

/** Probe sessions kept open per model (least recently used ones are released beyond this). */
export const MAX_PROBE_SESSIONS = 8;

export class LoadedModel {
  private readonly probeSessions = new Map<string, Promise<Session>>();

  private constructor(
    private readonly runtime: Runtime,
    private readonly sessionOptions: SessionOptions,
    readonly model: Model,
    readonly summary: ModelSummary,
    private readonly base: Session,
  ) {}

  static async open(
    runtime: Runtime,
    bytes: Uint8Array,
    name: string,
    options: InspectOptions = {},
  ): Promise<LoadedModel> {
    const { model, summary } = await inspectModel(runtime, bytes, name, options);
    options.onProgress?.('session', 'Creating the inference session');
    let base: Session;
    try {
      base = await runtime.createSession(bytes, options.session);
    } catch (err) {
      throw sessionError(err);
    }
    return new LoadedModel(runtime, options.session ?? {}, model, summary, base);
  }

  get backend() {
    return this.base.backend;
  }

  /**
   * The same model with another graph of the same interface (circuit edits: scaled units, pruned
   * weights): its own sessions, this summary with `sha256` as its identity (caches keyed by the
   * model then never mix the two). No dry run: the layers and their shapes are unchanged.
   */
  async derive(model: Model, sha256: string): Promise<LoadedModel> {
    let base: Session;
    try {
      base = await this.runtime.createSession(encodeModel(model), this.sessionOptions);
    } catch (err) {
      throw sessionError(err);
    }
    return new LoadedModel(this.runtime, this.sessionOptions, model, { ...this.summary, sha256 }, base);
  }

  /** Logits of a batch from the unmodified model. */
  async logits(images: RawImage[], signal?: AbortSignal, preprocess: Preprocess = this.summary.preprocess): Promise<TensorF32> {
    const input = imagesToTensor(images, preprocess);
    const out = await this.base.run({ [this.summary.imageInput.name]: input }, { signal }).catch((e) => {
      throw asLabError(e);
    });
    return out[this.summary.outputs[0].name];
  }

  /** Logits plus per-layer [N,C] max/mean and requested unit maps, from one probed run. */
  async run(request: RunRequest): Promise<RunResult> {
    const layers = request.layers ?? [];
    const maps = request.maps ?? [];
    if (layers.length === 0 && maps.length === 0) {
      return { logits: await this.logits(request.images, request.signal, request.preprocess), stats: {}, maps: {} };
    }
    const byTensor = new Map(this.summary.layers.map((l) => [l.tensor, l]));
    for (const t of [...layers, ...maps.map((m) => m.layer)]) {
      if (!byTensor.has(t)) throw new LabError('bad-request', `Unknown layer "${t}". Run \`lab inspect\` to list layers.`);
    }
    for (const m of maps) {
      const layer = byTensor.get(m.layer)!;
      if (!Number.isInteger(m.unit) || m.unit < 0 || m.unit >= layer.channels) {
        throw new LabError('bad-request', `Unit ${m.unit} is out of range for ${layer.label} (0..${layer.channels - 1}).`);
      }
      if (!hasMap(layer)) throw new LabError('bad-request', `${layer.label} has no spatial map (shape [${layer.shape}]).`);
    }
    const session = await this.probeSession(layers, maps);
    const input = imagesToTensor(request.images, request.preprocess ?? this.summary.preprocess);
    const out = await session.run({ [this.summary.imageInput.name]: input }, { signal: request.signal }).catch((e) => {
      throw asLabError(e);
    });
    const result: RunResult = { logits: out[this.summary.outputs[0].name], stats: {}, maps: {} };
    for (const t of layers) result.stats[t] = { max: out[probeOutput.max(t)], mean: out[probeOutput.mean(t)] };
    for (const m of maps) {
      const key = `${m.layer}#${m.unit}`;
      result.maps[key] = out[probeOutput.map(m.layer, m.unit)];
      const cls = out[probeOutput.classToken(m.layer, m.unit)];
      if (cls) (result.classTokens ??= {})[key] = cls;
    }
    return result;
  }

  private probeSession(layers: string[], maps: Array<{ layer: string; unit: number }>): Promise<Session> {
    const key = JSON.stringify([layers, maps]);
    let session = this.probeSessions.get(key);
    if (session) {
      // Most recently used last: the first entry is the one to release when over the cap.
      this.probeSessions.delete(key);
      this.probeSessions.set(key, session);
    } else {
      const byTensor = new Map(this.summary.layers.map((l) => [l.tensor, l]));
      const probed = addProbes(this.model, {
        layers: layers.map((t) => ({ tensor: t, rank: byTensor.get(t)!.shape.length, tokens: byTensor.get(t)!.tokens })),
        maps: maps.map((m) => ({ tensor: m.layer, unit: m.unit, tokens: byTensor.get(m.layer)!.tokens })),
      });
      session = this.runtime.createSession(encodeModel(probed), this.sessionOptions).catch((err) => {
        this.probeSessions.delete(key);
        throw sessionError(err);
      });
      this.probeSessions.set(key, session);
      // Each open unit's map is a probe session of its own: keep the most recent few. Runs go one
      // at a time (the worker's model lane; the CLI awaits each), so an evicted one is idle.
      while (this.probeSessions.size > MAX_PROBE_SESSIONS) {
        const [oldKey, old] = this.probeSessions.entries().next().value!;
        this.probeSessions.delete(oldKey);
        void old.then((s) => s.release()).catch(() => undefined);
      }
    }
    return session;
  }

  async release(): Promise<void> {
    const probes = await Promise.allSettled(this.probeSessions.values());
    this.probeSessions.clear();
    await Promise.all([
      this.base.release(),
      ...probes.map((p) => (p.status === 'fulfilled' ? p.value.release() : Promise.resolve())),
    ]);
  }
}
