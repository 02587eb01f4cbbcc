/** `lab upscale` as a user runs it: a real process on a real photo (PNG and JPEG in, PNG out). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/decode';
import { encodePng } from '../../src/cli/encodePng';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { Upscaler } from '../../src/engine/upscale/upscaler';
import { maxAbsDiff } from '../engine/helpers';
import { REPO_ROOT } from '../setup/fixturePaths';
import { FREDSR_PATH, fredsrBytes, photoCrop } from './photo';
import { lab } from '../setup/runLab';



let dir = '';
const photo = photoCrop(120, 90, 300, 150);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-upscale-'));
  writeFileSync(join(dir, 'in.png'), encodePng(photo));
  writeFileSync(join(dir, 'in.jpg'), jpeg.encode({ width: photo.width, height: photo.height, data: Buffer.from(photo.data) }, 90).data);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lab upscale', () => {
  it('writes a 3× PNG equal to the engine’s tiled upscale, and a lab.upscale/1 document', async () => {
    const out = join(dir, 'out.png');
    const r = await lab('upscale', join(dir, 'in.png'), out, '--model', FREDSR_PATH, '--tile', '48', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      schema: 'lab.upscale/1',
      model: { scale: 3 },
      input: { width: 120, height: 90 },
      output: { width: 360, height: 270 },
      tile: 48,
      tiles: 6,
    });
    const written = decodeImageFile(out);
    expect([written.width, written.height]).toEqual([360, 270]);
    const up = await Upscaler.open(nodeRuntime(), fredsrBytes(), 'fredsr.onnx');
    try {
      const expected = await up.upscale(photo, { tile: 48 });
      expect(maxAbsDiff(expected.data, written.data)).toBeLessThanOrEqual(1); // thread counts may differ between the processes
    } finally {
      await up.release();
    }
  });

  it('reads JPEG, uses models/fredsr.onnx by default, and prints one line', async () => {
    const out = join(dir, 'jpeg.png');
    const r = await lab('upscale', join(dir, 'in.jpg'), out, '--tile', '0');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/in\.jpg 120×90 → .*jpeg\.png 360×270 · fredsr\.onnx \(3×\) · 1 tile · [\d.]+ s/);
    expect(readFileSync(out).subarray(1, 4).toString()).toBe('PNG');
  });

  it('explains a model that is not an upscaler, an unreadable image, and usage errors', async () => {
    const notUp = await lab('upscale', join(dir, 'in.png'), join(dir, 'x.png'), '--model', join(REPO_ROOT, 'models/placeholder-fmnist.onnx'));
    expect(notUp.code).toBe(1);
    expect(notUp.stderr).toMatch(/\[bad-model\].*not an upscaler|\[bad-model\].*\[N,3,sH,sW\]/);
    writeFileSync(join(dir, 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    const broken = await lab('upscale', join(dir, 'broken.png'), join(dir, 'y.png'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/\[bad-image\]/);
    const usage = await lab('upscale', join(dir, 'in.png'));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: lab upscale IN\.png OUT\.png/);
    const notPng = await lab('upscale', join(dir, 'in.png'), join(dir, 'out.jpg'));
    expect(notPng.code).toBe(2);
    expect(notPng.stderr).toMatch(/writes PNG/);
  });
});
