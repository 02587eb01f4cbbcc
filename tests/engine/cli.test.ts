/** The `lab` command as a user runs it: a real process, real files, documented JSON. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, REPO_ROOT } from '../setup/fixturePaths';
import { lab } from '../setup/runLab';



let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
  for (const [name, seed] of [['a.png', 3], ['b.png', 11]] as const) {
    const png = new PNG({ width: 40, height: 30 });
    for (let i = 0; i < png.data.length; i++) png.data[i] = i % 4 === 3 ? 255 : (i * seed) % 256;
    writeFileSync(join(dir, name), PNG.sync.write(png));
  }
  writeFileSync(join(dir, 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
  writeFileSync(join(dir, 'random.onnx'), Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lab CLI', () => {
  it('inspect --json prints the lab.inspect/1 document', async () => {
    const r = await lab('inspect', fixturePath('resnet18.onnx'), '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('lab.inspect/1');
    expect(doc.model.opset).toBe(17);
    expect(doc.imageInput).toEqual({ name: 'input', channels: 3, height: 224, width: 224 });
    expect(doc.preprocess.source).toBe('imagenet-default');
    const conv1 = doc.layers.find((l: { label: string }) => l.label === 'layer1.0.conv1');
    expect(conv1).toMatchObject({ op: 'Conv', channels: 64, shape: [1, 64, 56, 56] });
  });

  it('run --json gives logits and per-channel stats of named layers (labels or tensor names)', async () => {
    const r = await lab('run', fixturePath('resnet18.onnx'), join(dir, 'a.png'), join(dir, 'b.png'), '--layers', 'layer4.1.relu_1,logits', '--json', '--size', '224,224', '--mean', '0.5,0.5,0.5');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('lab.run/1');
    expect(doc.preprocess).toMatchObject({ size: [224, 224], mean: [0.5, 0.5, 0.5], source: 'override' });
    expect(doc.images).toHaveLength(2);
    const [a, b] = doc.images;
    expect(a.logits).toHaveLength(1000);
    expect(a.layers['layer4.1.relu_1'].max).toHaveLength(512);
    expect(a.layers['fc'].max).toEqual(a.logits.map((v: number) => expect.closeTo(v, 4)));
    expect(a.logits).not.toEqual(b.logits);
    // Text mode says the same thing for people.
    const text = await lab('run', fixturePath('resnet18.onnx'), join(dir, 'a.png'), '--layers', 'layer4.1.relu_1');
    expect(text.stdout).toMatch(/a\.png: class \d+ \d+\.\d%/);
    expect(text.stdout).toMatch(/layer4\.1\.relu_1: strongest unit \d+/);
  });

  it('fails clearly on corrupt models, images, unknown layers and bad flags', async () => {
    const bad = await lab('inspect', join(dir, 'random.onnx'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/\[bad-model\]/);
    const img = await lab('run', fixturePath('squeezenet1_0.onnx'), join(dir, 'broken.png'));
    expect(img.stderr).toMatch(/\[bad-image\] .*broken\.png: cannot decode/);
    const layer = await lab('run', fixturePath('squeezenet1_0.onnx'), join(dir, 'a.png'), '--layers', 'nope');
    expect(layer.stderr).toMatch(/Unknown layer "nope"/);
    const flag = await lab('run', fixturePath('squeezenet1_0.onnx'), join(dir, 'a.png'), '--mean', '1,2');
    expect(flag.stderr).toMatch(/--mean expects 3/);
    const size = await lab('run', fixturePath('squeezenet1_0.onnx'), join(dir, 'a.png'), '--size', '96');
    expect(size.stderr).toMatch(/\[bad-request\] This model takes 224×224 images/);
    const noimg = await lab('inspect', fixturePath('no_image_input.onnx'));
    expect(noimg.stderr).toMatch(/\[no-image-input\]/);
  });
});
