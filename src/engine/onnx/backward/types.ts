/** The request and result shapes of backward-graph building (see ./index.ts). */
import type { Model } from '../model';
import type { TokenLayout } from '../../types';

/**
 * How a channel's map is reduced to one number per image: sum, mean or max over the spatial axes.
 * The max's gradient is split evenly over the positions that tie for the maximum (torch.amax's rule).
 */
export type Reduce = 'sum' | 'mean' | 'max';

/**
 * What to differentiate, per image (batch entries never mix: image n's gradient is that of its
 * own target).
 * - unit: spatial sum/mean of one channel of a layer tensor ([N,C,H,W] or [N,C]; of a token
 *   layer [N,T,C] given with its `tokens` layout, the channel on axis 2 summed/averaged over the
 *   patch tokens, the class token left out).
 * - logit: one column of the first graph output ([N,K]).
 * - weighted: Σ_terms Σ_c weights[c] · reduce(tensor[:, c]) — e.g. several units, or a direction.
 * - rows: Σ_c W[n, c] · reduce(tensor[n, c]) with W a new graph input (`weights`, [N, C]) fed per
 *   run, so each batch row differentiates its own mix of channels: one session gives, say, the
 *   gradient of every unit of a layer by replicating an image once per unit (circuit discovery).
 */
export type GradientTarget =
  | { kind: 'unit'; tensor: string; unit: number; reduce: Reduce; tokens?: TokenLayout }
  | { kind: 'logit'; index: number }
  | { kind: 'weighted'; terms: Array<{ tensor: string; weights: number[]; reduce: Reduce; tokens?: TokenLayout }> }
  | { kind: 'rows'; tensor: string; weights: string; reduce: Reduce };

/**
 * Static shapes of the forward graph's tensors, from a dry run (see tensorShapes in ./shapes).
 * `batch` is the batch size of that run; every other dim is fixed for the model.
 */
export interface TensorShapes {
  batch: number;
  dims: Record<string, number[]>;
}

export interface GradientOptions {
  target: GradientTarget;
  /**
   * Tensors to differentiate with respect to: graph inputs or intermediate tensors. The name
   * 'input' also stands for the model's image input when no tensor has that name.
   */
  wrt: string[];
  /**
   * Shapes from a dry run. Needed by the rules whose VJP depends on static sizes (strided Conv,
   * pools, Concat, broadcasting Mul/Add, targets); a rule that needs one and lacks it throws.
   */
  shapes?: TensorShapes;
  /**
   * MaxPool backward: 'scatter' = ScatterElements(reduction='add') over MaxPool's Indices
   * (opset ≥ 16); 'unpool' = MaxUnpool over non-overlapping sub-grids of windows (any opset);
   * 'auto' (default) = scatter when the model's opset allows it, else unpool.
   */
  maxPool?: 'auto' | 'scatter' | 'unpool';
  /**
   * Conv backward: 'convtranspose' = ConvTranspose(dY, W) everywhere; 'auto' (default) = the
   * same for strided convs, and for stride 1 an ordinary Conv with the flipped, channel-swapped
   * kernel (onnxruntime's Conv kernels are faster than its ConvTranspose).
   */
  convAdjoint?: 'auto' | 'convtranspose';
}

export interface GradientModel {
  /** The forward graph (all original outputs first, unchanged) plus the backward nodes. */
  model: Model;
  outputs: {
    /** wrt name (as requested) → graph output holding d(target)/d(wrt), shaped like the wrt tensor. */
    grads: Record<string, string>;
    /** Graph output holding the target's value per image, [N]. */
    target: string;
    /** The model's original outputs, in order. */
    forward: string[];
  };
  /** Forward nodes that the backward pass differentiates (between the wrt tensors and the target). */
  differentiated: number;
}
