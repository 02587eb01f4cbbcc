/** The synthetic video frame every upscale benchmark feeds: [1,3,h,w] in [0.1, 0.9], smooth. */
import type { TensorF32 } from '../../src/engine/types';

export function benchFrame(width: number, height: number): TensorF32 {
  return { dims: [1, 3, height, width], data: new Float32Array(3 * width * height).map((_, i) => 0.5 + 0.4 * Math.sin(i * 0.001)) };
}
