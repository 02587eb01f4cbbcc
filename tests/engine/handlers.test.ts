/** The worker's request handlers under Node: load, predict, run, and failures that keep state. */
import { afterAll, describe, expect, it } from 'vitest';
import type { LabError } from '../../src/engine/errors';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { EngineHandlers, softmax } from '../../src/worker/handlers';
import type { RawImage } from '../../src/engine/types';
import { readFixture } from './helpers';

const handlers = new EngineHandlers(nodeRuntime());
const signal = new AbortController().signal;
const noProgress = () => undefined;
const image: RawImage = { width: 32, height: 24, channels: 3, data: Uint8Array.from({ length: 32 * 24 * 3 }, (_, i) => (i * 13) % 256) };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as LabError).code;
  }
  return 'no error';
}

describe('engine handlers', () => {
  afterAll(() => handlers.handle({ kind: 'releaseModel' }, signal, noProgress));

  it('loads a model with progress, then predicts and runs probes', async () => {
    const stages: string[] = [];
    const loaded = await handlers.handle({ kind: 'loadModel', name: 'squeezenet', bytes: readFixture('squeezenet1_0.onnx') }, signal, (p) => stages.push(p.stage));
    expect(loaded.kind).toBe('loadModel');
    if (loaded.kind !== 'loadModel') return;
    expect(stages).toEqual(['parse', 'dry-run', 'session']);
    expect(loaded.backend.name).toBe('cpu');

    const predicted = await handlers.handle({ kind: 'predict', image }, signal, noProgress);
    if (predicted.kind !== 'predict') throw new Error('wrong body');
    const { prediction } = predicted;
    expect(prediction.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(prediction.top[0].probability).toBe(Math.max(...prediction.probabilities));
    expect(prediction.top[0].label).toBe(`class ${prediction.top[0].index}`);

    const layer = loaded.summary.layers[3];
    const ran = await handlers.handle({ kind: 'run', images: [image, image], layers: [layer.tensor] }, signal, noProgress);
    if (ran.kind !== 'run') throw new Error('wrong body');
    expect(ran.result.stats[layer.tensor].max.dims).toEqual([2, layer.channels]);
    // The probed logits equal the plain prediction's.
    const first = Array.from(ran.result.logits.data.subarray(0, 1000));
    expect(Math.max(...first.map((v, i) => Math.abs(v - prediction.logits[i])))).toBeLessThan(1e-4);
  });

  it('a failed load keeps the previous model usable', async () => {
    const junk = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) % 256);
    expect(await codeOf(handlers.handle({ kind: 'loadModel', name: 'junk', bytes: junk }, signal, noProgress))).toBe('bad-model');
    expect(await codeOf(handlers.handle({ kind: 'loadModel', name: 'mlp', bytes: readFixture('no_image_input.onnx') }, signal, noProgress))).toBe('no-image-input');
    const predicted = await handlers.handle({ kind: 'predict', image }, signal, noProgress);
    expect(predicted.kind).toBe('predict');
  });

  it('refuses unknown layers and out-of-range units with a message naming them', async () => {
    await expect(handlers.handle({ kind: 'run', images: [image], layers: ['nope'] }, signal, noProgress)).rejects.toThrow(/Unknown layer "nope"/);
  });

  it('a cancelled request rejects with cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await codeOf(handlers.handle({ kind: 'run', images: [image], layers: [] }, controller.signal, noProgress))).toBe('cancelled');
  });

  it('softmax is stable for large logits', () => {
    const p = softmax([1000, 1000, -1000]);
    expect(p[0]).toBeCloseTo(0.5);
    expect(p[2]).toBe(0);
  });
});
