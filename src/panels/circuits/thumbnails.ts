/**
 * Node thumbnails as PNG data URLs, made once per circuit outside React (an <img> per node keeps
 * pan and zoom cheap, and the SVG export embeds the same pictures): the unit's top dataset exemplar
 * when its layer is indexed, else the discovery example that drives the unit most, with the unit's
 * activation map over it as a heatmap.
 */
import { mapRange, overlayHeatmap, resizeImage, upsampleBilinear } from '../../engine/exemplars/maps';
import type { RawImage } from '../../engine/types';
import { scaledRgba } from '../../ui/RawImageCanvas';
import type { CircuitExamples } from '../../store';

export const THUMB_SIZE = 48;

function rgbaUrl(rgba: Uint8ClampedArray<ArrayBuffer>, w: number, h: number): string {
  const canvas = Object.assign(document.createElement('canvas'), { width: w, height: h });
  const ctx = canvas.getContext('2d');
  if (!ctx) return '';
  ctx.putImageData(new ImageData(rgba, w, h), 0, 0);
  return canvas.toDataURL('image/png');
}

/** An image as a data URL at `size`×`size`. */
export function imageUrl(image: RawImage, size = THUMB_SIZE): string {
  return rgbaUrl(scaledRgba(resizeImage(image, size, size), 1), size, size);
}

/** Node id → thumbnail data URL (image with its unit's heatmap). */
export function thumbnailUrls(examples: CircuitExamples | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!examples || typeof document === 'undefined') return out;
  for (const [id, t] of Object.entries(examples.thumbs)) {
    const image = t.source === 'exemplar' ? t.image : examples.discovery[t.example];
    if (!image) continue;
    const shown = resizeImage(image, THUMB_SIZE, THUMB_SIZE);
    if (!t.map) {
      out.set(id, rgbaUrl(scaledRgba(shown, 1), THUMB_SIZE, THUMB_SIZE));
      continue;
    }
    const [h, w] = t.map.dims;
    const up = upsampleBilinear(t.map.data, h, w, THUMB_SIZE, THUMB_SIZE);
    const { min, max } = mapRange(up);
    out.set(id, rgbaUrl(overlayHeatmap(shown, up, { lo: Math.min(0, min), hi: max > 0 ? max : 1 }), THUMB_SIZE, THUMB_SIZE));
  }
  return out;
}
