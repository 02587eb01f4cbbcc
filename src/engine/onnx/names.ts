/**
 * Friendly layer names from exporter node names. PyTorch names nodes by module path
 * ("/layer1/layer1.0/conv1/Conv"); we keep the innermost module path ("layer1.0.conv1").
 */
import type { Node } from './model';

/** The module path of a node name, or '' when the name carries none. */
export function modulePath(node: Node): string {
  const parts = node.name.split('/').filter(Boolean);
  if (parts.length === 0) return '';
  const last = parts[parts.length - 1];
  // The trailing op segment ("Conv", "Relu_3") names the op, not the module.
  if (last === node.opType || new RegExp(`^${node.opType}(_\\d+)?$`).test(last)) parts.pop();
  // Scopes repeat their parent's name: ["features", "features.1", "block", "block.0"] is the
  // module path features.1.block.0 — a segment extending the previous one adds only its suffix.
  let path = '';
  let previous = '';
  for (const part of parts) {
    const segment = previous && part.startsWith(`${previous}.`) ? part.slice(previous.length + 1) : part;
    path = path ? `${path}.${segment}` : segment;
    previous = part;
  }
  return path;
}

/**
 * Labels for a list of (node, tensor) pairs, unique within the list: the module path,
 * suffixed by the op where two layers share a module, and by a counter as a last resort.
 */
export function friendlyLabels(items: Array<{ node: Node; tensor: string }>): string[] {
  const base = items.map(({ node, tensor }) => modulePath(node) || node.name || tensor);
  const count = new Map<string, number>();
  base.forEach((b) => count.set(b, (count.get(b) ?? 0) + 1));
  const withOp = base.map((b, i) => (count.get(b)! > 1 ? `${b}:${items[i].node.opType.toLowerCase()}` : b));
  const seen = new Map<string, number>();
  return withOp.map((label) => {
    const n = seen.get(label) ?? 0;
    seen.set(label, n + 1);
    return n === 0 ? label : `${label}#${n}`;
  });
}
