/**
 * The worker's upscaler: one open Upscaler (its own session, beside the loaded probe model),
 * whole images with bicubic and metrics, and webcam frames. Frames arrive as ImageBitmaps (read
 * back through one reused OffscreenCanvas, then closed) or, under Node, as RawImages. On WebGPU,
 * with a canvas attached, the 3× result stays on the GPU and is drawn there (gpuFrames.ts); a GPU
 * failure falls back to the CPU copy for good (until a canvas is attached again), on the same frame
 * — unless the device was lost, which ends the session too (an error saying so).
 */
import { LabError } from '../engine/errors';
import { resizeBicubic } from '../engine/upscale/bicubic';
import { compareToTruth, prepareInput } from '../engine/upscale/compare';
import { GpuFrames } from '../engine/upscale/gpuFrames';
import { DEFAULT_OVERLAP, DEFAULT_TILE } from '../engine/upscale/tiles';
import { Upscaler } from '../engine/upscale/upscaler';
import type { Runtime, SessionOptions } from '../engine/runtime/types';
import type { RawImage } from '../engine/types';
import { MAX_MODEL_BYTES, type EngineRequest, type EngineResponseBody, type Progress } from './protocol';

type Body<K extends EngineResponseBody['kind']> = Extract<EngineResponseBody, { kind: K }>;
type Req<K extends EngineRequest['kind']> = Extract<EngineRequest, { kind: K }>;

/**
 * Largest low-resolution input of a whole-image upscale in a tab: 1920×1080, whose 3× result
 * (18.7 MP) already takes ~75 MB as RGBA, ~56 MB more as the bicubic comparison, and two canvases.
 */
export const MAX_UPSCALE_PIXELS = 1920 * 1080;
/** Largest webcam frame (1280×720 gives 3840×2160). */
export const MAX_FRAME_PIXELS = 1280 * 720;

function isRaw(frame: RawImage | ImageBitmap): frame is RawImage {
  return (frame as RawImage).data !== undefined;
}

export class UpscaleHost {
  private upscaler: Upscaler | null = null;
  private canvas: OffscreenCanvas | null = null;
  private gpu: GpuFrames | null = null;

  async open(runtime: Runtime, request: Req<'openUpscaler'>, session: SessionOptions): Promise<Body<'openUpscaler'>> {
    if (request.bytes.byteLength > MAX_MODEL_BYTES) {
      throw new LabError('too-large', `The upscaler is ${(request.bytes.byteLength / 2 ** 20).toFixed(0)} MB; the lab opens models up to ${MAX_MODEL_BYTES / 2 ** 20} MB.`);
    }
    const next = await Upscaler.open(runtime, request.bytes, request.name, session);
    // As with models, the previous upscaler goes only once the new one works.
    const previous = this.upscaler;
    this.upscaler = next;
    // The page attaches a fresh canvas for the new upscaler's frames.
    this.dropGpu();
    await previous?.release();
    return { kind: 'openUpscaler', info: next.info };
  }

  async upscale(request: Req<'upscale'>, signal: AbortSignal, progress: (p: Progress) => void): Promise<Body<'upscale'>> {
    const up = this.require();
    const s = up.scale;
    const { lr, truth } = prepareInput(request.source, s);
    if (lr.width * lr.height > MAX_UPSCALE_PIXELS) {
      throw new LabError('too-large', `The input is ${lr.width}×${lr.height}; a tab upscales inputs up to ${(MAX_UPSCALE_PIXELS / 1e6).toFixed(1)} megapixels, e.g. 1920×1080 (crop it, or use \`lab upscale\`, which has no such limit).`);
    }
    const tile = request.tile ?? DEFAULT_TILE;
    const overlap = request.overlap ?? DEFAULT_OVERLAP;
    let tiles = 0;
    const t0 = performance.now();
    const output = await up.upscale(lr, {
      tile,
      overlap,
      signal,
      onTile: (done, total) => {
        tiles = total;
        progress({ stage: 'upscale', fraction: done / total, message: `Tile ${done} of ${total}`, tiles: { done, total } });
      },
    });
    const ms = performance.now() - t0;
    progress({ stage: 'compare', fraction: null, message: truth ? 'Bicubic and metrics…' : 'Bicubic…' });
    const bicubic = resizeBicubic(lr, output.width, output.height);
    const metrics = truth ? compareToTruth(output, bicubic, truth, s) : null;
    return { kind: 'upscale', result: { input: lr, output, bicubic, truth, metrics, tiles, tile, overlap, ms } };
  }

