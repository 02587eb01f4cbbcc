/**
 * The worker's upscale requests under Node (real handlers, onnxruntime-node, the FREDSR model):
 * opening beside the loaded classifier, the contract check, whole images from an LR input or an HR
 * ground truth with bicubic and PSNR/SSIM, per-tile progress and cancel, and webcam frames that
 * reuse the buffer handed back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabError } from '../../src/engine/errors';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { resizeBicubic } from '../../src/engine/upscale/bicubic';
import { cropImage } from '../../src/engine/upscale/compare';
import { psnrY } from '../../src/engine/upscale/metrics';
import { EngineHandlers } from '../../src/worker/handlers';
import { upscaleTransferables } from '../../src/worker/upscaleHost';
import type { EngineRequest, EngineResponseBody, Progress } from '../../src/worker/protocol';
import { REPO_ROOT } from '../setup/fixturePaths';
import { fredsrBytes, photoCrop } from './photo';

const CLASSIFIER = new Uint8Array(readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx')));
const none = () => undefined;

async function ask<K extends EngineRequest['kind']>(
  h: EngineHandlers,
  req: Extract<EngineRequest, { kind: K }>,
  progress: (p: Progress) => void = none,
  signal: AbortSignal = new AbortController().signal,
): Promise<Extract<EngineResponseBody, { kind: K }>> {
  return (await h.handle(req, signal, progress)) as Extract<EngineResponseBody, { kind: K }>;
}

/** A frame result that must be the CPU copy (Node has no GPU path). */
function cpuFrame(body: Extract<EngineResponseBody, { kind: 'upscaleFrame' }>): Extract<EngineResponseBody, { kind: 'upscaleFrame'; path: 'cpu' }> {
  if (body.path !== 'cpu') throw new Error(`expected a CPU frame, got ${body.path}`);
  return body;
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return `${(err as LabError).code}: ${(err as Error).message}`;
  }
  return 'no error';
}

const h = new EngineHandlers(nodeRuntime());

beforeAll(async () => {
  await ask(h, { kind: 'loadModel', name: 'placeholder', bytes: CLASSIFIER.slice() });
  const { info } = await ask(h, { kind: 'openUpscaler', name: 'fredsr.onnx', bytes: fredsrBytes() });
  expect(info.scale).toBe(3);
  expect(info.backend.name).toBe('cpu');
});
afterAll(async () => {
  await ask(h, { kind: 'releaseUpscaler' });
  await ask(h, { kind: 'releaseModel' });
});

