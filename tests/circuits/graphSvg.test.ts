import { describe, expect, it } from 'vitest';
import { layoutCircuit } from '../../src/engine/circuits/layout';
import { graphSvg, shortLayer } from '../../src/panels/circuits/graphSvg';

const layout = layoutCircuit({
  layers: ['/a/relu_output_0', 'b<&>'],
  nodes: [{ layer: '/a/relu_output_0', unit: 1, score: 2 }, { layer: 'b<&>', unit: 2, score: 1 }],
  edges: [
    { from: { layer: '/a/relu_output_0', unit: 1 }, to: { layer: 'b<&>', unit: 2 }, weight: 0.1 },
    { from: { layer: 'b<&>', unit: 2 }, to: { logit: 3 }, weight: 1 },
  ],
  target: { kind: 'logit', index: 3 },
});

describe('graph SVG export', () => {
  it('draws every node and edge above the threshold, with thumbnails and escaped names', () => {
    const svg = graphSvg(layout, new Map([['b<&>#2', 'data:image/png;base64,AAAA']]), ['a', 'b', 'c', 'coat & co'], 0);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg.match(/<image /g)).toHaveLength(1);
    expect(svg).toContain('logit 3 coat &amp; co');
    expect(svg).toContain('b&lt;&amp;&gt;');
    expect(svg).not.toMatch(/<[^>]*b<&>/);
    // The light edge (10% of the heaviest) goes under a 50% threshold.
    expect(graphSvg(layout, new Map(), null, 0.5).match(/<path /g)).toHaveLength(1);
    expect(shortLayer('/stage3/block2/relu2/Relu_output_0')).toBe('stage3/block2/relu2/Relu');
  });
});
