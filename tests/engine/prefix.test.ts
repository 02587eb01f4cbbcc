/**
 * Prefix surgery (src/engine/onnx/prefix.ts) on the lab's FREDSR model: a prefix keeps only what
 * its tensor needs, and the two branches cut out of the graph recombine into the full output.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, type Model } from '../../src/engine/onnx/model';
import { ancestorNodes, prefixModel } from '../../src/engine/onnx/prefix';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { TensorF32 } from '../../src/engine/types';
import { depthToSpace } from '../upscale/depthToSpace';
import { maxAbsDiff } from './helpers';
import { fredsrBytes } from '../upscale/photo';

const runtime = nodeRuntime();
const H = 12;
const W = 17;
const input: TensorF32 = { dims: [1, 3, H, W], data: new Float32Array(3 * H * W).map((_, i) => 0.5 + 0.4 * Math.sin(i * 0.37)) };

async function runPrefix(model: Model, tensor: string): Promise<TensorF32> {
  const s = await runtime.createSession(encodeModel(prefixModel(model, tensor)));
  try {
    expect(s.outputNames).toEqual([tensor]);
    return (await s.run({ lr: input }))[tensor];
  } finally {
    await s.release();
  }
}

describe('prefixModel', () => {
  let model: Model;
  let full: TensorF32;
  beforeAll(async () => {
    model = decodeModel(fredsrBytes());
    const s = await runtime.createSession(fredsrBytes());
    full = (await s.run({ lr: input }))[model.graph.output[0].name];
    await s.release();
  });

  it('cut at the graph output, it is the whole model and computes the same frame', async () => {
    const out = model.graph.output[0].name;
    expect(prefixModel(model, out).graph.node.length).toBe(model.graph.node.length);
    const got = await runPrefix(model, out);
    expect(got.dims).toEqual(full.dims);
    expect(got.data).toEqual(full.data);
  });

  it('the network branch and the fixed skip branch, cut apart, add up to the output', async () => {
    const shuffle = model.graph.node.find((n) => n.opType === 'DepthToSpace')!;
    const add = model.graph.node.find((n) => n.output[0] === shuffle.input[0])!;
    expect(add.opType).toBe('Add');
    const [a, b] = await Promise.all(add.input.map((t) => runPrefix(model, t)));
    // The skip branch is Pad + one Conv on the input: 2 nodes, and only its own initializers.
    const skip = [add.input[0], add.input[1]].find((t) => ancestorNodes(model.graph.node, t).length === 2)!;
    const skipModel = prefixModel(model, skip);
    expect(skipModel.graph.node.map((n) => n.opType)).toEqual(['Pad', 'Conv']);
    expect(skipModel.graph.initializer.length).toBeLessThan(model.graph.initializer.length);
    const sum: TensorF32 = { dims: a.dims, data: a.data.map((v, i) => v + b.data[i]) };
    const frame = depthToSpace(sum, 3, 'CRD').data;
    expect(frame.length).toBe(full.data.length);
    expect(maxAbsDiff(frame, full.data)).toBeLessThan(1e-5);
  });

  it('leaves the original model untouched and refuses a tensor no node makes', () => {
    const before = model.graph.node.length;
    prefixModel(model, model.graph.node[0].output[0]);
    expect(model.graph.node.length).toBe(before);
    expect(() => prefixModel(model, 'no-such-tensor')).toThrow(/No node produces "no-such-tensor"/);
  });
});
