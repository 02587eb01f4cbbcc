/**
 * The Fourier image parameterisation of Lucid (Olah et al. 2017, "Feature Visualization"): per
 * colour channel, the real and imaginary parts of the half spectrum (H × (W/2+1)) scaled by
 * 1/f (frequency, floored at 1/max(H,W)), so that Adam's equal steps in every coefficient give an
 * image with natural-image (1/f) statistics instead of high-frequency noise.
 *
 *   image[y,x] = norm · Re Σ_{ky,kx} s(ky,kx) (a + i b) e^{2πi (ky·y/H + kx·x/W)}
 *
 * computed as two separable passes of complex FFTs (./fft: radix-2, Bluestein for other sizes):
 * inverse transforms over ky for each of the wk columns, then over kx (zero-padded to W) for each
 * row, keeping the real part. Real rows go two per FFT (one as the real, one as the imaginary
 * part, split or joined through Hermitian symmetry). The map is linear, so its gradient is its
 * adjoint: the same passes transposed, as forward transforms (`adjoint`, checked by
 * ⟨Lp, g⟩ = ⟨p, Lᵀg⟩ in the tests).
 */
import { Fft } from './fft';

/**
 * Per-frequency scale of the half spectrum (H × (⌊W/2⌋+1)): 1/|f|^decay, |f| floored at
 * 1/max(H, W), so that low frequencies dominate (the decorrelated parameterisation's prior).
 */
export function spectrumScale(H: number, W: number, decay: number): Float64Array {
  const wk = Math.floor(W / 2) + 1;
  const scale = new Float64Array(H * wk);
  const floor = 1 / Math.max(H, W);
  for (let ky = 0; ky < H; ky++) {
    const fy = Math.min(ky, H - ky) / H;
    for (let kx = 0; kx < wk; kx++) scale[ky * wk + kx] = 1 / Math.pow(Math.max(Math.hypot(fy, kx / W), floor), decay);
  }
  return scale;
}

export class FourierBasis {
  /** Columns of the half spectrum (W/2 + 1). */
  readonly wk: number;
  /** Parameters per channel: H · wk · 2 (a and b interleaved). */
  readonly perChannel: number;
  private readonly scale: Float64Array;
  private readonly fftH: Fft;
  private readonly fftW: Fft;
  /** Lucid's irfft2 normalisation (×√(HW), ÷HW, ÷4) with the half spectrum counted twice. */
  private readonly norm: number;
  /** T (after the pass over ky), column-major: T[y, kx] at kx·H + y, so each column is contiguous. */
  private readonly tr: Float64Array;
  private readonly ti: Float64Array;
  // Scratch row (length W).
  private readonly rr: Float64Array;
  private readonly ri: Float64Array;

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
    this.fftH = new Fft(H);
    this.fftW = new Fft(W);
    this.norm = 1 / (2 * Math.sqrt(H * W));
    this.tr = new Float64Array(H * this.wk);
    this.ti = new Float64Array(H * this.wk);
    this.rr = new Float64Array(W);
    this.ri = new Float64Array(W);
  }

  /** One channel: params[p0 …] (H·wk·2) → out[o0 …] (H·W). */
  image(params: Float32Array, p0: number, out: Float32Array, o0: number): void {
    const { height: H, width: W, wk, scale, tr, ti, rr, ri, norm } = this;
    // Pass 1 (over ky): T[y,kx] = Σ_ky Z[ky,kx] e^{2πi ky y/H}, Z = s·(a + ib).
    for (let kx = 0; kx < wk; kx++) {
      const c = kx * H;
      for (let ky = 0; ky < H; ky++) {
        const j = ky * wk + kx;
        tr[c + ky] = scale[j] * params[p0 + 2 * j];
        ti[c + ky] = scale[j] * params[p0 + 2 * j + 1];
      }
      this.fftH.transform(tr, ti, 1, c);
    }
    // Pass 2 (over kx): image[y,x] = norm · Re Σ_kx T[y,kx] e^{2πi kx x/W}, rows y and y+1 at
    // once: Re IDFT(z) = IDFT(h) with h[k] = (z[k] + conj z[−k])/2 Hermitian, so IDFT(h₁ + i·h₂)
    // has row y as its real part and row y+1 as its imaginary part.
    const at = (kx: number, y: number) => (kx < wk && y < H ? kx * H + y : -1);
    for (let y = 0; y < H; y += 2) {
      for (let k = 0; k < W; k++) {
        const a = at(k, y);
        const b = at((W - k) % W, y);
        const c = at(k, y + 1);
        const d = at((W - k) % W, y + 1);
        const h1r = ((a < 0 ? 0 : tr[a]) + (b < 0 ? 0 : tr[b])) / 2;
        const h1i = ((a < 0 ? 0 : ti[a]) - (b < 0 ? 0 : ti[b])) / 2;
        const h2r = ((c < 0 ? 0 : tr[c]) + (d < 0 ? 0 : tr[d])) / 2;
        const h2i = ((c < 0 ? 0 : ti[c]) - (d < 0 ? 0 : ti[d])) / 2;
        rr[k] = h1r - h2i;
        ri[k] = h1i + h2r;
      }
      this.fftW.transform(rr, ri, 1);
      const d0 = o0 + y * W;
      for (let x = 0; x < W; x++) out[d0 + x] = rr[x] * norm;
      if (y + 1 < H) for (let x = 0; x < W; x++) out[d0 + W + x] = ri[x] * norm;
    }
  }

  /** The adjoint of `image`: g[g0 …] (H·W) → grad[p0 …] (H·wk·2), added to what is there. */
  adjoint(g: Float32Array, g0: number, grad: Float32Array, p0: number): void {
    const { height: H, width: W, wk, scale, tr, ti, rr, ri, norm } = this;
    // Pass 2ᵀ: Tr[y,kx] + i·Ti[y,kx] = norm · Σ_x g[y,x] e^{−2πi kx x/W}, rows y and y+1 at once:
    // Z = DFT(g_y + i·g_{y+1}) splits into DFT(g_y)[k] = (Z[k] + conj Z[−k])/2 and
    // DFT(g_{y+1})[k] = (Z[k] − conj Z[−k])/(2i).
    for (let y = 0; y < H; y += 2) {
      const r0 = g0 + y * W;
      for (let x = 0; x < W; x++) rr[x] = g[r0 + x];
      if (y + 1 < H) for (let x = 0; x < W; x++) ri[x] = g[r0 + W + x];
      else ri.fill(0);
      this.fftW.transform(rr, ri, -1);
      const half = norm / 2;
      for (let kx = 0; kx < wk; kx++) {
        const m = (W - kx) % W;
        tr[kx * H + y] = (rr[kx] + rr[m]) * half;
        ti[kx * H + y] = (ri[kx] - ri[m]) * half;
        if (y + 1 < H) {
          tr[kx * H + y + 1] = (ri[kx] + ri[m]) * half;
          ti[kx * H + y + 1] = (rr[m] - rr[kx]) * half;
        }
      }
    }
    // Pass 1ᵀ: ∂/∂Z[ky,kx] = Σ_y T[y,kx] e^{−2πi ky y/H}, then × s.
    for (let kx = 0; kx < wk; kx++) {
      const c = kx * H;
      this.fftH.transform(tr, ti, -1, c);
      for (let ky = 0; ky < H; ky++) {
        const j = ky * wk + kx;
        grad[p0 + 2 * j] += scale[j] * tr[c + ky];
        grad[p0 + 2 * j + 1] += scale[j] * ti[c + ky];
      }
    }
  }
}
