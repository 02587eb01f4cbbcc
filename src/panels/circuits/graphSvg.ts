/**
 * The circuit graph as a standalone SVG (the Export buttons): the same layout as the panel, with
 * the node thumbnails embedded, column titles, and edges as wide as their weight. The PNG export
 * draws this SVG on a canvas.
 */
import type { GraphLayout } from '../../engine/circuits/layout';

const NODE_W = 72;
const NODE_H = 64;
const MARGIN = 24;
const TITLE = 28;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A short column title: the part of a tensor name that tells layers apart. */
export function shortLayer(tensor: string): string {
  return tensor.replace(/_output_\d+$/, '').replace(/^\//, '').slice(-28);
}

export function graphSvg(layout: GraphLayout, thumbs: ReadonlyMap<string, string>, labels: readonly string[] | null, threshold = 0): string {
  const width = layout.width + 2 * MARGIN;
  const height = layout.height + 2 * MARGIN + TITLE;
  const at = new Map(layout.nodes.map((n) => [n.id, n]));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<g transform="translate(${MARGIN},${MARGIN + TITLE})">`,
  ];
  for (const c of layout.columns) {
    parts.push(`<text x="${c.x + NODE_W / 2}" y="-10" text-anchor="middle" fill="#333">${esc(c.layer === null ? 'target' : shortLayer(c.label))}</text>`);
  }
  for (const e of layout.edges) {
    if (e.relative < threshold) continue;
    const a = at.get(e.source);
    const b = at.get(e.target);
    if (!a || !b) continue;
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const mx = (x1 + x2) / 2;
    parts.push(
      `<path d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}" fill="none" stroke="#2a7fd0" stroke-opacity="${(0.25 + 0.75 * e.relative).toFixed(3)}" stroke-width="${(0.5 + 6 * e.relative).toFixed(2)}"><title>${esc(`${e.source} → ${e.target}: ${e.weight}`)}</title></path>`,
    );
  }
  for (const n of layout.nodes) {
    const thumb = thumbs.get(n.id);
    parts.push(`<g transform="translate(${n.x},${n.y})"><rect width="${NODE_W}" height="${NODE_H}" rx="4" fill="#f4f6f8" stroke="${n.target ? '#d08a2a' : '#8899aa'}"/>`);
    if (thumb) parts.push(`<image x="${(NODE_W - 48) / 2}" y="2" width="48" height="48" href="${thumb}" xlink:href="${thumb}"/>`);
    const caption = n.layer === null ? `logit ${n.unit} ${labels?.[n.unit] ?? ''}`.trim() : `#${n.unit}`;
    parts.push(`<text x="${NODE_W / 2}" y="${NODE_H - 4}" text-anchor="middle" fill="#222">${esc(caption)}</text></g>`);
  }
  parts.push('</g></svg>');
  return parts.join('\n');
}

/** The SVG rasterised (scale × its size) as a PNG blob. */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = Object.assign(document.createElement('canvas'), { width: Math.ceil(img.width * scale), height: Math.ceil(img.height * scale) });
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('No 2D canvas');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
