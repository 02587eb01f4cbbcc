/**
 * Sliding-window geometry shared by Conv and the pools: explicit pads from attributes (auto_pad
 * included), and the ConvTranspose attributes of the adjoint.
 *
 * Choice (documented in ../index.ts): the adjoint's output must have exactly the forward
 * input's spatial size, which for a stride > 1 depends on that size (ConvTranspose's attributes
 * are static). We take the sizes from the dry-run shapes, so the gradient graph keeps the batch
 * dynamic and fixes the spatial size to the dry run's (the image size every model here has).
 */
import type { Node } from '../../model';
import { attrs, type Builder } from '../builder';

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Pads at the start and at the end of each spatial axis. */
  begin: number[];
  end: number[];
  /** True when auto_pad is NOTSET (pads are explicit attributes). */
  explicit: boolean;
}

export function windowOf(b: Builder, node: Node, X: string, kernel: number[]): Window {
  const at = attrs(node);
  const n = kernel.length;
  const ones = Array(n).fill(1);
  const strides = at.ints('strides', null) ?? ones;
  const dilations = at.ints('dilations', null) ?? ones;
  const autoPad = at.str('auto_pad', 'NOTSET');
  let begin = Array(n).fill(0);
  let end = Array(n).fill(0);
  if (autoPad === 'NOTSET') {
    const pads = at.ints('pads', null);
    if (pads) {
      begin = pads.slice(0, n);
      end = pads.slice(n, 2 * n);
    }
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const H = b.requireDims(X).slice(2);
    for (let i = 0; i < n; i++) {
      const out = Math.ceil(H[i] / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - H[i]);
      const small = Math.floor(total / 2);
      begin[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      end[i] = total - begin[i];
    }
  } else if (autoPad !== 'VALID') {
    throw b.unsupported(`auto_pad "${autoPad}"`);
  }
  return { kernel, strides, dilations, begin, end, explicit: autoPad === 'NOTSET' };
}

/**
 * ConvTranspose pads and output_padding so that the adjoint of a window op maps an output of
 * spatial size `outSize` back onto exactly `inSize`. Output index o of a ConvTranspose is index
 * o + pads_begin of its uncropped result, whose length is s·(Ho−1) + d·(k−1) + 1; we keep the
 * begin pad and then crop (pads_end) or extend with zeros (output_padding) to reach H. With
 * stride 1 and explicit pads this is just the forward pads, with no shapes needed.
 */
export function adjointAttrs(b: Builder, win: Window, X: string, Y: string): { pads: number[]; output_padding?: number[] } {
  const n = win.kernel.length;
  if (win.explicit && win.strides.every((s) => s === 1)) return { pads: [...win.begin, ...win.end] };
  const H = b.requireDims(X).slice(2);
  const Ho = b.requireDims(Y).slice(2);
  const end: number[] = [];
  const outPad: number[] = [];
  for (let i = 0; i < n; i++) {
    const full = win.strides[i] * (Ho[i] - 1) + win.dilations[i] * (win.kernel[i] - 1) + 1;
    const L = full - win.begin[i];
    end.push(Math.max(0, L - H[i]));
    outPad.push(Math.max(0, H[i] - L));
  }
  const pads = [...win.begin, ...end];
  return outPad.some((p) => p > 0) ? { pads, output_padding: outPad } : { pads };
}

