import { describe, expect, it } from 'vitest';
import { countCrossings, layoutCircuit, logitNodeId, unitNodeId } from '../../src/engine/circuits/layout';
import type { CircuitEdge, CircuitNode } from '../../src/engine/circuits/types';
import { Rng } from '../../src/engine/synth/rng';

const node = (layer: string, unit: number, score: number): CircuitNode => ({ layer, unit, score });
const edge = (from: [string, number], to: [string, number] | number, weight: number): CircuitEdge => ({
  from: { layer: from[0], unit: from[1] },
  to: typeof to === 'number' ? { logit: to } : { layer: to[0], unit: to[1] },
  weight,
});

describe('layoutCircuit', () => {
  it('puts layers in columns from input to output and the logit target last', () => {
    const layout = layoutCircuit({
      layers: ['a', 'b'],
      nodes: [node('a', 3, 1), node('b', 7, 2)],
      edges: [edge(['a', 3], ['b', 7], 0.5), edge(['b', 7], 4, 2)],
      target: { kind: 'logit', index: 4 },
    });
    const at = new Map(layout.nodes.map((n) => [n.id, n]));
    expect(at.get(unitNodeId({ layer: 'a', unit: 3 }))!.column).toBe(0);
    expect(at.get(unitNodeId({ layer: 'b', unit: 7 }))!.column).toBe(1);
    const logit = at.get(logitNodeId(4))!;
    expect(logit.column).toBe(2);
    expect(logit.target).toBe(true);
    expect(logit.layer).toBeNull();
    expect(layout.columns.map((c) => c.label)).toEqual(['a', 'b', 'target']);
    // x grows with the column; relative widths are against the strongest edge.
    expect(at.get('a#3')!.x).toBeLessThan(at.get('b#7')!.x);
    expect(layout.edges.find((e) => e.target === 'logit:4')!.relative).toBe(1);
    expect(layout.edges.find((e) => e.target === 'b#7')!.relative).toBeCloseTo(0.25);
  });

  it('untangles crossings that score order leaves', () => {
    // Score order puts a#0 above a#1 but a#0 feeds the lower b unit: two crossings untangled.
    const layout = layoutCircuit(
      {
        layers: ['a', 'b'],
        nodes: [node('a', 0, 9), node('a', 1, 8), node('a', 2, 7), node('b', 10, 3), node('b', 11, 2), node('b', 12, 1)],
        edges: [edge(['a', 0], ['b', 12], 1), edge(['a', 1], ['b', 11], 1), edge(['a', 2], ['b', 10], 1), edge(['b', 10], 0, 1), edge(['b', 11], 0, 1), edge(['b', 12], 0, 1)],
        target: { kind: 'logit', index: 0 },
      },
      { sweeps: 0 },
    );
    expect(countCrossings(layout)).toBe(3);
    const sorted = layoutCircuit({
      layers: ['a', 'b'],
      nodes: [node('a', 0, 9), node('a', 1, 8), node('a', 2, 7), node('b', 10, 3), node('b', 11, 2), node('b', 12, 1)],
      edges: [edge(['a', 0], ['b', 12], 1), edge(['a', 1], ['b', 11], 1), edge(['a', 2], ['b', 10], 1), edge(['b', 10], 0, 1), edge(['b', 11], 0, 1), edge(['b', 12], 0, 1)],
      target: { kind: 'logit', index: 0 },
    });
    expect(countCrossings(sorted)).toBe(0);
  });

  it('reduces crossings on a random 8 × 20 circuit, deterministically, with no overlapping boxes', () => {
    const rng = new Rng(7);
    const layers = Array.from({ length: 8 }, (_, i) => `L${i}`);
    const nodes: CircuitNode[] = [];
    const edges: CircuitEdge[] = [];
    for (const l of layers) for (let u = 0; u < 20; u++) nodes.push(node(l, u * 3, rng.next()));
    for (let i = 0; i + 1 < layers.length; i++) {
      for (let u = 0; u < 20; u++) {
        for (let v = 0; v < 20; v++) if (rng.next() < 0.15) edges.push(edge([layers[i], u * 3], [layers[i + 1], v * 3], rng.next()));
      }
    }
    for (let v = 0; v < 20; v++) edges.push(edge([layers[7], v * 3], 1, rng.next()));
    const circuit = { layers, nodes, edges, target: { kind: 'logit' as const, index: 1 } };
    const naive = countCrossings(layoutCircuit(circuit, { sweeps: 0 }));
    const a = layoutCircuit(circuit);
    expect(countCrossings(a)).toBeLessThan(naive * 0.85);
    expect(layoutCircuit(circuit)).toEqual(a);
    const boxes = new Set(a.nodes.map((n) => `${n.x},${n.y}`));
    expect(boxes.size).toBe(a.nodes.length);
    expect(a.nodes.length).toBe(161);
    for (const n of a.nodes) expect(n.y + 64).toBeLessThanOrEqual(a.height + 1e-9);
  });

  it('puts units of a unit target outside the circuit layers in the target column', () => {
    const layout = layoutCircuit({
      layers: ['a'],
      nodes: [node('a', 1, 1)],
      edges: [edge(['a', 1], ['z', 5], 1)],
      target: { kind: 'unit', layer: 'z', unit: 5 },
    });
    const z = layout.nodes.find((n) => n.id === 'z#5')!;
    expect(z.column).toBe(1);
    expect(z.target).toBe(true);
  });
});
