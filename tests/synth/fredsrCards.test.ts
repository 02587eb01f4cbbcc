/**
 * The FREDSR models (and the ESPCN baseline) match their cards under onnxruntime-node: the file is
 * the one carded, it keeps the upscaler contract (lr [N,3,H,W] -> sr [N,3,3H,3W], dynamic N/H/W,
 * lab.task/lab.scale, only WebGPU- and WASM-safe ops, the bicubic skip as Pad(edge) + a fixed conv
 * instead of a slow cubic Resize), it agrees with PyTorch's reference output (1e-4), and — when
 * /data/fredsr exists (models/training/fredsr_data.py) — it reproduces the card's PSNR/SSIM on two
 * held-out photos. The training script's --selftest checks that fixed conv against PyTorch's bicubic.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/decode';
import { decodeModel, metadata, opsetVersion } from '../../src/engine/onnx/model';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { Session } from '../../src/engine/runtime/types';
import { readUpscalerContract } from '../../src/engine/upscale/contract';
import { psnrY, ssimY } from '../../src/engine/upscale/metrics';
import { planarToRgba, regionToPlanar } from '../../src/engine/upscale/planar';
import type { RawImage, TensorF32 } from '../../src/engine/types';
import { REPO_ROOT } from '../setup/fixturePaths';

const NAMES = ['fredsr', 'fredsr-l1', 'fredsr-l1fft', 'espcn'].filter((n) => existsSync(join(REPO_ROOT, `models/${n}.onnx`)));
/** Ops onnxruntime-web runs on both WebGPU and WASM. No Resize: its cubic mode cost ~4x the whole
 * network in onnxruntime, so the skip is Pad(edge) + a fixed 5x5 conv folded before the DepthToSpace. */
const SAFE_OPS = new Set(['Conv', 'Relu', 'LeakyRelu', 'DepthToSpace', 'Pad', 'Add']);
const PYTHON = '/usr/bin/python3';
const TEST_DIR = '/data/fredsr/test';
const HAVE_DATA = existsSync(join(TEST_DIR, 'index.json'));
if (!HAVE_DATA) console.warn(`[fredsrCards] ${TEST_DIR} is missing: skipping the PSNR checks (run /usr/bin/python3 models/training/fredsr_data.py)`);

/** The card's reference input: [1,3,24,32], x[c,h,w] = ((7c + 3h + 5w) mod 17) / 16. */
function referenceInput(h: number, w: number): TensorF32 {
  const data = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[(c * h + y) * w + x] = ((c * 7 + y * 3 + x * 5) % 17) / 16;
  return { dims: [1, 3, h, w], data };
}

function stats(a: Float32Array): { mean: number; std: number; min: number; max: number; sum: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / a.length;
  let ss = 0;
  for (const v of a) ss += (v - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (a.length - 1)), min, max, sum };
}

describe('the fixed-conv skip', () => {
  it.runIf(existsSync(PYTHON))('equals PyTorch bicubic and bilinear x3 interpolation (fredsr.py --selftest)', () => {
    const out = execFileSync(PYTHON, [join(REPO_ROOT, 'models/training/fredsr.py'), '--selftest'], { encoding: 'utf8', timeout: 120_000 });
    const report = JSON.parse(out.trim().split('\n').pop() ?? '{}');
    for (const mode of ['bicubic', 'bilinear']) expect(report.maxAbsError[mode].float64).toBeLessThan(1e-6);
  }, 130_000);
});

