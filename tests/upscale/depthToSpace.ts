/** The JS reference of ONNX DepthToSpace in CRD mode, shared by the upscaler and surgery tests. */
import type { TensorF32 } from '../../src/engine/types';

/** DepthToSpace, CRD: out[n, c, h·b+i, w·b+j] = in[n, c·b²+i·b+j, h, w]. */
export function depthToSpaceCRD(x: TensorF32, b: number): TensorF32 {
  const [N, C, H, W] = x.dims;
  const c = C / (b * b);
  const out = new Float32Array(x.data.length);
  for (let n = 0; n < N; n++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < b; i++)
        for (let j = 0; j < b; j++)
          for (let h = 0; h < H; h++)
            for (let w = 0; w < W; w++) {
              const src = ((n * C + ch * b * b + i * b + j) * H + h) * W + w;
              const dst = ((n * c + ch) * H * b + h * b + i) * W * b + w * b + j;
              out[dst] = x.data[src];
            }
  return { dims: [N, c, H * b, W * b], data: out };
}
