/**
 * Causal tests of a circuit on images discovery never saw, through one masked session:
 * - necessity: ablate the circuit's units; effect = drop in held-out accuracy of the target class;
 * - specificity: the same ablation's drop in accuracy on the contrast images (other classes);
 * - sufficiency: ablate every unit of the circuit's layers except the circuit's; the drop.
 * Each against `random` circuits with the same number of units per layer, drawn from a seeded
 * stream (seed, test, circuit, layer), so the same spec gives the same baselines. Plus the
 * accuracy-vs-k curve: the circuit's top k' units per layer against random ones of that size.
 *
 * Accuracy is against the true labels where known, else the target class (held-out) or the
 * model's clean prediction (contrast). All ablations of one set share a batch: row r is image
 * x_r under configuration c_r.
 */
import { imagesToTensor } from '../data/preprocess';
import type { LoadedModel } from '../lab/loadedModel';
import type { Runtime } from '../runtime/types';
import type { Layer, TensorF32 } from '../types';
import { openMaskedRunner, type MaskedRunner } from './masked';
import { argmaxRow, sampleUnits } from './rank';
import type { CausalResults, CausalTest, CircuitImages, CircuitNode, CircuitRunOptions, CircuitSpec, CurvePoint } from './types';

/** Units per layer; a configuration either ablates them ('ablate') or keeps only them ('keep'). */
export interface Config {
  units: Map<string, number[]>;
  mode: 'ablate' | 'keep';
}

export interface CausalOutput {
  causal: CausalResults;
  /** Clean held-out accuracy (the reference the drops are measured from). */
  cleanAccuracy: number;
  curve: CurvePoint[];
}

const STREAM = { necessity: 1, sufficiency: 2, curve: 3 } as const;