describe.each(NAMES)('%s', (name) => {
  const bytes = new Uint8Array(readFileSync(join(REPO_ROOT, `models/${name}.onnx`)));
  const card = JSON.parse(readFileSync(join(REPO_ROOT, `models/${name}.card.json`), 'utf8'));
  let session: Session;

  beforeAll(async () => {
    session = await nodeRuntime().createSession(bytes, { threads: 1 });
  });
  afterAll(async () => {
    await session?.release();
  });

  it('is the file its card names, with the contract and ops the card lists', () => {
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(card.onnx.sha256);
    expect(bytes.byteLength).toBe(card.onnx.bytes);
    const contract = readUpscalerContract(bytes);
    const model = decodeModel(bytes);
    const ops = [...new Set(model.graph.node.map((n) => n.opType))].sort();
    // The engine counts every initializer value: the trainable parameters, the fixed skip kernel
    // (27x1x5x5, groups 3) and the Pad amounts (8); the card lists all three.
    expect(contract).toMatchObject({ input: 'lr', output: 'sr', scale: 3, parameters: card.initializerValues });
    const pads = model.graph.node.filter((n) => n.opType === 'Pad');
    expect(card.initializerValues).toBe(card.parameters + (card.fixedParameters ?? 0) + 8 * pads.length);
    expect(card.parameters).toBeLessThanOrEqual(40_000);
    if (name !== 'espcn') {
      expect(card.fixedParameters).toBe(27 * 5 * 5);
      // Edge padding = PyTorch's clamped border indices (a zero pad would darken the borders).
      expect(pads.map((n) => new TextDecoder().decode(n.attribute.find((a) => a.name === 'mode')?.s ?? new Uint8Array()))).toEqual(['edge']);
      expect(ops).not.toContain('Resize');
    }
    expect(metadata(model)).toMatchObject({ 'lab.task': 'upscale', 'lab.scale': '3' });
    expect(opsetVersion(model)).toBe(card.onnx.opset);
    expect(ops).toEqual(card.onnx.ops);
    expect(ops.filter((op) => !SAFE_OPS.has(op))).toEqual([]);
  });

  it('agrees with the PyTorch reference (1e-4) and keeps N, H and W dynamic', async () => {
    const ref = card.reference;
    const out = (await session.run({ lr: referenceInput(24, 32) })).sr;
    expect(out.dims).toEqual(ref.outputShape);
    ref.first.forEach((v: number, i: number) => expect(Math.abs(out.data[i] - v)).toBeLessThan(ref.tolerance));
    const s = stats(out.data);
    for (const k of ['mean', 'std', 'min', 'max'] as const) expect(Math.abs(s[k] - ref[k])).toBeLessThan(ref.tolerance);
    expect(Math.abs(s.sum - ref.sum) / out.data.length).toBeLessThan(ref.tolerance);
    const odd = (await session.run({ lr: { dims: [2, 3, 17, 23], data: new Float32Array(2 * 3 * 17 * 23).fill(0.25) } })).sr;
    expect(odd.dims).toEqual([2, 3, 51, 69]);
  });

  it.runIf(HAVE_DATA)("reproduces the card's PSNR/SSIM on two held-out photos", async () => {
    const index: { id: string; hr: string; lr: string }[] = JSON.parse(readFileSync(join(TEST_DIR, 'index.json'), 'utf8'));
    for (const entry of index.slice(0, 2)) {
      const lr = decodeImageFile(join(TEST_DIR, entry.lr));
      const hr = decodeImageFile(join(TEST_DIR, entry.hr));
      const input = regionToPlanar(lr, { x: 0, y: 0, width: lr.width, height: lr.height });
      const out = (await session.run({ lr: { dims: [1, 3, lr.height, lr.width], data: input } })).sr;
      const [, , h, w] = out.dims;
      expect([w, h]).toEqual([hr.width, hr.height]);
      const rgba = new Uint8ClampedArray(w * h * 4).fill(255);
      planarToRgba(out.data, w, h, { x: 0, y: 0, width: w, height: h }, rgba, w, 0, 0);
      const sr: RawImage = { width: w, height: h, channels: 4, data: new Uint8Array(rgba.buffer) };
      const want = card.evaluation.perImage.find((r: { id: string }) => r.id === entry.id);
      expect(want).toBeDefined();
      // Float differences between onnxruntime and PyTorch flip a few 8-bit roundings at most.
      expect(Math.abs(psnrY(sr, hr) - want.psnr)).toBeLessThan(0.02);
      expect(Math.abs(ssimY(sr, hr) - want.ssim)).toBeLessThan(1e-3);
    }
  });
});
