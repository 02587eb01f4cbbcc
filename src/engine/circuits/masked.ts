/**
 * One masked session for every ablation of a circuit's layers: each circuit layer gets a per-row
 * mask (and shift, for mean ablation) input, so a batch holds many ablations at once — row r is
 * image x_r under its own masks. The outputs are the logits and the probed a_n of chosen layers.
 */
import { asLabError, sessionError } from '../errors';
import { addMasks, maskInput, shiftInput } from '../onnx/masks';
import { modelSession } from '../lab/modelSession';
import type { Model } from '../onnx/model';
import { addProbes, probeOutput } from '../onnx/probes';
import type { Runtime, Session, SessionOptions } from '../runtime/types';
import type { TensorF32 } from '../types';

export interface MaskedLayer {
  tensor: string;
  channels: number;
  rank: number;
}

/** A row's intervention on a layer: per-channel scale (1 = untouched) and shift (0). */
export interface RowMasks {
  scale: Float32Array;
  shift?: Float32Array;
}

export interface MaskedRows {
  /** Image index (into the input batch) of each row. */
  image: number[];
  /** Per masked layer, [rows × C] scales (and shifts); missing layers stay untouched. */
  masks: Map<string, { scale: Float32Array; shift?: Float32Array }>;
}

export interface MaskedRunner {
  readonly layers: MaskedLayer[];
  /** Logits [rows × K] and per probed layer the a_n rows [rows × C] (mean or max). */
  run(input: TensorF32, rows: MaskedRows, signal?: AbortSignal): Promise<{ logits: Float32Array; classes: number; probes: Map<string, Float32Array> }>;
  release(): Promise<void>;
}

export async function openMaskedRunner(
  runtime: Runtime,
  model: Model,
  layers: MaskedLayer[],
  probes: MaskedLayer[],
  reduce: 'mean' | 'max',
  inputName: string,
  session: SessionOptions = {},
): Promise<MaskedRunner> {
  const masked = addMasks(model, layers, { batched: true, shift: true });
  const probed = addProbes(masked, { layers: probes.map((p) => ({ tensor: p.tensor, rank: p.rank })) });
  const logitsName = model.graph.output[0].name;
  let s: Session;
  try {
    s = await modelSession(runtime, probed, session);
  } catch (err) {
    throw sessionError(err);
  }
  const outputs = [logitsName, ...probes.map((p) => probeOutput[reduce](p.tensor))];
  return {
    layers,
    async run(input, rows, signal) {
      const [, ...rest] = input.dims;
      const per = rest.reduce((a, d) => a * d, 1);
      const n = rows.image.length;
      const x = new Float32Array(n * per);
      rows.image.forEach((b, i) => x.set(input.data.subarray(b * per, (b + 1) * per), i * per));
      const feeds: Record<string, TensorF32> = { [inputName]: { dims: [n, ...rest], data: x } };
      for (const l of layers) {
        const dims = l.rank === 4 ? [n, l.channels, 1, 1] : [n, l.channels];
        const m = rows.masks.get(l.tensor);
        feeds[maskInput(l.tensor)] = { dims, data: m?.scale ?? new Float32Array(n * l.channels).fill(1) };
        feeds[shiftInput(l.tensor)] = { dims, data: m?.shift ?? new Float32Array(n * l.channels) };
      }
      const out = await s.run(feeds, { outputs, signal }).catch((e) => {
        throw asLabError(e);
      });
      const logits = out[logitsName];
      const probeRows = new Map(probes.map((p, i) => [p.tensor, out[outputs[i + 1]].data]));
      return { logits: logits.data, classes: logits.dims[1], probes: probeRows };
    },
    release: () => s.release(),
  };
}
