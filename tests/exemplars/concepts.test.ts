/** Concept association: over-represented attribute values, box IoU and the description line. */
import { describe, expect, it } from 'vitest';
import { baseRates, conceptAssociation, describeUnit, regionBoxIoU, topLabels } from '../../src/engine/exemplars/concepts';
import type { SceneFacets } from '../../src/engine/data/datasets';

const COLORS = ['red', 'blue', 'green', 'white'];
const CLASSES = ['sneaker', 'bag', 'dress', 'coat', 'shirt'];
/** 200 scenes cycling through colours and classes; background alternates. */
const facets: SceneFacets[] = Array.from({ length: 200 }, (_, i) => ({
  class: CLASSES[i % 5],
  color: COLORS[i % 4],
  texture: i % 2 ? 'stripes' : 'plain',
  background: { kind: i % 3 ? 'foliage' : 'sky' },
}));

describe('conceptAssociation', () => {
  it('finds red sneakers in a top-k made of them, with precision, base rate and lift', () => {
    // Red sneakers: i ≡ 0 mod 20.
    const top = [0, 20, 40, 60, 80, 100, 120, 140, 160, 180];
    const assoc = conceptAssociation(facets, top);
    const red = assoc.find((a) => a.key === 'color' && a.value === 'red')!;
    expect(red).toMatchObject({ count: 10, precision: 1, baseRate: 0.25 });
    expect(red.lift).toBeCloseTo(4);
    expect(red.z).toBeCloseTo((10 - 2.5) / Math.sqrt(10 * 0.25 * 0.75));
    const sneaker = assoc.find((a) => a.key === 'class' && a.value === 'sneaker')!;
    expect(sneaker.lift).toBeCloseTo(5);
    // Sorted by z: sneaker (rarer) first.
    expect(assoc[0]).toBe(sneaker);
    const labels = topLabels(assoc);
    expect(labels.map((l) => l.value)).toEqual(['sneaker', 'red', 'plain']);
    expect(describeUnit(labels, 0.4123)).toBe('sneaker · red · plain (IoU 0.41)');
    expect(describeUnit([], null)).toBe('no attribute stands out');
    const sky = { ...labels[0], key: 'background' as const, value: 'stripes' };
    expect(describeUnit([labels[2], sky])).toBe('plain · on stripes');
  });

  it('labels nothing when the top-k looks like the dataset', () => {
    const top = Array.from({ length: 20 }, (_, i) => i);
    expect(topLabels(conceptAssociation(facets, top))).toEqual([]);
    expect(conceptAssociation(facets, [])).toEqual([]);
  });

  it('base rates sum to 1 per key', () => {
    const r = baseRates(facets);
    for (const key of ['class', 'color', 'texture', 'background'] as const) {
      expect([...r[key].values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    }
    expect(r.background.get('sky')).toBeCloseTo(67 / 200);
  });
});

describe('regionBoxIoU', () => {
  const W = 4;
  const H = 4;
  it('is 1 for a region equal to the box, 0 for disjoint ones, and in between otherwise', () => {
    const map = new Float32Array(16);
    for (let y = 1; y < 3; y++) for (let x = 1; x < 3; x++) map[y * W + x] = 5;
    expect(regionBoxIoU(map, W, H, 1, [1, 1, 3, 3])).toBe(1);
    expect(regionBoxIoU(map, W, H, 1, [3, 3, 4, 4])).toBe(0);
    expect(regionBoxIoU(map, W, H, 1, [1, 1, 3, 2])).toBe(0.5);
    expect(regionBoxIoU(map, W, H, 1, null)).toBe(0);
    expect(regionBoxIoU(new Float32Array(16), W, H, 1, null)).toBe(0);
    // A box beyond the canvas is clipped.
    expect(regionBoxIoU(map, W, H, 1, [1, 1, 9, 9])).toBe(4 / 9);
    expect(() => regionBoxIoU(map, 3, 3, 1, null)).toThrow();
  });
});
