/**
 * Units' activations as MAIA's call_unit reports them: per image, the spatial maximum of each
 * unit's map at one layer (one probed run per batch), and the top exemplar's activation (the
 * largest over a dataset), which normalises the predictive scores.
 */
import type { SceneDataset } from '../../data/datasets';
import { LabError } from '../../errors';
import type { LoadedModel } from '../../lab/loadedModel';
import type { RawImage } from '../../types';

export const ACTIVATION_BATCH = 32;

/** [images × channels] spatial maxima at `layer`, row-major. */
export async function unitMaxima(model: LoadedModel, layer: string, images: RawImage[], signal?: AbortSignal): Promise<{ channels: number; data: Float32Array }> {
  const info = model.summary.layers.find((l) => l.tensor === layer);
  if (!info) throw new LabError('bad-request', `Unknown layer "${layer}". \`lab inspect\` lists the layers.`);
  const channels = info.channels;
  const data = new Float32Array(images.length * channels);
  for (let i = 0; i < images.length; i += ACTIVATION_BATCH) {
    const batch = images.slice(i, i + ACTIVATION_BATCH);
    const out = await model.run({ images: batch, layers: [layer], signal });
    data.set(out.stats[layer].max.data, i * channels);
  }
  return { channels, data };
}

/** One unit's column of unitMaxima. */
export function unitColumn(m: { channels: number; data: Float32Array }, unit: number): number[] {
  const n = m.data.length / m.channels;
  return Array.from({ length: n }, (_, i) => m.data[i * m.channels + unit]);
}

/** Each unit's largest activation over the first `count` scenes of a dataset (its top exemplar). */
export async function topActivations(model: LoadedModel, layer: string, ds: SceneDataset, count: number, signal?: AbortSignal): Promise<Float32Array> {
  const n = Math.min(count, ds.count);
  let top: Float32Array | null = null;
  for (let i = 0; i < n; i += 256) {
    const images = Array.from({ length: Math.min(256, n - i) }, (_, j) => ds.image(i + j));
    const m = await unitMaxima(model, layer, images, signal);
    top ??= new Float32Array(m.channels).fill(-Infinity);
    for (let k = 0; k < m.data.length; k++) {
      const c = k % m.channels;
      if (m.data[k] > top[c]) top[c] = m.data[k];
    }
  }
  if (!top) throw new LabError('bad-request', 'No scenes to find the top exemplars in.');
  return top;
}
