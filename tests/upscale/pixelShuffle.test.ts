/**
 * Pixel shuffle (ONNX DepthToSpace, CRD mode — what torch's PixelShuffle exports to) as a plain JS
 * reference, checked against onnxruntime on a one-node graph and on the DepthToSpace inside the
 * lab's FREDSR model (its input and output exposed as graph outputs).
 */
import { describe, expect, it } from 'vitest';
import { floatValueInfo, makeNode } from '../../src/engine/onnx/graph';
import { decodeModel, encodeModel, onnx, type Model } from '../../src/engine/onnx/model';
import { exposeTensors } from '../../src/engine/onnx/probes';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { TensorF32 } from '../../src/engine/types';
import { fredsrBytes, photoCrop } from './photo';
import { regionToPlanar } from '../../src/engine/upscale/planar';
import { maxAbsDiff } from '../engine/helpers';
import { depthToSpace } from './depthToSpace';

function oneNode(mode: 'CRD' | 'DCR', b: number): Model {
  const graph = onnx.GraphProto.create({
    name: 'd2s',
    node: [makeNode('DepthToSpace', ['x'], ['y'], 'd2s', { blocksize: b, mode })],
    input: [floatValueInfo('x', ['N', null, null, null])],
    output: [floatValueInfo('y')],
  });
  return onnx.ModelProto.create({ irVersion: 8, graph, opsetImport: [{ domain: '', version: 17 }] }) as unknown as Model;
}

describe('pixel shuffle (DepthToSpace CRD)', () => {
  it('the JS reference equals onnxruntime on a DepthToSpace graph, and differs from DCR', async () => {
    const b = 3;
    const x: TensorF32 = { dims: [2, 3 * b * b, 5, 7], data: Float32Array.from({ length: 2 * 27 * 35 }, (_, i) => Math.sin(i * 0.37) + i * 1e-3) };
    const session = await nodeRuntime().createSession(encodeModel(oneNode('CRD', b)));
    try {
      const y = (await session.run({ x }))['y'];
      expect(y.dims).toEqual([2, 3, 15, 21]);
      expect(maxAbsDiff(y.data, depthToSpace(x, b, 'CRD').data)).toBe(0);
      // A reference in the wrong mode would not pass: the modes really differ on this input.
      expect(maxAbsDiff(y.data, depthToSpace(x, b, 'DCR').data)).toBeGreaterThan(0.1);
    } finally {
      await session.release();
    }
  });

  it('FREDSR pixel-shuffles in CRD mode: its DepthToSpace output equals the JS reference of its input', async () => {
    const model = decodeModel(fredsrBytes());
    const nodes = model.graph.node.filter((n) => n.opType === 'DepthToSpace');
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) {
      const mode = node.attribute.find((a) => a.name === 'mode');
      expect(new TextDecoder().decode(mode?.s ?? new Uint8Array())).toBe('CRD');
    }
    const node = nodes[nodes.length - 1];
    const blocksize = node.attribute.find((a) => a.name === 'blocksize')!.i;
    const exposed = exposeTensors(model, [node.input[0], node.output[0]]);
    const session = await nodeRuntime().createSession(encodeModel(exposed));
    try {
      const img = photoCrop(40, 32);
      const lr: TensorF32 = { dims: [1, 3, 32, 40], data: regionToPlanar(img, { x: 0, y: 0, width: 40, height: 32 }) };
      const out = await session.run({ [model.graph.input[0].name]: lr }, { outputs: [node.input[0], node.output[0]] });
      const before = out[node.input[0]];
      const after = out[node.output[0]];
      const reference = depthToSpace(before, Number(blocksize), 'CRD');
      expect(after.dims).toEqual(reference.dims);
      expect(maxAbsDiff(after.data, reference.data)).toBe(0);
    } finally {
      await session.release();
    }
  });
});
