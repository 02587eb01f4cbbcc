/** The shape of a backward rule: one forward node in, one gradient per input out. */
import type { Node } from '../../model';
import type { Builder } from '../builder';

export interface VjpArgs {
  b: Builder;
  node: Node;
  /** Gradient of the target w.r.t. each forward output (null where none flows). */
  dY: Array<string | null>;
  /** For each forward input: whether its gradient is wanted (it depends on a wrt tensor). */
  needs: boolean[];
}

export interface Rule {
  /**
   * Indices of the inputs the op is differentiable in (gradients flow only through these; the
   * rest — shapes, axes, indices — are treated as constants by reachability).
   */
  inputs: number[] | 'all';
  /** ONNX nodes computing d(target)/d(input i) for every needed input (null for the others). */
  vjp(args: VjpArgs): Array<string | null>;
}

/** The first output's gradient, which single-output rules require. */
export function dy0(args: VjpArgs): string {
  const g = args.dY[0];
  if (!g) throw args.b.unsupported('no gradient reached its first output');
  return g;
}
