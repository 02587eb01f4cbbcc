/** An op the runtime cannot run yields an unsupported-op error that names it. */
import { describe, expect, it } from 'vitest';
import { inspectModel } from '../../src/engine/lab/inspect';
import { decodeModel, encodeModel } from '../../src/engine/onnx/model';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { readFixture } from './helpers';

describe('unsupported ops', () => {
  it('names the op when onnxruntime has no kernel for it', async () => {
    const model = decodeModel(readFixture('squeezenet1_0.onnx'));
    const relu = model.graph.node.find((n) => n.opType === 'Relu')!;
    relu.opType = 'FancyRelu';
    relu.domain = 'com.example.lab';
    model.opsetImport.push({ domain: 'com.example.lab', version: 1 });
    const bytes = encodeModel(model);
    const err = await inspectModel(nodeRuntime(), bytes, 'custom').then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.code).toBe('unsupported-op');
    expect(err?.message).toMatch(/FancyRelu/);
  });
});
