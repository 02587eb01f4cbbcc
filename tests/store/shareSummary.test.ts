import { beforeEach, describe, expect, it } from 'vitest';
import { useLab } from '../../src/store';
import { shareSummary } from '../../src/store/shareSummary';

beforeEach(() => useLab.setState(useLab.getInitialState(), true));

const rgb = { width: 1, height: 1, channels: 3 as const, data: new Uint8Array(3) };

describe('what a link holds and leaves out', () => {
  it('names a built-in model and unit as held, an uploaded image and the key as left out', () => {
    useLab.setState({ source: { kind: 'builtin', id: 'scenes-balanced' }, panel: 'exemplars', layer: 'c1', unit: 2, datasetId: 'scenes-test', exTry: { name: 'cat.png', image: rgb, layer: 'c1', unit: 2, value: 1, map: null, ms: 1 } });
    expect(shareSummary(useLab.getState())).toEqual({
      holds: ['the exemplars panel', 'the built-in model scenes-balanced', 'layer c1, unit 2', 'the dataset scenes-test'],
      leavesOut: ['the try-it image “cat.png”', 'any API key'],
    });
  });
  it('leaves out a local model file and a local upscaler', () => {
    useLab.setState({ source: { kind: 'file', name: 'mine.onnx' }, panel: 'upscale', upChoice: 'file:my.onnx', upInput: { name: 'p.png', role: 'hr', image: rgb, truth: null } });
    const { holds, leavesOut } = shareSummary(useLab.getState());
    expect(holds).toEqual(['the upscale panel', 'the upscale mode']);
    expect(leavesOut[0]).toMatch(/^the model file “mine.onnx”/);
    expect(leavesOut.slice(1)).toEqual(['your upscaler file', 'the image “p.png”', 'any API key']);
  });
});
