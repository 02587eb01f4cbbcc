/**
 * The circuit graph's layout as plain code (no React, no DOM): layers become columns from input
 * (left) to output (right), with the target (a logit, or units of a layer outside the circuit) in
 * a last column; within a column units are ordered by barycentre sweeps (Sugiyama's heuristic), so
 * strong edges run roughly straight and cross little. Deterministic: ties break by score, then unit.
 */
import type { Circuit, CircuitEdge, UnitRef } from './types';

export interface LaidNode {
  /** `${layer}#${unit}`, or `logit:${index}` for a logit target. */
  id: string;
  /** The layer tensor, or null for a logit. */
  layer: string | null;
  /** Channel, or the logit's class index. */
  unit: number;
  score: number;
  column: number;
  row: number;
  /** Top-left corner of the node's box, in layout units. */
  x: number;
  y: number;
  /** True for nodes of the target column. */
  target: boolean;
  topExample?: number;
}

export interface LaidEdge {
  id: string;
  source: string;
  target: string;
  weight: number;
  /** weight / the largest weight of the graph, 0..1 (for widths and thresholds). */
  relative: number;
}

export interface GraphLayout {
  columns: Array<{ label: string; layer: string | null; x: number }>;
  nodes: LaidNode[];
  edges: LaidEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  columnGap?: number;
  rowGap?: number;
  /** Barycentre sweeps (down then up count as one). */
  sweeps?: number;
}

export const unitNodeId = (u: UnitRef): string => `${u.layer}#${u.unit}`;
export const logitNodeId = (index: number): string => `logit:${index}`;

function endId(end: CircuitEdge['to']): string {
  return 'logit' in end ? logitNodeId(end.logit) : unitNodeId(end);
}

interface Work {
  node: LaidNode;
  /** Position used by the sweeps (its row, then a barycentre while reordering). */
  key: number;
}

