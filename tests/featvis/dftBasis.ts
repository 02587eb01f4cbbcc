/**
 * The separable-DFT Fourier basis that src/engine/featvis/fourier.ts used before its FFT: the
 * reference the FFT version is tested against (and timed against in bench/gradients.ts). Same
 * map, O(H·W·(H+W)) per channel with precomputed cos/sin tables.
 */
import { spectrumScale } from '../../src/engine/featvis/fourier';

export class DftBasis {
  /** Columns of the half spectrum (W/2 + 1). */
  readonly wk: number;
  /** Parameters per channel: H · wk · 2 (a and b interleaved). */
  readonly perChannel: number;
  private readonly scale: Float64Array;
  private readonly cosH: Float64Array;
  private readonly sinH: Float64Array;
  private readonly cosW: Float64Array;
  private readonly sinW: Float64Array;
  /** Lucid's irfft2 normalisation (×√(HW), ÷HW, ÷4) with the half spectrum counted twice. */
  private readonly norm: number;
  private readonly tr: Float64Array;
  private readonly ti: Float64Array;
  // Scratch rows.
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;
  private readonly row: Float64Array;

  constructor(
    readonly height: number,
    readonly width: number,
    decay = 1,
  ) {
    const H = height;
    const W = width;
    this.wk = Math.floor(W / 2) + 1;
    this.perChannel = H * this.wk * 2;
    this.scale = spectrumScale(H, W, decay);
    this.cosH = new Float64Array(H * H);
    this.sinH = new Float64Array(H * H);
    for (let k = 0; k < H; k++) {
      for (let y = 0; y < H; y++) {
        const phi = (2 * Math.PI * ((k * y) % H)) / H;
        this.cosH[k * H + y] = Math.cos(phi);
        this.sinH[k * H + y] = Math.sin(phi);
      }
    }
    this.cosW = new Float64Array(this.wk * W);
    this.sinW = new Float64Array(this.wk * W);
    for (let k = 0; k < this.wk; k++) {
      for (let x = 0; x < W; x++) {
        const psi = (2 * Math.PI * ((k * x) % W)) / W;
        this.cosW[k * W + x] = Math.cos(psi);
        this.sinW[k * W + x] = Math.sin(psi);
      }
    }
    this.norm = 1 / (2 * Math.sqrt(H * W));
    this.tr = new Float64Array(H * this.wk);
    this.ti = new Float64Array(H * this.wk);
    this.zr = new Float64Array(this.wk);
    this.zi = new Float64Array(this.wk);
    this.row = new Float64Array(W);
  }

  /** One channel: params[p0 …] (H·wk·2) → out[o0 …] (H·W). Inner loops run over contiguous rows. */
  image(params: Float32Array, p0: number, out: Float32Array, o0: number): void {
    const { height: H, width: W, wk, scale, cosH, sinH, cosW, sinW, tr, ti, zr, zi, row } = this;
    tr.fill(0);
    ti.fill(0);
    // Pass 1 (over ky): T[y,kx] = Σ_ky Z[ky,kx] e^{2πi ky y/H}, Z = s·(a + ib).
    for (let ky = 0; ky < H; ky++) {
      for (let kx = 0; kx < wk; kx++) {
        const j = ky * wk + kx;
        zr[kx] = scale[j] * params[p0 + 2 * j];
        zi[kx] = scale[j] * params[p0 + 2 * j + 1];
      }
      for (let y = 0; y < H; y++) {
        const c = cosH[ky * H + y];
        const s = sinH[ky * H + y];
        const o = y * wk;
        for (let kx = 0; kx < wk; kx++) {
          tr[o + kx] += zr[kx] * c - zi[kx] * s;
          ti[o + kx] += zr[kx] * s + zi[kx] * c;
        }
      }
    }
    // Pass 2 (over kx): image[y,x] = norm · Re Σ_kx T[y,kx] e^{2πi kx x/W}.
    for (let y = 0; y < H; y++) {
      row.fill(0);
      for (let kx = 0; kx < wk; kx++) {
        const a = tr[y * wk + kx];
        const b = ti[y * wk + kx];
        const o = kx * W;
        for (let x = 0; x < W; x++) row[x] += a * cosW[o + x] - b * sinW[o + x];
      }
      const d = o0 + y * W;
      for (let x = 0; x < W; x++) out[d + x] = row[x] * this.norm;
    }
  }

  /** The adjoint of `image`: g[g0 …] (H·W) → grad[p0 …] (H·wk·2), added to what is there. */
  adjoint(g: Float32Array, g0: number, grad: Float32Array, p0: number): void {
    const { height: H, width: W, wk, scale, cosH, sinH, cosW, sinW, tr, ti, zr, zi } = this;
    // Pass 2ᵀ: ∂/∂Tr[y,kx] = Σ_x g cos ψ, ∂/∂Ti[y,kx] = −Σ_x g sin ψ.
    for (let y = 0; y < H; y++) {
      const r0 = g0 + y * W;
      for (let kx = 0; kx < wk; kx++) {
        const o = kx * W;
        let r = 0;
        let i = 0;
        for (let x = 0; x < W; x++) {
          const v = g[r0 + x];
          r += v * cosW[o + x];
          i -= v * sinW[o + x];
        }
        tr[y * wk + kx] = r * this.norm;
        ti[y * wk + kx] = i * this.norm;
      }
    }
    // Pass 1ᵀ: ∂/∂Zr = Σ_y (gTr cos φ + gTi sin φ), ∂/∂Zi = Σ_y (−gTr sin φ + gTi cos φ).
    for (let ky = 0; ky < H; ky++) {
      zr.fill(0);
      zi.fill(0);
      for (let y = 0; y < H; y++) {
        const c = cosH[ky * H + y];
        const s = sinH[ky * H + y];
        const o = y * wk;
        for (let kx = 0; kx < wk; kx++) {
          const a = tr[o + kx];
          const b = ti[o + kx];
          zr[kx] += a * c + b * s;
          zi[kx] += b * c - a * s;
        }
      }
      for (let kx = 0; kx < wk; kx++) {
        const j = ky * wk + kx;
        grad[p0 + 2 * j] += scale[j] * zr[kx];
        grad[p0 + 2 * j + 1] += scale[j] * zi[kx];
      }
    }
  }
}
