/** The JS reference of ONNX DepthToSpace, shared by the upscaler and surgery tests. */
import type { TensorF32 } from '../../src/engine/types';

/**
 * DepthToSpace: out[n, c, h·b+i, w·b+j] = in[n, k, h, w] with k = c·b² + i·b + j in CRD mode (what
 * torch's PixelShuffle exports to) and k = (i·b + j)·c_out + c in DCR mode (channels block-first).
 */
export function depthToSpace(x: TensorF32, b: number, mode: 'CRD' | 'DCR' = 'CRD'): TensorF32 {
  const [N, C, H, W] = x.dims;
  const c = C / (b * b);
  const source = mode === 'CRD' ? (ch: number, i: number, j: number) => ch * b * b + i * b + j : (ch: number, i: number, j: number) => (i * b + j) * c + ch;
  const out = new Float32Array(x.data.length);
  for (let n = 0; n < N; n++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < b; i++)
        for (let j = 0; j < b; j++)
          for (let h = 0; h < H; h++)
            for (let w = 0; w < W; w++) {
              const src = ((n * C + source(ch, i, j)) * H + h) * W + w;
              const dst = ((n * c + ch) * H * b + h * b + i) * W * b + w * b + j;
              out[dst] = x.data[src];
            }
  return { dims: [N, c, H * b, W * b], data: out };
}
