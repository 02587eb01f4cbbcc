/**
 * Conv: dX = ConvTranspose(dY, W) with the forward weights and attributes (group, strides,
 * dilations, pads — depthwise included); ConvTranspose is Conv's adjoint for the same W layout
 * [M, C/group, k…]. The bias only shifts Y and has no input gradient.
 *
 * With stride 1 the adjoint is also an ordinary Conv of dY with the kernel flipped in space and
 * its in/out channels swapped per group, padded by d·(k−1) − pads. onnxruntime's Conv kernels are
 * 2–3× faster than its ConvTranspose, so that form is used there; the flipped kernel is computed
 * in the graph from W (Reshape/Transpose/Slice of an initializer, which onnxruntime folds into a
 * constant when the session is created), so the file does not grow.
 */
import { attrs } from '../builder';
import { adjointAttrs, windowOf } from './geometry';
import { dy0, type Rule } from './rule';

const INT64_MIN = -9007199254740991;

export const Conv: Rule = {
  inputs: [0, 1, 2],
  vjp: (a) => {
    const { b, node, needs } = a;
    if (needs[1] || needs[2]) throw b.unsupported('gradients through weights or biases computed from the input are not supported');
    const [X, W] = node.input;
    const Y = node.output[0];
    const at = attrs(node);
    const wd = b.requireDims(W);
    const kernel = at.ints('kernel_shape', null) ?? wd.slice(2);
    const group = at.int('group', 1);
    const win = windowOf(b, node, X, kernel);
    const n = kernel.length;
    const reach = kernel.map((k, i) => win.dilations[i] * (k - 1));
    const flippedPads = [...win.begin, ...win.end].map((p, i) => reach[i % n] - p);
    if (b.convAdjoint === 'auto' && win.strides.every((s) => s === 1) && flippedPads.every((p) => p >= 0)) {
      const [M, Cg] = wd;
      const Mg = M / group;
      const spatial = Array.from({ length: n }, (_, i) => i + 2);
      let w = W;
      if (Mg !== 1 || Cg !== 1) {
        // [M, Cg, k…] → [g, Mg, Cg, k…] → [g, Cg, Mg, k…] → [C, Mg, k…]
        const grouped = b.op('Reshape', [W, b.constI64([group, Mg, Cg, ...kernel])]);
        const swapped = b.op('Transpose', [grouped], { perm: [0, 2, 1, ...spatial.map((s) => s + 1)] });
        w = b.op('Reshape', [swapped, b.constI64([group * Cg, Mg, ...kernel])]);
      }
      const flipped = b.slice(w, spatial.map(() => -1), spatial.map(() => INT64_MIN), spatial, spatial.map(() => -1));
      const dX = b.op('Conv', [dy0(a), flipped], {
        group,
        kernel_shape: kernel,
        dilations: win.dilations,
        pads: flippedPads,
      });
      return [dX, null, null];
    }
    const dX = b.op('ConvTranspose', [dy0(a), W], {
      group,
      kernel_shape: kernel,
      strides: win.strides,
      dilations: win.dilations,
      ...adjointAttrs(b, win, X, Y),
    });
    return [dX, null, null];
  },
};
