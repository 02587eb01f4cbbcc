/** Sessions by reference to the weights: a small graph, the weights read from the file's own bytes, the same outputs. */
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../src/engine/onnx/model';
import { byReference } from '../../src/engine/onnx/weightRefs';
import { addProbes, probeOutput } from '../../src/engine/onnx/probes';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { modelSession } from '../../src/engine/lab/modelSession';
import { sinInput } from '../setup/fixturePaths';
import { readFixture } from './helpers';

describe('byReference', () => {
  const bytes = readFixture('resnet18.onnx');
  const model = decodeModel(bytes);

  it('encodes a graph of kilobytes whose weights point into the file bytes, not copies', () => {
    const { model: graph, files } = byReference(model);
    expect(files).toHaveLength(1);
    expect(files[0].data.buffer).toBe(bytes.buffer);
    expect(encodeModel(graph).byteLength).toBeLessThan(64 * 1024);
    // The caller's model keeps its inline weights.
    expect(model.graph.initializer.some((t) => (t.rawData?.byteLength ?? 0) > 1024)).toBe(true);
  });

  it('a probed session by reference gives the logits and probes of one encoded whole', async () => {
    const runtime = nodeRuntime();
    const probed = addProbes(model, { layers: [{ tensor: '/layer4/layer4.1/relu_1/Relu_output_0', rank: 4 }] });
    const input = { dims: [1, 3, 224, 224], data: sinInput([1, 3, 224, 224]) };
    const byRef = await modelSession(runtime, probed);
    const whole = await runtime.createSession(encodeModel(probed));
    const [a, b] = await Promise.all([byRef.run({ input }), whole.run({ input })]);
    expect(Array.from(a.logits.data)).toEqual(Array.from(b.logits.data));
    const max = probeOutput.max('/layer4/layer4.1/relu_1/Relu_output_0');
    expect(Array.from(a[max].data)).toEqual(Array.from(b[max].data));
    await Promise.all([byRef.release(), whole.release()]);
  });
});
