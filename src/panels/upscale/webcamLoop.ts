/**
 * The webcam loop: on each new video frame, grab it at the chosen input size (centre-cropped to
 * that aspect) as an ImageBitmap, move it to the worker, draw the 3× result on the canvas. At most
 * one frame is in flight — frames arriving meanwhile are dropped, never queued — and the result
 * buffer goes back to the worker with the next frame, so a running loop allocates nothing per frame.
 * On WebGPU a canvas made here is moved to the worker and frames are drawn there, never read back
 * ("GPU-resident"); the 2D canvas (the "CPU copy") takes over when the worker says the GPU path failed.
 */
import type { FrameResult } from '../../store/upscaleSlice';

export interface WebcamStats {
  /** Frames shown per second over the last FPS_WINDOW frames. */
  fps: number;
  /** Grab to drawn, for the last frame (ms). */
  latencyMs: number;
  /** The worker's share of it (pixels in, model, pixels out). */
  workerMs: number;
  frames: number;
  dropped: number;
  width: number;
  height: number;
  /** Where frames go: drawn by the GPU on the worker's canvas, or read back and drawn here. */
  path: FramePath;
  /** Why frames are not GPU-resident although that was asked for, or null. */
  gpuProblem: string | null;
}

export type FramePath = 'gpu' | 'cpu';

/** GPU-resident frames: where the loop puts its canvas, and how it hands it to the worker. */
export interface GpuTarget {
  host: HTMLElement;
  attach: (canvas: OffscreenCanvas | null) => Promise<{ path: FramePath; reason: string | null }>;
}

/** Frames the FPS figure is averaged over. */
const FPS_WINDOW = 10;

export type FrameUpscaler = (frame: ImageBitmap, reuse?: Uint8ClampedArray) => Promise<FrameResult>;

/** Why the camera cannot be used, in words for the researcher. */
export function cameraProblem(err: unknown): string {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'Camera access was denied. Allow the camera for this page (the address bar’s site settings) and start again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No camera was found. Connect one and start again.';
  if (name === 'NotReadableError' || name === 'AbortError') return 'The camera is in use by another application, or could not be started.';
  return `The camera could not be started: ${err instanceof Error ? err.message : String(err)}`;
}

type VideoWithCallback = HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number; cancelVideoFrameCallback?: (id: number) => void };

export class WebcamLoop {
  private stream: MediaStream | null = null;
  private callback: number | null = null;
  private stopped = false;
  private busy = false;
  private reuse: Uint8ClampedArray | undefined;
  private shown: number[] = [];
  private stats: WebcamStats;
  private gpuCanvas: HTMLCanvasElement | null = null;

  constructor(
    private readonly video: VideoWithCallback,
    private readonly canvas: HTMLCanvasElement,
    private readonly size: { width: number; height: number },
    private readonly upscale: FrameUpscaler,
    private readonly onStats: (s: WebcamStats) => void,
    private readonly onError: (message: string) => void,
    private readonly gpu: GpuTarget | null = null,
  ) {
    this.stats = { fps: 0, latencyMs: 0, workerMs: 0, frames: 0, dropped: 0, width: 0, height: 0, path: 'cpu', gpuProblem: null };
  }

