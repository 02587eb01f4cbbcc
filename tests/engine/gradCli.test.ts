/**
 * `lab grad` as a user runs it: a child process writes the gradient as .npy; Debian's numpy loads
 * it (the header is a real NPY v1.0 one: dtype, C order, shape) and its values equal the engine's
 * gradient computed in-process with the same preprocessing (including --mean/--std overrides).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesToTensor } from '../../src/engine/data/preprocess';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { gradientModel, type GradientTarget } from '../../src/engine/onnx/backward';
import { encodeModel } from '../../src/engine/onnx/model';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { decodeImageFile } from '../../src/cli/decode';
import { encodeNpy } from '../../src/cli/npy';
import { REPO_ROOT, fixturePath } from '../setup/fixturePaths';
import { lab } from '../setup/runLab';

const exec = promisify(execFile);
const MODEL = join(REPO_ROOT, 'models/placeholder-fmnist.onnx');
const SAMPLES = join(REPO_ROOT, 'public/samples');
const IMAGE = join(SAMPLES, readdirSync(SAMPLES).filter((f) => f.endsWith('.png')).sort()[0]);
const runtime = nodeRuntime();


/** numpy's view of a .npy file compared with raw float32 values: shape, dtype, order, max |diff|. */
async function numpyCompare(npy: string, raw: string): Promise<{ shape: number[]; dtype: string; fortran: boolean; maxDiff: number; maxAbs: number }> {
  const code = [
    'import json, sys, numpy',
    `a = numpy.load(${JSON.stringify(npy)})`,
    `b = numpy.fromfile(${JSON.stringify(raw)}, dtype='<f4').reshape(a.shape)`,
    "print(json.dumps({'shape': list(a.shape), 'dtype': str(a.dtype), 'fortran': bool(numpy.isfortran(a)) and a.ndim > 1, 'maxDiff': float(abs(a - b).max()), 'maxAbs': float(abs(a).max())}))",
  ].join('\n');
  const { stdout } = await exec('/usr/bin/python3', ['-c', code]);
  return JSON.parse(stdout);
}

/** The engine's gradient in-process (the same image decoding and preprocessing as the CLI). */
async function engineGradient(target: GradientTarget, wrt: string, override: Parameters<typeof LoadedModel.open>[3] = {}): Promise<Float32Array> {
  const model = await LoadedModel.open(runtime, new Uint8Array(readFileSync(MODEL)), 'placeholder', override);
  try {
    const input = model.summary.imageInput.name;
    const built = await gradientModel(runtime, model.model, { target, wrt: [wrt === 'input' ? input : wrt] });
    const session = await runtime.createSession(encodeModel(built.model));
    const out = await session.run({ [input]: imagesToTensor([decodeImageFile(IMAGE)], model.summary.preprocess) });
    await session.release();
    return out[built.outputs.grads[wrt === 'input' ? input : wrt]].data;
  } finally {
    await model.release();
  }
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-grad-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lab grad', () => {
  it('unit target (layer label:unit) w.r.t. the input: numpy reads the engine gradient', async () => {
    const out = join(dir, 'unit.npy');
    const r = await lab('grad', MODEL, IMAGE, '--target', 'stage3.block0.relu2:3', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schema: 'lab.grad/1', wrt: 'input', shape: [1, 3, 64, 64], target: { kind: 'unit', tensor: '/stage3/block0/relu2/Relu_output_0', unit: 3, reduce: 'sum' } });
    const want = await engineGradient({ kind: 'unit', tensor: '/stage3/block0/relu2/Relu_output_0', unit: 3, reduce: 'sum' }, 'input');
    writeFileSync(join(dir, 'unit.f32'), new Uint8Array(want.buffer));
    const np = await numpyCompare(out, join(dir, 'unit.f32'));
    expect(np).toMatchObject({ shape: [1, 3, 64, 64], dtype: 'float32', fortran: false, maxDiff: 0 });
    expect(np.maxAbs).toBeGreaterThan(0);
    expect(doc.maxAbs).toBeCloseTo(np.maxAbs, 5);
  });

  it('logit target w.r.t. a layer, with --mean/--std overrides', async () => {
    const out = join(dir, 'logit.npy');
    const r = await lab('grad', MODEL, IMAGE, '--target', 'logit:2', '--wrt', 'stage2.block0.relu2', '--mean', '0.5,0.5,0.5', '--std', '0.25,0.25,0.25', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/d\(logit 2\)\/d\(\/stage2\/block0\/relu2\/Relu_output_0\), shape \[1, 32, 32, 32\]/);
    const layer = '/stage2/block0/relu2/Relu_output_0';
    const want = await engineGradient({ kind: 'logit', index: 2 }, layer, { preprocess: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } });
    writeFileSync(join(dir, 'logit.f32'), new Uint8Array(want.buffer));
    expect(await numpyCompare(out, join(dir, 'logit.f32'))).toMatchObject({ shape: [1, 32, 32, 32], dtype: 'float32', maxDiff: 0 });
    // The overrides matter: the default preprocessing gives another gradient.
    const plain = await engineGradient({ kind: 'logit', index: 2 }, layer);
    expect(plain.some((v, i) => Math.abs(v - want[i]) > 1e-4)).toBe(true);
  });

  it("a token layer's unit (ViT): the target is the channel's mean over the patch tokens, as `lab run` reports it", async () => {
    const vit = fixturePath('vit_mini.onnx');
    const layer = 'encoder.layers.encoder_layer_1:add#1';
    const r = await lab('grad', vit, IMAGE, '--target', `${layer}:5`, '--reduce', 'mean', '--out', join(dir, 'token.npy'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ shape: [1, 3, 64, 64], target: { kind: 'unit', unit: 5, reduce: 'mean', tokens: { prefix: 1, grid: [4, 4] } } });
    expect(doc.maxAbs).toBeGreaterThan(0);
    const run = await lab('run', vit, IMAGE, '--layers', layer, '--json');
    expect(run.code, run.stderr).toBe(0);
    const mean = JSON.parse(run.stdout).images[0].layers[layer].mean[5];
    expect(doc.targetValue).toBeCloseTo(mean, 5);
  });

  it('bad targets fail with a message and exit code 1', async () => {
    const out = join(dir, 'bad.npy');
    for (const [target, message] of [['logit:10', /Class "10" is not in 0\.\.9/], ['stage3.block0.relu2:64', /Unit "64" is not in 0\.\.63/], ['nope:1', /Unknown layer "nope"/], ['3', /LAYER:UNIT or logit:CLASS/]] as const) {
      const r = await lab('grad', MODEL, IMAGE, '--target', target, '--out', out);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('encodeNpy', () => {
  it('pads the header to 64 bytes and writes 1-D shapes as (n,)', () => {
    const bytes = encodeNpy({ dims: [5], data: Float32Array.from([1, 2, 3, 4, 5]) });
    const headerLen = bytes[8] | (bytes[9] << 8);
    expect((10 + headerLen) % 64).toBe(0);
    const header = new TextDecoder().decode(bytes.slice(10, 10 + headerLen));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(5,\), \} *\n$/);
    expect(new Float32Array(bytes.slice(10 + headerLen).buffer)).toEqual(Float32Array.from([1, 2, 3, 4, 5]));
    expect(() => encodeNpy({ dims: [2, 2], data: new Float32Array(3) })).toThrow(/needs 4 values/);
  });
});
