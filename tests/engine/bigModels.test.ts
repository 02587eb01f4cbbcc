/**
 * Models past the old 256 MB limit and models saved with ONNX external data, through the `lab`
 * command as a user runs it. References: PyTorch's logits (tests/fixtures/make_big.py).
 * VGG-16 is 528 MB: each `lab` run holds ~2.2 GB at its peak (see bench/RESULTS.md).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../setup/fixturePaths';
import { lab } from '../setup/runLab';

function relL2(a: number[], b: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

const picture = fixturePath('big.input.png');

describe('a 528 MB model (VGG-16, random weights)', () => {
  it('lab inspect lists its layers', async () => {
    const r = await lab('inspect', fixturePath('vgg16.onnx'), '--json');
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc.model.bytes).toBeGreaterThan(256 * 2 ** 20);
    const labels = doc.layers.map((l: { label: string }) => l.label);
    // 13 convolutions and their ReLUs, 5 pools, the average pool, 3 Gemms and 2 ReLUs.
    expect(labels).toEqual(expect.arrayContaining(['features.0', 'features.28', 'features.30', 'classifier.0', 'classifier.6']));
    expect(labels.length).toBeGreaterThanOrEqual(36);
  });

  it("lab run gives PyTorch's logits (1e-3 relative)", async () => {
    const r = await lab('run', fixturePath('vgg16.onnx'), picture, '--json');
    expect(r.code).toBe(0);
    const ours: number[] = JSON.parse(r.stdout).images[0].logits;
    const torch: number[] = JSON.parse(readFileSync(fixturePath('vgg16.png.json'), 'utf8')).logits;
    expect(ours).toHaveLength(1000);
    expect(relL2(ours, torch)).toBeLessThan(1e-3);
  });
});

describe('a model with external data (model.onnx + model.onnx.data)', () => {
  it('opens in the CLI with the data file beside it, and runs as the self-contained model does', async () => {
    const ext = await lab('run', fixturePath('external/resnet18.onnx'), picture, '--json', '--layers', 'layer4.1.relu_1');
    const whole = await lab('run', fixturePath('resnet18.onnx'), picture, '--json', '--layers', 'layer4.1.relu_1');
    expect(ext.stderr).toBe('');
    const a = JSON.parse(ext.stdout).images[0];
    const b = JSON.parse(whole.stdout).images[0];
    expect(a.logits).toEqual(b.logits);
    expect(a.layers['layer4.1.relu_1'].max).toEqual(b.layers['layer4.1.relu_1'].max);
    const info = JSON.parse((await lab('inspect', fixturePath('external/resnet18.onnx'), '--json')).stdout);
    expect(info.model.bytes).toBe(readFileSync(fixturePath('external/resnet18.onnx')).byteLength + readFileSync(fixturePath('external/resnet18.onnx.data')).byteLength);
  });
});
