/// <reference types="@webgpu/types" />
/**
 * GPU-resident webcam frames: the upscaler's output, left on the GPU by the session, is drawn on an
 * OffscreenCanvas (moved from the page) by a render pass — the 3× frame is never read back. It runs
 * on onnxruntime's own device (buffers cannot cross devices). The small LR input still goes up from
 * the CPU (see GpuIo in runtime/types.ts for why). Errors thrown here let the caller fall back to
 * the CPU copy — except a lost device: a canvas whose swap chain the browser cannot back takes
 * down every WebGPU device of the tab, onnxruntime's included (see GPU_RESIDENT_FRAMES), so then
 * the session is gone too and `deviceLost` says so. No error scopes: onnxruntime shares the
 * device, and a pending scope failed in chromium ("Instance dropped in popErrorScope").
 */
import type { GpuOutTensor } from '../runtime/types';
import { PLANAR_TO_CANVAS_WGSL } from './gpuShaders';

/**
 * Whether WebGPU sessions keep outputs on the GPU (webcam frames then drawn without readback).
 *
 * Off: it cannot be verified here. With onnxruntime-web 1.30 in headless chromium 156 (SwiftShader)
 * the first frame "drew" and the next run failed inside onnxruntime ("Cannot read properties of
 * undefined (reading 'destroy')" in its wgpuBufferDestroy). The cause is not onnxruntime's buffers
 * but the canvas: the first `getCurrentTexture()` of a WebGPU canvas asks the GPU process for a
 * swap-chain shared image, which the default headless setup (GL on SwiftShader) cannot make
 * ("Could not find SharedImageBackingFactory … WebgpuSwapChainTexture"); the tab's WebGPU
 * connection drops and every device in it is lost ("A valid external Instance reference no longer
 * exists") — onnxruntime's, a separate device of ours, even one in another worker — and
 * onnxruntime's next run trips over its dead buffers. No probe can test a canvas safely first.
 *
 * Experiments (FREDSR, 5 runs in a row each, every output equal to a CPU-output session's on the
 * same EP): gpu-buffer outputs disposed at once (40×30 inputs) and bound in our render pass to a
 * texture, then disposed (12×8), worked; a canvas configured on onnxruntime's device, or on a
 * device of our own, lost the device at `getCurrentTexture()` with no onnxruntime run involved.
 * With ANGLE on Vulkan (`--use-angle=vulkan --enable-features=Vulkan,VulkanFromANGLE`) the device
 * survives: drawing each output on a canvas, and an app-owned output buffer passed as a
 * pre-allocated fetch (`Tensor.fromGpuBuffer`) then drawn, both ran 5 times (12×8), and the e2e ran
 * 20 GPU-resident frames of 320×180 without a fallback (~31 s a frame; the CPU copy ~40 s). But
 * a WebGPU canvas there shows nothing: one cleared to red, on the main thread or in a worker,
 * reads back as transparent black through drawImage and is white in a screenshot (also with
 * DefaultANGLEVulkan, SkiaGraphite, Vulkan compositing or no GPU compositing), so the frames'
 * pixels cannot be checked against the CPU copy (the e2e saw 255/255). Untested on a real GPU.
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
    if (this.lost) throw new Error(`the WebGPU device was lost while drawing: ${this.lost}`);
    return { width: W, height: H };
  }

  /** Why the device was lost (with it, onnxruntime's session on it), or null while it lives. */
  get deviceLost(): string | null {
    return this.lost;
  }

  destroy(): void {
    this.destroyed = true;
    this.size.destroy();
    this.context.unconfigure();
  }
}
