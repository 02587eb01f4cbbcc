/// <reference types="@webgpu/types" />
/**
 * GPU-resident webcam frames: the upscaler's output, left on the GPU by the session, is drawn on an
 * OffscreenCanvas (moved from the page) by a render pass — the 3× frame is never read back. It runs
 * on onnxruntime's own device (buffers cannot cross devices). The small LR input still goes up from
 * the CPU (see GpuIo in runtime/types.ts for why). Errors thrown here let the caller fall back to
 * the CPU copy. No error scopes: onnxruntime shares the device, and a pending scope failed in
 * chromium ("Instance dropped in popErrorScope").
 */
import type { GpuOutTensor } from '../runtime/types';
import { PLANAR_TO_CANVAS_WGSL } from './gpuShaders';

/**
 * Whether WebGPU sessions keep outputs on the GPU (webcam frames then drawn without readback, see
 * gpuFrames.ts). Off: with onnxruntime-web 1.30 (native WebGPU EP, chromium + SwiftShader) the
 * first GPU-resident frame drew, but the next run failed inside onnxruntime (its wgpuBufferDestroy
 * on a buffer its JS table no longer had: "Cannot read properties of undefined (reading
 * 'destroy')") and the session was unusable. Whole-image runs with outputs on the GPU, downloaded
 * (QueuedSession.run), worked for 5 runs of a 40×30 input, so it is the frame path's use.
 */
export const GPU_RESIDENT_FRAMES = false;

export class GpuFrames {
  private readonly draw: GPURenderPipeline;
  private readonly size: GPUBuffer;
  private readonly context: GPUCanvasContext;
  private destroyed = false;
  private lost: string | null = null;

  /** Throws when the canvas gives no WebGPU context. */
  constructor(
    private readonly device: GPUDevice,
    private readonly canvas: OffscreenCanvas,
  ) {
    const context = canvas.getContext('webgpu') as GPUCanvasContext | null;
    if (!context) throw new Error('the canvas gives no WebGPU context');
    const format = navigator.gpu.getPreferredCanvasFormat();
    context.configure({ device, format, alphaMode: 'opaque' });
    this.context = context;
    const module = device.createShaderModule({ code: PLANAR_TO_CANVAS_WGSL });
    this.draw = device.createRenderPipeline({
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    this.size = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    void device.lost.then((info) => {
      this.lost = info.message || info.reason || 'unknown reason';
    });
  }

  /** Draws an output [1,3,H,W] on the canvas (resized to W × H); resolves once the GPU has drawn it. */
  async show(out: GpuOutTensor): Promise<{ width: number; height: number }> {
    if (this.destroyed) throw new Error('the GPU frame path was closed');
    if (this.lost) throw new Error(`the WebGPU device was lost: ${this.lost}`);
    const { device } = this;
    const [, , H, W] = out.dims;
    if (this.canvas.width !== W || this.canvas.height !== H) {
      this.canvas.width = W;
      this.canvas.height = H;
    }
    device.queue.writeBuffer(this.size, 0, new Uint32Array([W, H, 0, 0]));
    const bind = device.createBindGroup({
      layout: this.draw.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: out.buffer, size: 3 * W * H * 4 } },
        { binding: 1, resource: { buffer: this.size } },
      ],
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginRenderPass({
      colorAttachments: [{ view: this.context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } }],
    });
    pass.setPipeline(this.draw);
    pass.setBindGroup(0, bind);
    pass.draw(3);
    pass.end();
    device.queue.submit([encoder.finish()]);
    // The time of a frame includes the GPU's work, and the next frame waits for it (best effort:
    // not needed for correctness).
    await device.queue.onSubmittedWorkDone().catch(() => undefined);
    return { width: W, height: H };
  }

  destroy(): void {
    this.destroyed = true;
    this.size.destroy();
    this.context.unconfigure();
  }
}
