/**
 * A unit card as a PNG for papers: title and label, statistics, the histogram, and the top and
 * bottom exemplars with their maps (the overlays the panel shows), drawn on one canvas.
 */
import type { UnitStats } from '../../engine/exemplars/layerIndex';
import type { MapView } from './mapViews';
import { scaledRgba } from '../../ui/RawImageCanvas';

const PAD = 12;
const GAP = 4;

function drawView(ctx: CanvasRenderingContext2D, view: MapView, x: number, y: number): void {
  const { width, height } = view.image;
  const rgba = view.overlay ?? scaledRgba(view.image, 1);
  ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), x, y);
}

export function unitCardPng(card: { title: string; label: string; stats: UnitStats; top: MapView[]; bottom: MapView[] }): Promise<Blob> {
  const cell = card.top[0]?.image ?? card.bottom[0]?.image ?? { width: 64, height: 64 };
  const perRow = Math.max(card.top.length, card.bottom.length, 1);
  const width = PAD * 2 + perRow * (cell.width + GAP) - GAP;
  const histH = 60;
  const height = PAD + 20 + 16 + 16 + histH + 8 + 2 * (14 + cell.height + GAP) + PAD;
  const canvas = Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d');
  if (!ctx) return Promise.reject(new Error('No 2D canvas'));
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#111111';
  ctx.font = 'bold 14px sans-serif';
  let y = PAD + 14;
  ctx.fillText(card.title, PAD, y);
  ctx.font = '12px sans-serif';
  y += 18;
  ctx.fillText(card.label, PAD, y);
  const s = card.stats;
  y += 16;
  ctx.fillStyle = '#555555';
  ctx.fillText(`mean ${s.mean.toFixed(4)} · std ${s.std.toFixed(4)} · min/max ${s.min.toFixed(3)}/${s.max.toFixed(3)} · active on ${(s.sparsity * 100).toFixed(1)}%`, PAD, y);
  // The histogram of the unit's per-image max, as bars (log-free counts, scaled to the tallest).
  const { counts } = s.histogram;
  const most = Math.max(1, ...counts);
  const barW = (width - 2 * PAD) / Math.max(1, counts.length);
  ctx.fillStyle = '#4f8cc9';
  counts.forEach((c, i) => {
    const h = (c / most) * histH;
    ctx.fillRect(PAD + i * barW, y + 8 + histH - h, Math.max(1, barW - 1), h);
  });
  y += 8 + histH + 8;
  for (const [name, views] of [
    ['top', card.top],
    ['bottom', card.bottom],
  ] as const) {
    ctx.fillStyle = '#555555';
    ctx.fillText(`${name} ${views.length}`, PAD, y + 10);
    y += 14;
    views.forEach((v, i) => drawView(ctx, v, PAD + i * (cell.width + GAP), y));
    y += cell.height + GAP;
  }
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
}
