/**
 * Opening a model: decode, read its static facts, and find its layers by a dry run — every
 * intermediate tensor is exposed as an output and the model runs once on a blank image, which
 * gives true shapes for any exporter (no shape inference to trust).
 */
import { LabError, asLabError, sessionError } from '../errors';
import { decodeModel, encodeModel, metadata, opsetVersion, type Model, type Node } from '../onnx/model';
import { realInputs } from '../onnx/graph';
import { friendlyLabels } from '../onnx/names';
import { exposeTensors } from '../onnx/probes';
import { findImageInput, ioInfo, opHistogram, parameterCount } from '../onnx/summary';
import { tokenLayout } from '../onnx/tokens';
import { preprocessFor } from '../data/preprocess';
import type { Runtime, SessionOptions } from '../runtime/types';
import type { Layer, ModelSummary, Preprocess, TokenLayout } from '../types';
import { sha256Hex } from './hash';
import { layerMemoKey, type LayerMemo } from './layerMemo';

/** Ops whose outputs only reshape or copy another layer, or compute shapes: not layers. */
const NOT_LAYERS = new Set([
  'Shape', 'Constant', 'ConstantOfShape', 'Gather', 'Unsqueeze', 'Squeeze', 'Reshape', 'Flatten',
  'Transpose', 'Identity', 'Dropout', 'Cast', 'Slice', 'Range', 'Expand', 'Tile', 'Split',
]);

export interface InspectOptions {
  preprocess?: Partial<Omit<Preprocess, 'source'>>;
  /** Session options of the model's real sessions; the dry run shares their threads. */
  session?: SessionOptions;
  signal?: AbortSignal;
  onProgress?: (stage: string, message: string) => void;
  /** Where dry-run results are remembered between visits (default: nowhere). */
  layerMemo?: LayerMemo;
}

export interface Inspected {
  model: Model;
  summary: ModelSummary;
}

export async function inspectModel(runtime: Runtime, bytes: Uint8Array, name: string, options: InspectOptions = {}): Promise<Inspected> {
  options.onProgress?.('parse', 'Reading the ONNX graph');
  const [model, sha256] = await Promise.all([Promise.resolve().then(() => decodeModel(bytes)), sha256Hex(bytes)]);
  const imageInput = findImageInput(model);
  const inputs = realInputs(model.graph);
  const others = inputs.filter((v) => v.name !== imageInput.name);
  if (others.length) {
    throw new LabError('no-image-input', `The model needs inputs besides the image (${others.map((v) => v.name).join(', ')}); the lab feeds only an image.`);
  }
  const meta = metadata(model);
  let preprocess = preprocessFor(meta, [imageInput.height, imageInput.width]);
  if (options.preprocess && Object.keys(options.preprocess).length) {
    preprocess = { ...preprocess, ...options.preprocess, source: 'override' };
  }
  const [h, w] = preprocess.size;
  if ((imageInput.height !== null && imageInput.height !== h) || (imageInput.width !== null && imageInput.width !== w)) {
    throw new LabError(
      'bad-request',
      `This model takes ${imageInput.height}×${imageInput.width} images (its input is fixed); a size of ${h}×${w} cannot be used.`,
    );
  }
  const layers = await findLayers(runtime, model, sha256, preprocess, options);
  let labels: string[] | null = null;
  try {
    const parsed: unknown = JSON.parse(meta['lab.labels'] ?? 'null');
    if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) labels = parsed;
  } catch {
    labels = null;
  }
  const summary: ModelSummary = {
    name,
    sha256,
    bytes: bytes.byteLength,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    opset: opsetVersion(model),
    inputs: inputs.map(ioInfo),
    outputs: model.graph.output.map(ioInfo),
    imageInput,
    ops: opHistogram(model),
    parameters: parameterCount(model),
    layers,
    preprocess,
    labels,
  };
  return { model, summary };
}

/** The layers from the memo when it has this model at this size, else from a dry run (then remembered). */
async function findLayers(runtime: Runtime, model: Model, sha256: string, p: Preprocess, options: InspectOptions): Promise<Layer[]> {
  const { layerMemo } = options;
  const key = layerMemoKey(sha256, p.size);
  // A memo that cannot be read or written costs a dry run, nothing more.
  const known = await layerMemo?.get(key).catch(() => undefined);
  if (known) return known;
  options.onProgress?.('dry-run', 'Finding layers with a dry run');
  const layers = await dryRunLayers(runtime, model, p, options);
  await layerMemo?.put(key, layers).catch(() => undefined);
  return layers;
}

async function dryRunLayers(runtime: Runtime, model: Model, p: Preprocess, { signal, session: sessionOptions }: InspectOptions): Promise<Layer[]> {
  const candidates = model.graph.node.flatMap((node) =>
    NOT_LAYERS.has(node.opType) ? [] : node.output.filter(Boolean).map((tensor) => ({ node, tensor })),
  );
  const probe = exposeTensors(model, candidates.map((c) => c.tensor));
  let session;
  try {
    // On the CPU: the dry run fetches every tensor once, which GPU backends gain nothing from.
    session = await runtime.createSession(encodeModel(probe), { ...sessionOptions, prefer: ['wasm', 'cpu'] });
  } catch (err) {
    throw sessionError(err);
  }
  try {
    const input = findImageInput(model);
    const [H, W] = p.size;
    const blank = { dims: [1, 3, H, W], data: new Float32Array(3 * H * W) };
    const out = await session.run({ [input.name]: blank }, { outputs: candidates.map((c) => c.tensor), signal }).catch((err) => {
      throw asLabError(err, 'bad-model');
    });
    // NCHW maps, [N,C] vectors, and [N,T,C] token layers whose patches tile the image.
    const kept = candidates.flatMap(({ node, tensor }): Array<{ node: Node; tensor: string; channels: number; tokens?: TokenLayout }> => {
      const t = out[tensor];
      if (!t || t.type !== 'float32' || t.dims[0] !== 1) return [];
      if (t.dims.length === 4 || t.dims.length === 2) return [{ node, tensor, channels: t.dims[1] }];
      const tokens = tokenLayout(t.dims, [H, W]);
      return tokens ? [{ node, tensor, channels: t.dims[2], tokens }] : [];
    });
    const labels = friendlyLabels(kept);
    return kept.map(({ node, tensor, channels, tokens }, i) => ({
      tensor,
      label: labels[i],
      op: node.opType,
      channels,
      shape: out[tensor].dims,
      ...(tokens ? { tokens } : {}),
    }));
  } finally {
    await session.release();
  }
}
