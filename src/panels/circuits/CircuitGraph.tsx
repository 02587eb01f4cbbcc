/**
 * The circuit as a graph (@xyflow/react for pan, zoom and selection; the layout is plain code from
 * engine/circuits/layout): a node per unit with its thumbnail, edges as wide as their weight,
 * edges under the threshold hidden. Hover shows the numbers; clicking a thumbnail opens the unit
 * in Exemplars; the node's button ablates it; clicking an edge between two circuit layers prunes it.
 * Nodes and edges are memoised so that pan and zoom re-render nothing at 8 layers × 20 units (the
 * viewport is one transformed layer); the edge threshold is the way to thin out the strokes painted.
 */
import { memo, useCallback, useMemo, useState } from 'react';
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type EdgeMouseHandler, type Node, type NodeProps } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { GraphLayout, LaidEdge, LaidNode } from '../../engine/circuits/layout';
import type { CircuitEdit } from '../../engine/circuits/types';
import { useLab } from '../../store';
import { shortLayer } from './graphSvg';

export interface UnitNodeData extends Record<string, unknown> {
  node: LaidNode;
  caption: string;
  thumb: string | null;
  /** The unit's scale when edited (0: ablated), else null. */
  scale: number | null;
  value: number | null;
  /** Where the thumbnail comes from (null: no thumbnail). */
  source: 'exemplar' | 'concept' | null;
}

type UnitNodeType = Node<UnitNodeData, 'unit'>;

function nodeTitle(d: UnitNodeData): string {
  const n = d.node;
  const lines = [n.layer === null ? `logit ${n.unit} (${d.caption})` : `${n.layer} · unit ${n.unit}`, `score ${n.score.toPrecision(4)}`];
  if (d.source === 'exemplar') lines.push('thumbnail: top dataset exemplar');
  else if (d.source === 'concept') lines.push('thumbnail: top concept example');
  if (d.value !== null) lines.push(d.source === 'exemplar' ? `exemplar max activation ${d.value.toPrecision(4)}` : `top example mean activation ${d.value.toPrecision(4)}`);
  if (d.scale !== null) lines.push(d.scale === 0 ? 'ablated' : `scaled ×${d.scale}`);
  return lines.join('\n');
}

