import { describe, expect, it } from 'vitest';
import { LabError } from '../../src/engine/errors';
import { decodeModel, encodeModel, metadata, opsetVersion } from '../../src/engine/onnx/model';
import { findImageInput, opHistogram, parameterCount } from '../../src/engine/onnx/summary';
import { readFixture } from './helpers';
import { readFixtureRef } from '../setup/fixturePaths';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    return (err as LabError).code;
  }
  throw new Error('expected a LabError');
}

describe('ONNX read/write', () => {
  const bytes = readFixture('resnet18.onnx');

  it('decodes a torchvision export and re-encodes it to an equivalent model', () => {
    const model = decodeModel(bytes);
    expect(opsetVersion(model)).toBe(17);
    expect(model.graph.node.length).toBeGreaterThan(40);
    const again = decodeModel(encodeModel(model));
    expect(again.graph.node.map((n) => n.opType)).toEqual(model.graph.node.map((n) => n.opType));
    expect(again.graph.initializer.length).toBe(model.graph.initializer.length);
    // The export folds BatchNorm into the convolutions, so the count is close to torch's, not equal.
    expect(parameterCount(again)).toBe(parameterCount(model));
    expect(Math.abs(parameterCount(again) / readFixtureRef('resnet18').parameters - 1)).toBeLessThan(0.002);
  });

  it('reads the image input, op histogram and parameter count', () => {
    const model = decodeModel(bytes);
    expect(findImageInput(model)).toEqual({ name: 'input', channels: 3, height: 224, width: 224 });
    const ops = opHistogram(model);
    expect(ops.Conv).toBe(20);
    expect(ops.Gemm).toBe(1);
    expect(metadata(model)).toEqual({});
  });

  it('rejects empty, random, truncated and non-model protobufs with bad-model', () => {
    expect(codeOf(() => decodeModel(new Uint8Array(0)))).toBe('bad-model');
    let seed = 7;
    const random = Uint8Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255);
    expect(codeOf(() => decodeModel(random))).toBe('bad-model');
    expect(codeOf(() => decodeModel(bytes.subarray(0, Math.floor(bytes.length / 3))))).toBe('bad-model');
    expect(codeOf(() => decodeModel(new TextEncoder().encode('<html>not a model</html>')))).toBe('bad-model');
  });

  it('names the inputs of a model without an image input', () => {
    const model = decodeModel(readFixture('no_image_input.onnx'));
    let message = '';
    try {
      findImageInput(model);
    } catch (err) {
      message = (err as Error).message;
      expect((err as LabError).code).toBe('no-image-input');
    }
    expect(message).toMatch(/no image input.*float\[/);
  });
});
