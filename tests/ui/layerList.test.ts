/** The layer list's windowing and search (plain functions; the component only renders their answer). */
import { describe, expect, it } from 'vitest';
import { rowWindow } from '../../src/ui/virtualRows';
import { filterLayers } from '../../src/panels/model/layerSearch';
import type { Layer } from '../../src/engine/types';

describe('rowWindow', () => {
  it('renders the rows in view plus overscan, with spacers that keep the full height', () => {
    const w = rowWindow(800, 22, 2200, 440, 0, 10);
    expect(w).toEqual({ start: 90, end: 130, before: 90 * 22, after: (800 - 130) * 22 });
    expect(w.before + (w.end - w.start) * 22 + w.after).toBe(800 * 22);
  });
  it('accounts for content above the list and clamps at both ends', () => {
    expect(rowWindow(800, 22, 0, 440, 100, 10)).toMatchObject({ start: 0, end: 30, before: 0 });
    expect(rowWindow(800, 22, 99_999, 440, 0, 10)).toMatchObject({ start: 800, end: 800, after: 0 });
    expect(rowWindow(0, 22, 0, 440)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });
});

describe('filterLayers', () => {
  const layer = (label: string, tensor: string, op: string): Layer => ({ label, tensor, op, channels: 8, shape: [1, 8, 4, 4] });
  const layers = [layer('features.0', '/features/features.0/Conv_output_0', 'Conv'), layer('features.1', '/features/features.1/Relu_output_0', 'Relu'), layer('classifier.6', 'logits', 'Gemm')];
  it('matches every word in label, tensor or op, in any case', () => {
    expect(filterLayers(layers, 'FEATURES relu').map((l) => l.label)).toEqual(['features.1']);
    expect(filterLayers(layers, 'gemm').map((l) => l.label)).toEqual(['classifier.6']);
    expect(filterLayers(layers, '  ')).toHaveLength(3);
    expect(filterLayers(layers, 'nothing')).toHaveLength(0);
  });
});