  async frame(request: Req<'upscaleFrame'>, signal: AbortSignal): Promise<Body<'upscaleFrame'>> {
    const t0 = performance.now();
    const { frame } = request;
    try {
      const up = this.require();
      if (frame.width * frame.height > MAX_FRAME_PIXELS) {
        throw new LabError('too-large', `A ${frame.width}×${frame.height} frame is larger than the ${MAX_FRAME_PIXELS} pixels the webcam mode takes.`);
      }
      let gpuProblem: string | undefined;
      if (this.gpu && !isRaw(frame)) {
        try {
          const out = await up.frameOnGpu(this.pixels(frame), signal);
          try {
            const { width, height } = await this.gpu.show(out);
            return { kind: 'upscaleFrame', path: 'gpu', width, height, ms: performance.now() - t0 };
          } finally {
            // Queued commands keep the buffer alive; onnxruntime may reuse it for the next run.
            out.dispose();
          }
        } catch (err) {
          if (signal.aborted) throw err;
          // A lost device took onnxruntime's session with it: the CPU copy would fail as well.
          const lost = this.gpu?.deviceLost;
          this.dropGpu();
          if (lost) {
            throw new LabError('backend', `The WebGPU device was lost while drawing a frame on the GPU (${lost}); the upscaler’s WebGPU session went with it. Reload the page or switch the backend, and untick “Keep frames on the GPU” if this browser cannot draw WebGPU canvases.`);
          }
          gpuProblem = err instanceof Error ? err.message : String(err);
          console.warn('GPU-resident frame failed; frames are read back from now on.', err);
        }
      }
      const image = isRaw(frame) ? frame : this.pixels(frame);
      const out = await up.frame(image, request.reuse, signal);
      return { kind: 'upscaleFrame', path: 'cpu', image: out, ms: performance.now() - t0, ...(gpuProblem ? { gpuProblem } : {}) };
    } finally {
      if (!isRaw(frame)) frame.close();
    }
  }

  /** Takes the page's canvas for GPU-resident frames when the upscaler runs on WebGPU; says which path frames take. */
  attachCanvas(request: Req<'attachFrameCanvas'>): Body<'attachFrameCanvas'> {
    this.dropGpu();
    if (!request.canvas) return { kind: 'attachFrameCanvas', path: 'cpu', reason: null };
    const up = this.require();
    const io = up.gpuIo;
    if (!io) {
      const reason =
        up.info.backend.name !== 'webgpu'
          ? `the upscaler runs on ${up.info.backend.name.toUpperCase()}, not WebGPU`
          : 'GPU-resident frames are switched off in this build (GPU_RESIDENT_FRAMES)';
      return { kind: 'attachFrameCanvas', path: 'cpu', reason };
    }
    try {
      this.gpu = new GpuFrames(io.device, request.canvas);
      return { kind: 'attachFrameCanvas', path: 'gpu', reason: null };
    } catch (err) {
      return { kind: 'attachFrameCanvas', path: 'cpu', reason: err instanceof Error ? err.message : String(err) };
    }
  }

  async release(): Promise<Body<'releaseUpscaler'>> {
    this.dropGpu();
    await this.upscaler?.release();
    this.upscaler = null;
    this.canvas = null;
    return { kind: 'releaseUpscaler', ok: true };
  }

  private dropGpu(): void {
    const gpu = this.gpu;
    this.gpu = null;
    try {
      gpu?.destroy();
    } catch (err) {
      // A lost device may refuse; its resources go with it.
      console.warn('Releasing the GPU frame resources failed.', err);
    }
  }

  /** An ImageBitmap's RGBA pixels, through one canvas kept across frames. */
  private pixels(bitmap: ImageBitmap): RawImage {
    const { width, height } = bitmap;
    if (!this.canvas || this.canvas.width !== width || this.canvas.height !== height) this.canvas = new OffscreenCanvas(width, height);
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new LabError('internal', 'This browser cannot read video frames in a worker (no OffscreenCanvas 2D).');
    ctx.drawImage(bitmap, 0, 0);
    return { width, height, channels: 4, data: ctx.getImageData(0, 0, width, height).data };
  }

  private require(): Upscaler {
    if (!this.upscaler) throw new LabError('bad-request', 'No upscaler is open.');
    return this.upscaler;
  }
}

/** Buffers an upscale result owns alone, moved to the page instead of copied. */
export function upscaleTransferables(body: EngineResponseBody): ArrayBuffer[] {
  if (body.kind === 'upscaleFrame') return body.path === 'cpu' ? [body.image.data.buffer as ArrayBuffer] : [];
  if (body.kind !== 'upscale') return [];
  const { input, output, bicubic, truth } = body.result;
  const buffers = new Set([input, output, bicubic, truth].filter((i): i is RawImage => i !== null).map((i) => i.data.buffer as ArrayBuffer));
  return [...buffers];
}
