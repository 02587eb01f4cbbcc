/**
 * A complex FFT of one fixed length, in place on split real/imaginary Float64Arrays, unnormalised:
 *
 *   X[k] = Σ_j x[j] e^{sign · 2πi jk/n}   (sign −1: forward, +1: inverse)
 *
 * Powers of two run an iterative radix-2 transform (bit-reversal, then butterflies with a
 * precomputed twiddle table). Any other length runs Bluestein's chirp-z algorithm: the DFT as a
 * convolution with the chirp e^{iπj²/n}, done by radix-2 FFTs of a power of two m ≥ 2n − 1 (the
 * chirp's spectrum precomputed), so 224 costs three 512-point FFTs instead of 224² products.
 */
export class Fft {
  private readonly pow2: Radix2 | null;
  private readonly blue: Bluestein | null;

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer (got ${n}).`);
    this.pow2 = isPow2(n) ? new Radix2(n) : null;
    this.blue = this.pow2 ? null : new Bluestein(n);
  }

  /** In place on re[o …], im[o …] (n values each, stride 1). */
  transform(re: Float64Array, im: Float64Array, sign: 1 | -1, o = 0): void {
    if (this.pow2) this.pow2.transform(re, im, sign, o);
    else this.blue!.transform(re, im, sign, o);
  }
}

const isPow2 = (n: number) => (n & (n - 1)) === 0;

class Radix2 {
  private readonly rev: Uint32Array;
  /** e^{−2πi k/n} for k < n/2. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(readonly n: number) {
    const bits = Math.round(Math.log2(n));
    this.rev = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.cos = new Float64Array(n >> 1);
    this.sin = new Float64Array(n >> 1);
    for (let k = 0; k < n >> 1; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / n);
    }
  }

  transform(re: Float64Array, im: Float64Array, sign: 1 | -1, o: number): void {
    const { n, rev, cos, sin } = this;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[o + i];
        re[o + i] = re[o + j];
        re[o + j] = t;
        t = im[o + i];
        im[o + i] = im[o + j];
        im[o + j] = t;
      }
    }
    // The table holds the forward twiddles; the inverse conjugates them.
    const s = -sign;
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const wr = cos[k * step];
          const wi = s * sin[k * step];
          const a = o + start + k;
          const b = a + half;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}

class Bluestein {
  private readonly m: number;
  private readonly fft: Radix2;
  /** The chirp e^{−iπj²/n}, j < n. */
  private readonly wr: Float64Array;
  private readonly wi: Float64Array;
  /** Forward FFT of the conjugate chirp, wrapped to length m (for sign −1; sign +1 conjugates). */
  private readonly br: Float64Array;
  private readonly bi: Float64Array;
  private readonly ar: Float64Array;
  private readonly ai: Float64Array;

  constructor(readonly n: number) {
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    this.m = m;
    this.fft = new Radix2(m);
    this.wr = new Float64Array(n);
    this.wi = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      // j² mod 2n keeps the angle small (exact for the n here).
      const phi = (Math.PI * ((j * j) % (2 * n))) / n;
      this.wr[j] = Math.cos(phi);
      this.wi[j] = -Math.sin(phi);
    }
    this.br = new Float64Array(m);
    this.bi = new Float64Array(m);
    for (let j = 0; j < n; j++) {
      this.br[j] = this.wr[j];
      this.bi[j] = -this.wi[j];
      if (j > 0) {
        this.br[m - j] = this.wr[j];
        this.bi[m - j] = -this.wi[j];
      }
    }
    this.fft.transform(this.br, this.bi, -1, 0);
    this.ar = new Float64Array(m);
    this.ai = new Float64Array(m);
  }

  /**
   * Forward: X[k] = w[k] Σ_j (x[j] w[j]) conj(w)[k − j], w = e^{−iπj²/n}. The inverse is the
   * forward transform of the conjugate, conjugated back.
   */
  transform(re: Float64Array, im: Float64Array, sign: 1 | -1, o: number): void {
    const { n, m, wr, wi, br, bi, ar, ai } = this;
    const c = sign === 1 ? -1 : 1; // conjugation of the input and output
    ar.fill(0);
    ai.fill(0);
    for (let j = 0; j < n; j++) {
      const xr = re[o + j];
      const xi = c * im[o + j];
      ar[j] = xr * wr[j] - xi * wi[j];
      ai[j] = xr * wi[j] + xi * wr[j];
    }
    this.fft.transform(ar, ai, -1, 0);
    for (let k = 0; k < m; k++) {
      const r = ar[k] * br[k] - ai[k] * bi[k];
      ai[k] = ar[k] * bi[k] + ai[k] * br[k];
      ar[k] = r;
    }
    this.fft.transform(ar, ai, 1, 0);
    const inv = 1 / m;
    for (let k = 0; k < n; k++) {
      const yr = ar[k] * inv;
      const yi = ai[k] * inv;
      re[o + k] = yr * wr[k] - yi * wi[k];
      im[o + k] = c * (yr * wi[k] + yi * wr[k]);
    }
  }
}