  /** Asks for the camera and starts the loop; rejects with a message when there is no camera. */
  async start(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('This browser gives no camera access here (it needs https or localhost).');
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: this.size.width }, height: { ideal: this.size.height } },
        audio: false,
      });
    } catch (err) {
      throw new Error(cameraProblem(err));
    }
    if (this.stopped) {
      this.releaseStream();
      return;
    }
    this.video.srcObject = this.stream;
    this.video.muted = true;
    await this.video.play();
    if (this.gpu) await this.attachGpu(this.gpu);
    if (this.stopped) return;
    this.schedule();
  }

  /** Moves a fresh canvas to the worker; frames stay on the GPU when it accepts it. */
  private async attachGpu(gpu: GpuTarget): Promise<void> {
    const canvas = document.createElement('canvas');
    canvas.className = 'up-webcam-canvas';
    canvas.dataset.testid = 'webcam-gpu-canvas';
    let reason: string | null;
    try {
      // A canvas moved to a worker cannot come back: each loop makes its own.
      ({ path: this.stats.path, reason } = await gpu.attach(canvas.transferControlToOffscreen()));
    } catch (err) {
      this.stats.path = 'cpu';
      reason = err instanceof Error ? err.message : String(err);
    }
    this.stats.gpuProblem = reason;
    if (this.stats.path === 'gpu' && !this.stopped) {
      gpu.host.appendChild(canvas);
      this.gpuCanvas = canvas;
    }
  }

  private dropGpu(): void {
    if (!this.gpuCanvas) return;
    this.gpuCanvas.remove();
    this.gpuCanvas = null;
    // The worker lets go of its canvas and the GPU resources (nothing to wait for).
    this.gpu?.attach(null).catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    if (this.callback !== null) {
      if (this.video.cancelVideoFrameCallback) this.video.cancelVideoFrameCallback(this.callback);
      else cancelAnimationFrame(this.callback);
      this.callback = null;
    }
    this.releaseStream();
    this.reuse = undefined;
    this.dropGpu();
  }

  private releaseStream(): void {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.video.srcObject = null;
  }

  private schedule(): void {
    if (this.stopped) return;
    const next = () => {
      this.callback = null;
      this.tick();
      this.schedule();
    };
    this.callback = this.video.requestVideoFrameCallback ? this.video.requestVideoFrameCallback(next) : requestAnimationFrame(next);
  }

  private tick(): void {
    const { videoWidth: vw, videoHeight: vh } = this.video;
    if (this.stopped || vw === 0 || vh === 0) return;
    if (this.busy) {
      this.stats.dropped++;
      return;
    }
    this.busy = true;
    void this.frame(vw, vh).finally(() => {
      this.busy = false;
    });
  }

  private async frame(vw: number, vh: number): Promise<void> {
    const t0 = performance.now();
    const { width, height } = this.size;
    // Centre crop to the input's aspect, then resize: no stretching whatever the camera gives.
    const aspect = width / height;
    const cw = Math.min(vw, Math.round(vh * aspect));
    const ch = Math.min(vh, Math.round(vw / aspect));
    try {
      const bitmap = await createImageBitmap(this.video, (vw - cw) >> 1, (vh - ch) >> 1, cw, ch, { resizeWidth: width, resizeHeight: height, resizeQuality: 'medium' });
      if (this.stopped) {
        bitmap.close();
        return;
      }
      const reuse = this.reuse;
      this.reuse = undefined; // moved to the worker with this frame
      const result = await this.upscale(bitmap, reuse);
      if (this.stopped) return;
      const size = result.path === 'gpu' ? result : result.image;
      if (result.path === 'cpu') {
        const { image } = result;
        if (result.gpuProblem) {
          // The worker fell back for good: the 2D canvas shows frames from now on.
          this.stats.gpuProblem = `GPU-resident frames stopped: ${result.gpuProblem}`;
          this.dropGpu();
        }
        this.stats.path = 'cpu';
        if (this.canvas.width !== image.width || this.canvas.height !== image.height) {
          this.canvas.width = image.width;
          this.canvas.height = image.height;
        }
        const rgba = image.data as Uint8ClampedArray<ArrayBuffer>;
        this.canvas.getContext('2d')?.putImageData(new ImageData(rgba, image.width, image.height), 0, 0);
        this.reuse = rgba;
      }
      const now = performance.now();
      this.shown.push(now);
      if (this.shown.length > FPS_WINDOW) this.shown.shift();
      const span = now - this.shown[0];
      this.stats = {
        ...this.stats,
        fps: span > 0 ? ((this.shown.length - 1) * 1000) / span : 0,
        latencyMs: now - t0,
        workerMs: result.ms,
        frames: this.stats.frames + 1,
        width: size.width,
        height: size.height,
      };
      this.onStats(this.stats);
    } catch (err) {
      if (this.stopped) return;
      this.stop();
      this.onError(err instanceof Error ? err.message : String(err));
    }
  }
}
