/**
 * Ablation edge weights (forward only, GCC-style): w(m→n) = mean_x (a_n(x) − a_n(x | m ablated)),
 * m zeroed (or set to its mean). Rows of one masked run are (image, ablated unit) pairs plus the
 * untouched image; a logit target reads the logits, a unit target the probed layer.
 */
import type { EdgeContext, EdgeMethod } from './edgeMethod';
import { openMaskedRunner, type MaskedLayer, type MaskedRunner } from './masked';

export interface AblationContext extends EdgeContext {
  /** Circuit layers (masked) and the target layer when it is a unit (probed). */
  maskLayers: MaskedLayer[];
  probeLayers: MaskedLayer[];
  /** Mean ablation: per layer the value each unit is set to (else zero). */
  means?: Map<string, Float32Array>;
}

export function isAblationContext(ctx: EdgeContext): ctx is AblationContext {
  return 'maskLayers' in ctx;
}

export async function ablationMethod(ctx: EdgeContext): Promise<EdgeMethod> {
  if (!isAblationContext(ctx)) throw new Error('ablationMethod needs the masked and probed layers');
  const runner: MaskedRunner = await openMaskedRunner(ctx.runtime, ctx.model, ctx.maskLayers, ctx.probeLayers, ctx.reduce === 'max' ? 'max' : 'mean', ctx.inputName, ctx.session);
  const logitsName = ctx.model.graph.output[0].name;
  return {
    async edges(upper, units, lower, signal) {
      const layer = ctx.maskLayers.find((l) => l.tensor === lower)!;
      const C = layer.channels;
      const B = ctx.input.dims[0];
      const mean = ctx.means?.get(lower);
      // Row order: for each configuration c (0 = untouched, 1 + m = unit m ablated), each image.
      const configs = C + 1;
      const total = configs * B;
      const values = new Float64Array(total * units.length);
      for (let r0 = 0; r0 < total; r0 += ctx.rows) {
        const n = Math.min(ctx.rows, total - r0);
        const scale = new Float32Array(n * C).fill(1);
        const shift = new Float32Array(n * C);
        const image: number[] = [];
        for (let i = 0; i < n; i++) {
          const r = r0 + i;
          const c = Math.floor(r / B);
          image.push(r % B);
          if (c > 0) {
            scale[i * C + c - 1] = 0;
            if (mean) shift[i * C + c - 1] = mean[c - 1];
          }
        }
        const out = await runner.run(ctx.input, { image, masks: new Map([[lower, { scale, shift }]]) }, signal);
        const rows = upper === logitsName ? out.logits : out.probes.get(upper)!;
        const K = upper === logitsName ? out.classes : ctx.probeLayers.find((p) => p.tensor === upper)!.channels;
        for (let i = 0; i < n; i++) units.forEach((u, j) => (values[(r0 + i) * units.length + j] = rows[i * K + u]));
      }
      const w = new Float64Array(units.length * C);
      for (let m = 0; m < C; m++) {
        for (let b = 0; b < B; b++) {
          for (let j = 0; j < units.length; j++) {
            const clean = values[b * units.length + j];
            const ablated = values[((m + 1) * B + b) * units.length + j];
            w[j * C + m] += (clean - ablated) / B;
          }
        }
      }
      return w;
    },
    release: () => runner.release(),
  };
}
