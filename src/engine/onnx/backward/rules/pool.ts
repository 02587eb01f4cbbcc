/**
 * Pools.
 * - MaxPool: the forward node is given its optional second output, Indices (flat positions of
 *   each window's max in X, as onnxruntime computes them — ties resolved as in the forward
 *   pass), and dY is scatter-added there. Default: ScatterElements(reduction='add') over the
 *   flattened tensors (opset ≥ 16). Fallback for older opsets: MaxUnpool, which writes rather
 *   than adds, over sub-grids of windows that do not overlap (stride m in window units, m =
 *   ceil(window / stride), so 4 MaxUnpools for a 3×3/2 pool), summed.
 * - AveragePool: dY divided by each window's divisor (count_include_pad and ceil_mode as the
 *   forward op counts), then a depthwise ConvTranspose with a kernel of ones.
 * - GlobalAveragePool: dY / (H·W) expanded over the map.
 */
import { attrs } from '../builder';
import { adjointAttrs, windowOf } from './geometry';
import { dy0, type Rule } from './rule';

const INT64_MAX = 9007199254740991; // Number.MAX_SAFE_INTEGER: clamps like INT64_MAX in Slice ends

export const MaxPool: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const at = attrs(node);
    if (at.int('storage_order', 0) !== 0) throw b.unsupported('storage_order = 1 (column-major indices)');
    const X = node.input[0];
    if (!node.output[1]) node.output = [node.output[0], b.fresh(`${node.output[0]}:indices`)];
    const I = node.output[1];
    const dy = dy0(a);
    const mode = b.maxPool === 'auto' ? (b.opset >= 16 ? 'scatter' : 'unpool') : b.maxPool;
    if (mode === 'scatter') {
      if (b.opset < 16) throw b.unsupported('ScatterElements with reduction needs opset 16');
      const flat = b.constI64([-1]);
      const zeros = b.op('ConstantOfShape', [b.op('Reshape', [b.op('Size', [X]), b.constI64([1])])]);
      const scattered = b.op('ScatterElements', [zeros, b.op('Reshape', [I, flat]), b.op('Reshape', [dy, flat])], {
        axis: 0,
        reduction: 'add',
      });
      return [b.reshapeLike(scattered, X)];
    }
    const kernel = at.ints('kernel_shape', null)!;
    const win = windowOf(b, node, X, kernel);
    const n = kernel.length;
    const m = kernel.map((k, i) => Math.ceil((win.dilations[i] * (k - 1) + 1) / win.strides[i]));
    const unpool = (g: string, idx: string) =>
      b.op('MaxUnpool', [g, idx, b.shapeOf(X)], { kernel_shape: kernel, strides: win.strides, pads: [...win.begin, ...win.end] });
    if (m.every((x) => x === 1)) return [unpool(dy, I)];
    const axes = Array.from({ length: n }, (_, i) => i + 2);
    const parts: string[] = [];
    const offsets = (i: number): number[][] =>
      i === n ? [[]] : offsets(i + 1).flatMap((rest) => Array.from({ length: m[i] }, (_, o) => [o, ...rest]));
    for (const off of offsets(0)) {
      const ends = Array(n).fill(INT64_MAX);
      parts.push(unpool(b.slice(dy, off, ends, axes, m), b.slice(I, off, ends, axes, m)));
    }
    return [b.op('Sum', parts)];
  },
};

export const AveragePool: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const at = attrs(node);
    const X = node.input[0];
    const Y = node.output[0];
    const kernel = at.ints('kernel_shape', null)!;
    const win = windowOf(b, node, X, kernel);
    if (win.dilations.some((d) => d !== 1)) throw b.unsupported('dilated AveragePool');
    const xd = b.requireDims(X);
    const H = xd.slice(2);
    const Ho = b.requireDims(Y).slice(2);
    const includePad = at.int('count_include_pad', 0) === 1;
    // Divisor of each output position, per axis then multiplied (windows are boxes).
    const perAxis = Ho.map((ho, i) =>
      Array.from({ length: ho }, (_, j) => {
        const start = j * win.strides[i] - win.begin[i];
        const end = Math.min(start + kernel[i], H[i] + win.end[i]);
        return includePad ? end - start : Math.min(end, H[i]) - Math.max(start, 0);
      }),
    );
    const size = Ho.reduce((p, x) => p * x, 1);
    const inv = new Float32Array(size);
    for (let flat = 0; flat < size; flat++) {
      let rem = flat;
      let div = 1;
      for (let i = Ho.length - 1; i >= 0; i--) {
        div *= perAxis[i][rem % Ho[i]];
        rem = Math.floor(rem / Ho[i]);
      }
      inv[flat] = 1 / div;
    }
    const uniform = inv.every((v) => v === inv[0]);
    const scale = uniform ? b.scalar(inv[0]) : b.constF(inv, [1, 1, ...Ho], 'grad_avgpool_inv_count');
    const C = xd[1];
    const k = kernel.reduce((p, x) => p * x, 1);
    const ones = b.constF(new Float32Array(C * k).fill(1), [C, 1, ...kernel], 'grad_avgpool_ones');
    const dX = b.op('ConvTranspose', [b.op('Mul', [dy0(a), scale]), ones], {
      group: C,
      kernel_shape: kernel,
      strides: win.strides,
      ...adjointAttrs(b, win, X, Y),
    });
    return [dX];
  },
};

export const GlobalAveragePool: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const X = node.input[0];
    const xd = b.dims(X);
    let scaled: string;
    if (xd) {
      scaled = b.op('Mul', [dy0(a), b.scalar(1 / xd.slice(2).reduce((p, x) => p * x, 1))]);
    } else {
      // Dynamic spatial size: 1 / prod(Shape(X)[2:]).
      const spatial = b.slice(b.shapeOf(X), [2], [INT64_MAX], [0]);
      const count = b.op('Cast', [b.op('ReduceProd', [spatial], { keepdims: 0 })], { to: 1 });
      scaled = b.op('Div', [dy0(a), count]);
    }
    return [b.op('Expand', [scaled, b.shapeOf(X)])];
  },
};