describe('upscale requests', () => {
  it('refuses a classifier as an upscaler, naming what it has, and keeps the open upscaler', async () => {
    const why = await failure(ask(h, { kind: 'openUpscaler', name: 'placeholder', bytes: CLASSIFIER.slice() }));
    expect(why).toMatch(/^bad-model: .*\[N,3,sH,sW\].*logits/);
    expect(await failure(ask(h, { kind: 'openUpscaler', name: 'junk', bytes: new Uint8Array([1, 2, 3, 4]) }))).toMatch(/^bad-model/);
    const { result } = await ask(h, { kind: 'upscale', source: { kind: 'lr', image: photoCrop(20, 20) } });
    expect(result.output.width).toBe(60);
  });

  it('the classifier still predicts while an upscaler is open', async () => {
    const { prediction } = await ask(h, { kind: 'predict', image: photoCrop(64, 64) });
    expect(prediction.top).toHaveLength(5);
  });

  it('an HR image alone: the input is its 3× bicubic downscale (after cropping to a multiple of 3); per-tile progress; metrics', async () => {
    const hr = photoCrop(302, 241); // cropped to 300×240 inside
    const progress: Progress[] = [];
    const { result } = await ask(h, { kind: 'upscale', source: { kind: 'hr', image: hr }, tile: 48, overlap: 8 }, (p) => progress.push(p));
    expect([result.input.width, result.input.height]).toEqual([100, 80]);
    expect(result.input.data).toEqual(resizeBicubic(cropImage(hr, { x: 0, y: 0, width: 300, height: 240 }), 100, 80).data);
    expect([result.output.width, result.output.height]).toEqual([300, 240]);
    expect([result.bicubic.width, result.bicubic.height]).toEqual([300, 240]);
    expect([result.truth!.width, result.truth!.height]).toEqual([300, 240]);
    expect(result.tiles).toBe(6);
    const tiles = progress.filter((p) => p.stage === 'upscale');
    expect(tiles.map((p) => p.fraction)).toEqual([1, 2, 3, 4, 5, 6].map((i) => i / 6));
    const m = result.metrics!;
    expect(m.border).toBe(3);
    expect(m.psnr).toBeCloseTo(psnrY(result.output, result.truth!, 3), 10);
    expect(m.psnrBicubic).toBeCloseTo(psnrY(result.bicubic, result.truth!, 3), 10);
    expect(m.psnr).toBeGreaterThan(15);
    expect(m.ssim).toBeGreaterThan(0.3);
    expect(m.ssim).toBeLessThanOrEqual(1);
    console.log(`300×240 wallpaper crop: FREDSR ${m.psnr.toFixed(2)} dB / ${m.ssim.toFixed(4)}, bicubic ${m.psnrBicubic.toFixed(2)} dB / ${m.ssimBicubic.toFixed(4)}`);
  });

  it('an LR input with an HR file: the truth must be 3× its size (up to 2 px over is cropped)', async () => {
    const hr = photoCrop(150, 120);
    const lr = resizeBicubic(hr, 50, 40);
    const ok = await ask(h, { kind: 'upscale', source: { kind: 'lr', image: lr, truth: photoCrop(152, 122) } });
    expect(ok.result.truth!.width).toBe(150);
    expect(ok.result.metrics).not.toBeNull();
    const bad = await failure(ask(h, { kind: 'upscale', source: { kind: 'lr', image: lr, truth: photoCrop(120, 120) } }));
    expect(bad).toMatch(/^bad-image: The ground truth is 120×120; .*\(150×120\)/);
    const none = await ask(h, { kind: 'upscale', source: { kind: 'lr', image: lr } });
    expect(none.result.metrics).toBeNull();
  });

  it('cancel between tiles stops the upscale', async () => {
    const controller = new AbortController();
    const why = await failure(
      ask(h, { kind: 'upscale', source: { kind: 'lr', image: photoCrop(160, 160) }, tile: 32, overlap: 4 }, (p) => {
        if (p.stage === 'upscale' && p.fraction !== null && p.fraction >= 0.2) controller.abort();
      }, controller.signal),
    );
    expect(why).toMatch(/^cancelled/);
  });

  it('webcam frames: 3× the frame, the same as a whole-image upscale, into the buffer handed back', async () => {
    const frame = photoCrop(96, 54);
    const first = cpuFrame(await ask(h, { kind: 'upscaleFrame', frame }));
    expect([first.image.width, first.image.height]).toEqual([288, 162]);
    const whole = await ask(h, { kind: 'upscale', source: { kind: 'lr', image: frame }, tile: 0 });
    expect(first.image.data).toEqual(whole.result.output.data);
    const reuse = first.image.data as Uint8ClampedArray;
    const second = cpuFrame(await ask(h, { kind: 'upscaleFrame', frame: photoCrop(96, 54, 5, 0), reuse }));
    expect(second.image.data).toBe(reuse);
    expect(second.ms).toBeGreaterThan(0);
    const third = cpuFrame(await ask(h, { kind: 'upscaleFrame', frame: photoCrop(48, 27), reuse }));
    expect(third.image.data).not.toBe(reuse); // a buffer of the wrong size is not used
    expect(third.image.width).toBe(144);
    expect(upscaleTransferables(third)).toEqual([third.image.data.buffer]);
  });

  it('a canvas for GPU-resident frames is declined off WebGPU, with the reason; frames stay CPU copies', async () => {
    // The host looks at the session before the canvas: on onnxruntime-node it never touches it.
    const canvas = {} as OffscreenCanvas;
    expect(await ask(h, { kind: 'attachFrameCanvas', canvas })).toEqual({ kind: 'attachFrameCanvas', path: 'cpu', reason: 'the upscaler runs on CPU, not WebGPU' });
    expect(await ask(h, { kind: 'attachFrameCanvas', canvas: null })).toEqual({ kind: 'attachFrameCanvas', path: 'cpu', reason: null });
    const frame = await ask(h, { kind: 'upscaleFrame', frame: photoCrop(32, 18) });
    expect(frame.path).toBe('cpu');
  });

  it('refuses inputs over 1920×1080 in the worker (the tab holds the 3× result several times)', async () => {
    const big = { width: 1921, height: 1080, channels: 3 as const, data: new Uint8Array(1921 * 1080 * 3) };
    expect(await failure(ask(h, { kind: 'upscale', source: { kind: 'lr', image: big } }))).toMatch(/^too-large: The input is 1921×1080; .*lab upscale/);
  });

  it('without an open upscaler, requests say so', async () => {
    const fresh = new EngineHandlers(nodeRuntime());
    expect(await failure(ask(fresh, { kind: 'upscale', source: { kind: 'lr', image: photoCrop(8, 8) } }))).toBe('bad-request: No upscaler is open.');
  });
});
