/**
 * An open upscaler: its own session (independent of the loaded probe model), the contract checked
 * by a dry run, then whole images (tiled) or single video frames (one run, buffers reused).
 */
import { LabError, asLabError, sessionError } from '../errors';
import { sha256Hex } from '../data/sha256';
import type { BackendInfo, GpuIo, GpuOutTensor, Runtime, Session, SessionOptions } from '../runtime/types';
import type { RawImage, TensorF32 } from '../types';
import { MAX_SCALE, readUpscalerContract } from './contract';
import { GPU_RESIDENT_FRAMES } from './gpuFrames';
import { planarToRgba, regionToPlanar } from './planar';
import { DEFAULT_OVERLAP, DEFAULT_TILE, upscaleTiled } from './tiles';

export interface UpscalerInfo {
  name: string;
  sha256: string;
  bytes: number;
  scale: number;
  parameters: number;
  input: string;
  output: string;
  backend: BackendInfo;
}

export interface UpscaleOptions {
  tile?: number;
  overlap?: number;
  signal?: AbortSignal;
  onTile?: (done: number, total: number) => void;
}

/** Side of the square the dry run feeds the model to measure its scale. */
const PROBE_SIDE = 16;

export class Upscaler {
  private frameInput: Float32Array | undefined;

  private constructor(
    private readonly session: Session,
    readonly info: UpscalerInfo,
  ) {}

  static async open(runtime: Runtime, bytes: Uint8Array, name: string, session?: SessionOptions): Promise<Upscaler> {
    const contract = readUpscalerContract(bytes);
    const sha256 = sha256Hex(bytes);
    let s: Session;
    try {
      s = await runtime.createSession(bytes, { ...session, gpuOutputs: GPU_RESIDENT_FRAMES });
    } catch (err) {
      throw sessionError(err);
    }
    try {
      const probe = { dims: [1, 3, PROBE_SIDE, PROBE_SIDE], data: new Float32Array(3 * PROBE_SIDE * PROBE_SIDE).fill(0.5) };
      const out = (await s.run({ [contract.input]: probe }, { outputs: [contract.output] }))[contract.output];
      const [n, c, h, w] = out.dims;
      const scale = h / PROBE_SIDE;
      if (out.dims.length !== 4 || n !== 1 || c !== 3 || !Number.isInteger(scale) || scale < 1 || scale > MAX_SCALE || w !== h) {
        throw new LabError('bad-model', `A [1,3,${PROBE_SIDE},${PROBE_SIDE}] input gave [${out.dims.join(',')}]: not an upscaler (expected [1,3,s·${PROBE_SIDE},s·${PROBE_SIDE}]).`);
      }
      if (contract.scale !== null && contract.scale !== scale) {
        throw new LabError('bad-model', `The metadata says lab.scale = ${contract.scale}, but the model upscales ${scale}×.`);
      }
      return new Upscaler(s, { name, sha256, bytes: bytes.byteLength, scale, parameters: contract.parameters, input: contract.input, output: contract.output, backend: s.backend });
    } catch (err) {
      await s.release();
      throw err instanceof LabError ? err : asLabError(err, 'bad-model');
    }
  }

  get scale(): number {
    return this.info.scale;
  }

  /** One model call: [1,3,h,w] in [0,1] → [1,3,s·h,s·w]. */
  run = async (input: TensorF32, signal?: AbortSignal): Promise<TensorF32> => {
    const out = await this.session.run({ [this.info.input]: input }, { outputs: [this.info.output], signal });
    return out[this.info.output];
  };

  /** GPU-resident runs, when the session offers them (WebGPU). */
  get gpuIo(): GpuIo | undefined {
    return this.session.gpuIo;
  }

  /**
   * A video frame in one run whose output stays on the GPU ([1,3,s·h,s·w], planar float, not
   * clamped): only the small input crosses to the GPU. Dispose the result once drawn.
   */
  async frameOnGpu(img: RawImage, signal?: AbortSignal): Promise<GpuOutTensor> {
    const io = this.session.gpuIo;
    if (!io) throw new LabError('internal', 'This upscaler’s session cannot keep frames on the GPU.');
    const { width: w, height: h } = img;
    this.frameInput = regionToPlanar(img, { x: 0, y: 0, width: w, height: h }, this.frameInput);
    const out = await io.run(this.info.input, { dims: [1, 3, h, w], data: this.frameInput }, this.info.output, signal);
    const [n, c, H, W] = out.dims;
    if (n !== 1 || c !== 3 || H !== h * this.scale || W !== w * this.scale) {
      out.dispose();
      throw new LabError('bad-model', `The upscaler gave [${out.dims.join(',')}] for a ${w}×${h} frame.`);
    }
    return out;
  }

  /** A whole image, tiled (see tiles.ts); RGBA s·W × s·H. */
  upscale(img: RawImage, options: UpscaleOptions = {}): Promise<RawImage> {
    return upscaleTiled(img, this.run, {
      scale: this.scale,
      tile: options.tile ?? DEFAULT_TILE,
      overlap: options.overlap ?? DEFAULT_OVERLAP,
      signal: options.signal,
      onTile: options.onTile,
    });
  }

  /**
   * A video frame in one run. The input tensor's buffer is kept between frames, and the RGBA result
   * goes into `reuse` when it has the right size (the page hands back the previous frame's buffer).
   */
  async frame(img: RawImage, reuse?: Uint8ClampedArray, signal?: AbortSignal): Promise<RawImage> {
    const { width: w, height: h } = img;
    this.frameInput = regionToPlanar(img, { x: 0, y: 0, width: w, height: h }, this.frameInput);
    const out = await this.run({ dims: [1, 3, h, w], data: this.frameInput }, signal);
    const s = this.scale;
    const W = w * s;
    const H = h * s;
    if (out.dims[2] !== H || out.dims[3] !== W) throw new LabError('bad-model', `The upscaler gave [${out.dims.join(',')}] for a ${w}×${h} frame.`);
    const rgba = reuse && reuse.length === W * H * 4 ? reuse : new Uint8ClampedArray(W * H * 4);
    planarToRgba(out.data, W, H, { x: 0, y: 0, width: W, height: H }, rgba, W, 0, 0);
    return { width: W, height: H, channels: 4, data: rgba };
  }

  release(): Promise<void> {
    this.frameInput = undefined;
    return this.session.release();
  }
}
