/**
 * The one bilinear resampler of the engine: half-pixel centres, clamped at the edges — torch's
 * interpolate(mode='bilinear', align_corners=False, antialias=False). Used for model inputs,
 * activation-map upsampling and image resizing, so all three agree pixel for pixel.
 */

/**
 * Resizes an interleaved h×w image with `stride` values per pixel, of which the first
 * `channels` are kept, to H×W. Returns H·W·channels floats, interleaved (HWC).
 */
export function resizeBilinear(
  src: ArrayLike<number>,
  w: number,
  h: number,
  stride: number,
  channels: number,
  W: number,
  H: number,
): Float32Array {
  const out = new Float32Array(W * H * channels);
  const sy = h / H;
  const sx = w / W;
  for (let y = 0; y < H; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      const i00 = (y0 * w + x0) * stride;
      const i01 = (y0 * w + x1) * stride;
      const i10 = (y1 * w + x0) * stride;
      const i11 = (y1 * w + x1) * stride;
      const o = (y * W + x) * channels;
      for (let ch = 0; ch < channels; ch++) {
        const top = src[i00 + ch] * (1 - wx) + src[i01 + ch] * wx;
        const bottom = src[i10 + ch] * (1 - wx) + src[i11 + ch] * wx;
        out[o + ch] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}
