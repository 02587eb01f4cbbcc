/** Glue from an exemplar (image + unit map) to the pictures the panel draws, with the threshold in use. */
import { mapRange, maskImage, overlayHeatmap, resizeImage, thresholdFor, upsampleBilinear, type ThresholdRule } from '../../engine/exemplars/maps';
import type { RawImage, TensorF32 } from '../../engine/types';
import type { ThresholdSetting } from '../../store/exemplarSlice';

export interface MapView {
  /** The image as drawn (RGB at the display size). */
  image: RawImage;
  /** The map upsampled (bilinear) to the display size, or null without a map. */
  up: Float32Array | null;
  overlay: Uint8ClampedArray<ArrayBuffer> | null;
  masked: Uint8ClampedArray<ArrayBuffer> | null;
  threshold: number | null;
  /** Share of the pixels above the threshold. */
  kept: number | null;
}

export function ruleOf(setting: ThresholdSetting, unitMax: number): ThresholdRule {
  return setting.basis === 'image' ? { mode: 'relative', fraction: setting.fraction } : { mode: 'absolute', value: setting.fraction * unitMax };
}

/**
 * What one exemplar looks like: the image at `size` (the model's input size, so the map lines up
 * with what the model saw), the heatmap overlay on [lo, hi], and the masked image.
 */
export function mapView(image: RawImage, map: TensorF32 | null, size: [number, number], scale: { lo: number; hi: number }, rule: ThresholdRule): MapView {
  const [H, W] = size;
  const shown = resizeImage(image, W, H);
  if (!map) return { image: shown, up: null, overlay: null, masked: null, threshold: null, kept: null };
  const [h, w] = map.dims;
  const up = upsampleBilinear(map.data, h, w, H, W);
  const threshold = thresholdFor(rule, mapRange(up).max);
  let kept = 0;
  for (const v of up) if (v > threshold) kept++;
  return {
    image: shown,
    up,
    overlay: overlayHeatmap(shown, up, scale),
    masked: maskImage(shown, up, threshold),
    threshold,
    kept: kept / up.length,
  };
}