const UnitNode = memo(function UnitNode({ data }: NodeProps<UnitNodeType>) {
  const n = data.node;
  const ablated = data.scale === 0;
  const open = useCallback(() => {
    if (n.layer === null) return;
    const s = useLab.getState();
    s.setPanel('exemplars');
    s.selectLayer(n.layer);
    s.selectUnit(n.unit);
  }, [n.layer, n.unit]);
  const toggle = useCallback(() => {
    if (n.layer !== null) void useLab.getState().toggleUnitAblation({ layer: n.layer, unit: n.unit });
  }, [n.layer, n.unit]);
  return (
    <div
      className={`circuit-node${n.target ? ' target' : ''}${ablated ? ' ablated' : ''}${data.scale !== null && !ablated ? ' scaled' : ''}`}
      title={nodeTitle(data)}
      data-testid={`circuit-node-${n.id}`}
      data-ablated={String(ablated)}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      {data.thumb ? (
        <img src={data.thumb} width={48} height={48} alt={data.source === 'exemplar' ? 'top dataset exemplar' : 'top concept example'} data-source={data.source ?? undefined} onClick={open} className={n.layer !== null ? 'clickable' : undefined} draggable={false} />
      ) : (
        <div className="circuit-node-label">{n.layer === null ? data.caption : '—'}</div>
      )}
      <div className="circuit-node-caption mono">
        {n.layer === null ? `logit ${n.unit}` : `#${n.unit}`}
        {n.layer !== null && (
          <button type="button" className="nodrag" onClick={toggle} data-testid={`circuit-ablate-${n.id}`} title={ablated ? 'Restore the unit' : 'Ablate the unit (scale 0) in every run'}>
            {ablated ? '↺' : '⊘'}
          </button>
        )}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

/** A column's title above its units (the layer, shortened; the full name on hover). */
const ColumnTitle = memo(function ColumnTitle({ data }: NodeProps<Node<{ title: string; full: string }, 'column'>>) {
  return (
    <div className="circuit-column mono small" title={data.full}>
      {data.title}
    </div>
  );
});

const NODE_TYPES = { unit: UnitNode, column: ColumnTitle };

function edgeEdited(edits: readonly CircuitEdit[], e: LaidEdge): boolean {
  return edits.some((x) => x.kind === 'edge' && `${x.from.layer}#${x.from.unit}` === e.source && `${x.to.layer}#${x.to.unit}` === e.target);
}

export function CircuitGraph({ layout, thumbs, labels }: { layout: GraphLayout; thumbs: Map<string, string>; labels: string[] | null }) {
  const edits = useLab((s) => s.circuitEdits);
  const threshold = useLab((s) => s.circuitThreshold);
  const values = useLab((s) => s.circuitExamples?.thumbs ?? null);
  const modelLayers = useLab((s) => s.summary?.layers ?? null);
  const friendly = useMemo(() => new Map(modelLayers?.map((l) => [l.tensor, l.label]) ?? []), [modelLayers]);
  const [hover, setHover] = useState<LaidEdge | null>(null);

  const scales = useMemo(() => {
    const m = new Map<string, number>();
    for (const e of edits) if (e.kind === 'unit') m.set(`${e.layer}#${e.unit}`, e.scale);
    return m;
  }, [edits]);

  const nodes = useMemo<Node[]>(
    () => [
      ...layout.columns.map((c, i) => ({
        id: `column:${i}`,
        type: 'column',
        position: { x: c.x - 44, y: -34 },
        draggable: false,
        connectable: false,
        data: { title: c.layer === null ? 'target' : (friendly.get(c.label) ?? shortLayer(c.label)), full: c.label },
      })),
      ...layout.nodes.map((n): UnitNodeType => ({
        id: n.id,
        type: 'unit',
        position: { x: n.x, y: n.y },
        draggable: false,
        connectable: false,
        data: {
          node: n,
          caption: n.layer === null ? (labels?.[n.unit] ?? `class ${n.unit}`) : `${n.unit}`,
          thumb: thumbs.get(n.id) ?? null,
          scale: scales.get(n.id) ?? null,
          value: values?.[n.id]?.value ?? null,
          source: values?.[n.id]?.source ?? null,
        },
      })),
    ],
    [layout, thumbs, scales, labels, values, friendly],
  );

  const edges = useMemo<Edge[]>(
    () =>
      layout.edges.map((e) => {
        const pruned = edgeEdited(edits, e);
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          hidden: e.relative < threshold,
          // Straight strokes: the cheapest to paint, thousands of them on every pan and zoom frame.
          type: 'straight',
          focusable: false,
          style: { strokeWidth: 0.5 + 6 * e.relative, stroke: pruned ? 'var(--bad, #e66)' : `rgba(127, 198, 255, ${0.25 + 0.75 * e.relative})`, strokeDasharray: pruned ? '4 3' : undefined },
          data: { weight: e.weight },
        };
      }),
    [layout, threshold, edits],
  );

  const byId = useMemo(() => new Map(layout.edges.map((e) => [e.id, e])), [layout]);
  const onEnter = useCallback<EdgeMouseHandler>((_, edge) => setHover(byId.get(edge.id) ?? null), [byId]);
  const onLeave = useCallback<EdgeMouseHandler>(() => setHover(null), []);
  const onEdgeClick = useCallback<EdgeMouseHandler>(
    (_, edge) => {
      const e = byId.get(edge.id);
      if (!e || e.target.startsWith('logit:')) return;
      const [fl, fu] = splitId(e.source);
      const [tl, tu] = splitId(e.target);
      void useLab.getState().toggleEdgePrune({ layer: fl, unit: fu }, { layer: tl, unit: tu });
    },
    [byId],
  );

  return (
    <div className="circuit-graph" data-testid="circuit-graph" data-nodes={layout.nodes.length} data-edges={layout.edges.length}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        fitView
        minZoom={0.1}
        maxZoom={4}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        onEdgeMouseEnter={onEnter}
        onEdgeMouseLeave={onLeave}
        onEdgeClick={onEdgeClick}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={24} />
        <Controls showInteractive={false} />
      </ReactFlow>
      <div className="circuit-hover mono small" data-testid="circuit-hover">
        {hover
          ? `${hover.source} → ${hover.target}: weight ${hover.weight.toPrecision(4)} (${(hover.relative * 100).toFixed(0)}% of the heaviest)${hover.target.startsWith('logit:') ? '' : ' · click to prune (where one Conv joins the two layers)'}`
          : 'Hover an edge for its weight; click a thumbnail to open the unit in Exemplars.'}
      </div>
    </div>
  );
}

/** `${layer}#${unit}` → [layer, unit]. */
export function splitId(id: string): [string, number] {
  const at = id.lastIndexOf('#');
  return [id.slice(0, at), Number(id.slice(at + 1))];
}
