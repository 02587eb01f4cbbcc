/**
 * An attribution asked for while a feature visualisation runs does not wait for it: the worker's
 * lanes (src/worker/lanes.ts, as main.ts uses them) run it between two optimisation steps, with
 * the real handlers and sessions under Node. Its map is the one it gives alone; a model load
 * queued before it keeps its place (nothing overtakes a load), and the visualisation's images
 * do not change for having been interrupted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../src/engine/data/datasets';
import type { RawImage } from '../../src/engine/types';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { EngineHandlers } from '../../src/worker/handlers';
import { RequestLanes } from '../../src/worker/lanes';
import type { EngineRequest, EngineResponseBody, Progress } from '../../src/worker/protocol';
import { REPO_ROOT } from '../setup/fixturePaths';
import { loadTestBanks } from '../synth/banks';

const BYTES = new Uint8Array(readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx')));
const LAYER = '/stage3/block0/relu2/Relu_output_0';
const signal = new AbortController().signal;
const handlers = new EngineHandlers(nodeRuntime());
const lanes = new RequestLanes();

/** Submits a request to the lanes as the worker does; resolves with its answer. */
function ask<K extends EngineRequest['kind']>(req: Extract<EngineRequest, { kind: K }>, progress: (p: Progress) => void = () => undefined) {
  return new Promise<Extract<EngineResponseBody, { kind: K }>>((resolve, reject) =>
    lanes.submit(req.kind, (yieldPoint) =>
      handlers.handle(req, signal, progress, yieldPoint).then((body) => resolve(body as Extract<EngineResponseBody, { kind: K }>), reject),
    ),
  );
}

const STEPS = 48;
const fvRequest = { kind: 'featureVis', layer: LAYER, unit: 1, seed: 3, samples: 2, steps: STEPS } as const;
let image: RawImage;
beforeAll(async () => {
  await ask({ kind: 'loadModel', name: 'placeholder', bytes: BYTES.slice() });
  image = (await openDataset('scenes-test', loadTestBanks(), { count: 3 })).image(2);
}, 120_000);
afterAll(() => handlers.handle({ kind: 'releaseModel' }, signal, () => undefined));

/** Starts a visualisation; `atStep` runs once when its first progress (step 8) arrives. */
function visualiseWith(atStep: () => void) {
  let step = 0;
  let fired = false;
  const done = ask(fvRequest, (p) => {
    if (!p.featvis) return;
    step = p.featvis.step;
    if (!fired) {
      fired = true;
      atStep();
    }
  }).then((r) => ({ result: r.result, at: performance.now() }));
  return { done, step: () => step };
}

describe('an attribution during a feature visualisation', () => {
  it('runs between its steps and answers long before it ends, with the same map as alone', async () => {
    const attrRequest = { kind: 'attribution', image, target: { kind: 'unit', layer: LAYER, unit: 5 }, method: 'grad-input' } as const;
    let attr: Promise<{ map: Float32Array; at: number; stepThen: number }> | null = null;
    const fv = visualiseWith(() => {
      attr = ask(attrRequest).then((r) => ({ map: r.result.map.data, at: performance.now(), stepThen: fv.step() }));
    });
    const vis = await fv.done;
    const a = await attr!;
    console.log(`[interleave] attribution answered at step ${a.stepThen} of ${STEPS}, ${(vis.at - a.at).toFixed(0)} ms before the visualisation ended`);
    expect(a.at).toBeLessThan(vis.at);
    expect(a.stepThen).toBeLessThan(STEPS / 2);

    // The same attribution alone, and the same visualisation uninterrupted.
    const alone = await ask(attrRequest);
    expect(Array.from(a.map)).toEqual(Array.from(alone.result.map.data));
    const plain = await ask(fvRequest);
    expect(plain.result.images.map((i) => Array.from(i.data))).toEqual(vis.result.images.map((i) => Array.from(i.data)));
  }, 600_000);

  it('does not overtake a model load queued before it', async () => {
    const order: string[] = [];
    let attr: Promise<void> | null = null;
    const fv = visualiseWith(() => {
      void ask({ kind: 'loadModel', name: 'placeholder again', bytes: BYTES.slice() }).then(() => order.push('load'));
      attr = ask({ kind: 'attribution', image, target: { kind: 'logit', index: 1 }, method: 'grad-input' }).then(() => void order.push('attribution'));
    });
    await fv.done.then(() => order.push('featvis'));
    await attr!;
    expect(order).toEqual(['featvis', 'load', 'attribution']);
  }, 600_000);
});