function meanSd(xs: number[]): { mean: number; sd: number } {
  if (xs.length === 0) return { mean: 0, sd: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}

/** effect against random effects: z and the empirical upper-tail p = (1 + #random ≥ effect) / (1 + n). */
export function compareToRandom(effect: number, random: number[], logitDrop?: number): CausalTest {
  const { mean, sd } = meanSd(random);
  const z = random.length === 0 ? 0 : sd > 0 ? (effect - mean) / sd : effect > mean ? Infinity : 0;
  const p = (1 + random.filter((r) => r >= effect - 1e-12).length) / (1 + random.length);
  return { effect, ...(logitDrop !== undefined ? { logitDrop } : {}), randomMean: mean, randomSd: sd, z: Number.isFinite(z) ? z : 1e9, p, n: random.length };
}

/** Random circuits of the same size per layer: `count` of them from stream `test`. */
export function randomCircuits(layers: Layer[], sizes: Map<string, number>, count: number, seed: number, test: number): Map<string, number[]>[] {
  return Array.from({ length: count }, (_, r) => new Map(layers.map((l, j) => [l.tensor, sampleUnits(l.channels, sizes.get(l.tensor) ?? 0, seed, test, r, j)])));
}

export class Evaluator {
  constructor(
    private readonly runner: MaskedRunner,
    private readonly layers: Layer[],
    private readonly means: Map<string, Float32Array> | undefined,
    private readonly rowsPerRun: number,
    private readonly signal?: AbortSignal,
  ) {}

  /** Per configuration: accuracy against `labels` and the mean logit of `logitClass` per image. */
  async evaluate(input: TensorF32, labels: number[], configs: Config[], logitClass: number | null, onRun?: () => void): Promise<Array<{ accuracy: number; logit: number }>> {
    const B = input.dims[0];
    const total = configs.length * B;
    const correct = new Array<number>(configs.length).fill(0);
    const logit = new Array<number>(configs.length).fill(0);
    for (let r0 = 0; r0 < total; r0 += this.rowsPerRun) {
      const n = Math.min(this.rowsPerRun, total - r0);
      const masks = new Map(this.layers.map((l) => [l.tensor, { scale: new Float32Array(n * l.channels).fill(1), shift: new Float32Array(n * l.channels) }]));
      const image: number[] = [];
      for (let i = 0; i < n; i++) {
        const c = configs[Math.floor((r0 + i) / B)];
        image.push((r0 + i) % B);
        for (const l of this.layers) {
          const units = c.units.get(l.tensor);
          if (!units) continue;
          const m = masks.get(l.tensor)!;
          const mean = this.means?.get(l.tensor);
          const off = (u: number) => {
            m.scale[i * l.channels + u] = 0;
            if (mean) m.shift[i * l.channels + u] = mean[u];
          };
          if (c.mode === 'ablate') units.forEach(off);
          else {
            const keep = new Set(units);
            for (let u = 0; u < l.channels; u++) if (!keep.has(u)) off(u);
          }
        }
      }
      const out = await this.runner.run(input, { image, masks }, this.signal);
      const K = out.classes;
      for (let i = 0; i < n; i++) {
        const c = Math.floor((r0 + i) / B);
        const b = (r0 + i) % B;
        if (argmaxRow(out.logits, i, K) === labels[b]) correct[c]++;
        if (logitClass !== null) logit[c] += out.logits[i * K + logitClass] / B;
      }
      onRun?.();
    }
    return configs.map((_, c) => ({ accuracy: correct[c] / B, logit: logit[c] }));
  }
}

/** The model's clean top class per image (labels for sets that have none). */
async function predictions(runner: MaskedRunner, input: TensorF32, rows: number, signal?: AbortSignal): Promise<number[]> {
  const B = input.dims[0];
  const labels: number[] = [];
  for (let b0 = 0; b0 < B; b0 += rows) {
    const n = Math.min(rows, B - b0);
    const out = await runner.run(input, { image: Array.from({ length: n }, (_, i) => b0 + i), masks: new Map() }, signal);
    const K = out.classes;
    for (let i = 0; i < n; i++) labels.push(argmaxRow(out.logits, i, K));
  }
  return labels;
}

export async function causalTests(
  runtime: Runtime,
  model: LoadedModel,
  spec: CircuitSpec,
  images: CircuitImages,
  layers: Layer[],
  nodes: CircuitNode[],
  targetClass: number | null,
  means: Map<string, Float32Array> | undefined,
  options: CircuitRunOptions,
): Promise<CausalOutput> {
  const { summary } = model;
  const rows = Math.max(options.batch ?? 16, 1) * 4;
  const runner = await openMaskedRunner(
    runtime,
    model.model,
    layers.map((l) => ({ tensor: l.tensor, channels: l.channels, rank: l.shape.length })),
    [],
    'mean',
    summary.imageInput.name,
    options.session,
  );
  try {
    const ev = new Evaluator(runner, layers, means, rows, options.signal);
    const held = imagesToTensor(images.heldOut, summary.preprocess);
    const heldLabels = images.heldOutLabels ?? (targetClass !== null ? images.heldOut.map(() => targetClass) : await predictions(runner, held, rows, options.signal));
    const logitClass = targetClass;
    const circuitUnits = new Map(layers.map((l) => [l.tensor, nodes.filter((n) => n.layer === l.tensor).map((n) => n.unit)]));
    const sizes = new Map([...circuitUnits].map(([l, u]) => [l, u.length]));
    const R = spec.random;
    const necessityRandom = randomCircuits(layers, sizes, R, spec.seed, STREAM.necessity);
    const sufficiencyRandom = randomCircuits(layers, sizes, R, spec.seed, STREAM.sufficiency);

    // Curve: the circuit's top k' units per layer (nodes are sorted by score within a layer).
    const curveKs = Array.from({ length: spec.k }, (_, i) => i + 1);
    const curveRandom = Math.min(R, 5);
    const curveConfigs: Config[] = [];
    for (const k of curveKs) {
      curveConfigs.push({ units: new Map([...circuitUnits].map(([l, u]) => [l, u.slice(0, k)])), mode: 'ablate' });
      const ks = new Map(layers.map((l) => [l.tensor, Math.min(k, sizes.get(l.tensor) ?? 0)]));
      for (const units of randomCircuits(layers, ks, curveRandom, spec.seed, STREAM.curve * 1000 + k)) curveConfigs.push({ units, mode: 'ablate' });
    }

    const heldConfigs: Config[] = [
      { units: new Map(), mode: 'ablate' },
      { units: circuitUnits, mode: 'ablate' },
      ...necessityRandom.map((units) => ({ units, mode: 'ablate' as const })),
      { units: circuitUnits, mode: 'keep' },
      ...sufficiencyRandom.map((units) => ({ units, mode: 'keep' as const })),
      ...curveConfigs,
    ];
    const contrast = images.contrast.length > 0 ? imagesToTensor(images.contrast, summary.preprocess) : null;
    const contrastConfigs: Config[] = contrast ? [{ units: new Map(), mode: 'ablate' }, { units: circuitUnits, mode: 'ablate' }, ...necessityRandom.map((units) => ({ units, mode: 'ablate' as const }))] : [];
    const totalRuns = Math.ceil((heldConfigs.length * images.heldOut.length) / rows) + Math.ceil((contrastConfigs.length * images.contrast.length) / rows);
    let done = 0;
    const tick = () => options.onProgress?.({ stage: 'baselines', done: ++done, total: totalRuns });

    const res = await ev.evaluate(held, heldLabels, heldConfigs, logitClass, tick);
    const clean = res[0];
    const drop = (r: { accuracy: number }) => clean.accuracy - r.accuracy;
    let i = 1;
    const nec = res[i++];
    const necRandom = necessityRandom.map(() => drop(res[i++]));
    const suf = res[i++];
    const sufRandom = sufficiencyRandom.map(() => drop(res[i++]));
    const curve: CurvePoint[] = curveKs.map((k) => {
      const c = res[i++];
      const rs = Array.from({ length: curveRandom }, () => res[i++].accuracy);
      const { mean, sd } = meanSd(rs);
      return { k, circuit: c.accuracy, randomMean: mean, randomSd: sd };
    });
    const logitDrop = (r: { logit: number }) => (logitClass !== null ? clean.logit - r.logit : undefined);

    let specificity: CausalTest = compareToRandom(0, []);
    if (contrast) {
      const labels = images.contrastLabels ?? (await predictions(runner, contrast, rows, options.signal));
      const cr = await ev.evaluate(contrast, labels, contrastConfigs, null, tick);
      const cdrop = (r: { accuracy: number }) => cr[0].accuracy - r.accuracy;
      specificity = compareToRandom(cdrop(cr[1]), cr.slice(2).map(cdrop));
    }
    return {
      causal: {
        necessity: compareToRandom(drop(nec), necRandom, logitDrop(nec)),
        sufficiency: compareToRandom(drop(suf), sufRandom, logitDrop(suf)),
        specificity,
      },
      cleanAccuracy: clean.accuracy,
      curve,
    };
  } finally {
    await runner.release();
  }
}