/** Lays out a circuit (nodes, edges, layers, target) as columns. */
export function layoutCircuit(circuit: Pick<Circuit, 'layers' | 'nodes' | 'edges' | 'target'>, options: LayoutOptions = {}): GraphLayout {
  const nodeWidth = options.nodeWidth ?? 72;
  const nodeHeight = options.nodeHeight ?? 64;
  const columnGap = options.columnGap ?? 120;
  const rowGap = options.rowGap ?? 16;
  const sweeps = options.sweeps ?? 4;

  const layerColumn = new Map(circuit.layers.map((l, i) => [l, i]));
  const targetColumn = circuit.layers.length;
  const byId = new Map<string, Work>();
  const add = (id: string, layer: string | null, unit: number, score: number, column: number, topExample?: number) => {
    const existing = byId.get(id);
    if (existing) {
      existing.node.score = Math.max(existing.node.score, score);
      return;
    }
    const node: LaidNode = { id, layer, unit, score, column, row: 0, x: 0, y: 0, target: column === targetColumn };
    if (topExample !== undefined) node.topExample = topExample;
    byId.set(id, { node, key: 0 });
  };
  for (const n of circuit.nodes) {
    const column = layerColumn.get(n.layer) ?? targetColumn;
    add(unitNodeId(n), n.layer, n.unit, n.score, column, n.topExample);
  }
  // The target column: a logit, the named unit or the chosen units, plus any edge end outside the layers.
  const t = circuit.target;
  if (t.kind === 'logit') add(logitNodeId(t.index), null, t.index, 0, targetColumn);
  else if (t.kind === 'unit' && !layerColumn.has(t.layer)) add(unitNodeId(t), t.layer, t.unit, 0, targetColumn);
  else if (t.kind === 'units') for (const u of t.units) if (!layerColumn.has(u.layer)) add(unitNodeId(u), u.layer, u.unit, 0, targetColumn);
  for (const e of circuit.edges) {
    add(unitNodeId(e.from), e.from.layer, e.from.unit, 0, layerColumn.get(e.from.layer) ?? targetColumn);
    if ('logit' in e.to) add(logitNodeId(e.to.logit), null, e.to.logit, 0, targetColumn);
    else add(unitNodeId(e.to), e.to.layer, e.to.unit, 0, layerColumn.get(e.to.layer) ?? targetColumn);
  }

  const maxWeight = circuit.edges.reduce((m, e) => Math.max(m, Math.abs(e.weight)), 0);
  const edges: LaidEdge[] = circuit.edges.map((e) => {
    const source = unitNodeId(e.from);
    const target = endId(e.to);
    return { id: `${source}->${target}`, source, target, weight: e.weight, relative: maxWeight > 0 ? Math.abs(e.weight) / maxWeight : 0 };
  });

  const columnCount = targetColumn + 1;
  const columns: Work[][] = Array.from({ length: columnCount }, () => []);
  for (const w of byId.values()) columns[w.node.column].push(w);
  // Start: strongest first in every column (ties: lower unit first).
  for (const col of columns) {
    col.sort((a, b) => b.node.score - a.node.score || a.node.unit - b.node.unit || a.node.id.localeCompare(b.node.id));
    col.forEach((w, i) => (w.key = i));
  }

  // Neighbours with weights, both directions.
  const up = new Map<string, Array<{ id: string; w: number }>>();
  const down = new Map<string, Array<{ id: string; w: number }>>();
  for (const e of edges) {
    const w = Math.abs(e.weight) + 1e-12;
    (up.get(e.source) ?? up.set(e.source, []).get(e.source)!).push({ id: e.target, w });
    (down.get(e.target) ?? down.set(e.target, []).get(e.target)!).push({ id: e.source, w });
  }
  const reorder = (col: Work[], neighbours: Map<string, Array<{ id: string; w: number }>>) => {
    for (const item of col) {
      const ns = neighbours.get(item.node.id) ?? [];
      let sum = 0;
      let total = 0;
      for (const n of ns) {
        const other = byId.get(n.id);
        if (!other) continue;
        sum += n.w * other.key;
        total += n.w;
      }
      // A unit without neighbours on that side keeps its place.
      item.key = total > 0 ? sum / total : item.key;
    }
    col.sort((a, b) => a.key - b.key || b.node.score - a.node.score || a.node.unit - b.node.unit);
    col.forEach((w, i) => (w.key = i));
  };
  for (let s = 0; s < sweeps; s++) {
    // Downward from the target (the circuit is built that way), then back up.
    for (let c = columnCount - 2; c >= 0; c--) reorder(columns[c], up);
    for (let c = 1; c < columnCount; c++) reorder(columns[c], down);
  }

  const tallest = Math.max(1, ...columns.map((c) => c.length));
  const height = tallest * nodeHeight + (tallest - 1) * rowGap;
  const out: LaidNode[] = [];
  columns.forEach((col, c) => {
    const colHeight = col.length * nodeHeight + Math.max(0, col.length - 1) * rowGap;
    const top = (height - colHeight) / 2;
    col.forEach((w, r) => {
      w.node.row = r;
      w.node.x = c * (nodeWidth + columnGap);
      w.node.y = top + r * (nodeHeight + rowGap);
      out.push(w.node);
    });
  });
  const columnInfo = Array.from({ length: columnCount }, (_, c) => ({
    label: c < targetColumn ? circuit.layers[c] : 'target',
    layer: c < targetColumn ? circuit.layers[c] : null,
    x: c * (nodeWidth + columnGap),
  }));
  return { columns: columnInfo, nodes: out, edges, width: columnCount * nodeWidth + (columnCount - 1) * columnGap, height };
}

/** Edge crossings between adjacent columns for these rows (a layout's quality, for tests and the bench). */
export function countCrossings(layout: GraphLayout): number {
  const at = new Map(layout.nodes.map((n) => [n.id, n]));
  const segs = layout.edges
    .map((e) => ({ a: at.get(e.source)!, b: at.get(e.target)! }))
    .filter((s) => s.a && s.b && s.b.column === s.a.column + 1);
  let crossings = 0;
  for (let i = 0; i < segs.length; i++) {
    for (let j = i + 1; j < segs.length; j++) {
      const s = segs[i];
      const t = segs[j];
      if (s.a.column !== t.a.column) continue;
      if ((s.a.row - t.a.row) * (s.b.row - t.b.row) < 0) crossings++;
    }
  }
  return crossings;
}
