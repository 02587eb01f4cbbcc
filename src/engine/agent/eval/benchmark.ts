/**
 * The describer benchmark: for each unit, each describer's description is scored (predictive,
 * and against the formula when the unit has one), and the rows are averaged per unit kind
 * (mono / OR / AND, or "real" for units without ground truth). Describers:
 *   groundtruth  the formula's own description (a ceiling for the scorer, synthetic units only)
 *   netdissect   the top concept by IoU over the exemplar scenes (netDissect.ts)
 *   control      another unit's description (the ground truth's, else NetDissect's) — a floor
 *   others       descriptions passed in by the caller (e.g. an agent's), keyed by describer name
 */
import type { SceneDataset } from '../../data/datasets';
import { LabError } from '../../errors';
import type { LoadedModel } from '../../lab/loadedModel';
import type { SynthBanks } from '../../synth/banks';
import { topActivations } from './activations';
import type { SyntheticUnits, UnitKind } from './groundTruth';
import { netDissect } from './netDissect';
import { attributeMatch, scoreDescription } from './score';

export const BUILTIN_DESCRIBERS = ['groundtruth', 'netdissect', 'control'] as const;
export type BuiltinDescriber = (typeof BUILTIN_DESCRIBERS)[number];

export type RowKind = UnitKind | 'real';

export interface EvalRow {
  unit: number;
  kind: RowKind;
  describer: string;
  description: string;
  positive: number;
  neutral: number;
  /** Against the formula (synthetic units only). */
  precision?: number;
  recall?: number;
  groundTruth?: string;
}

export interface KindSummary {
  kind: RowKind;
  describer: string;
  units: number;
  positive: number;
  neutral: number;
  precision?: number;
  recall?: number;
}

export interface BenchmarkOptions {
  layer: string;
  units: number[];
  describers: string[];
  truth: SyntheticUnits | null;
  banks: SynthBanks;
  /** Exemplar scenes: top activations and NetDissect's masks. */
  dataset: SceneDataset;
  exemplars: number;
  seed?: number;
  /** Descriptions from describers the caller ran (describer → unit → text). */
  external?: Record<string, Record<number, string>>;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, what: string) => void;
}

export interface BenchmarkResult {
  rows: EvalRow[];
  summary: KindSummary[];
  topActivations: number[];
}

export async function runBenchmark(model: LoadedModel, o: BenchmarkOptions): Promise<BenchmarkResult> {
  const channels = model.summary.layers.find((l) => l.tensor === o.layer)?.channels;
  if (channels === undefined) throw new LabError('bad-request', `Unknown layer "${o.layer}".`);
  const truth = o.truth && o.truth.layer === o.layer ? o.truth : null;
  for (const d of o.describers) {
    if (d === 'groundtruth' && !truth) throw new LabError('bad-request', `Layer ${o.layer} has no ground truth, so the groundtruth describer cannot run.`);
    if (!(BUILTIN_DESCRIBERS as readonly string[]).includes(d) && !o.external?.[d]) throw new LabError('bad-request', `Unknown describer "${d}".`);
  }
  o.onProgress?.(0, o.units.length, 'top exemplars');
  const top = await topActivations(model, o.layer, o.dataset, o.exemplars, o.signal);
  const needDissect = o.describers.includes('netdissect') || (o.describers.includes('control') && !truth);
  // control describes unit u with the description of the unit half the layer away
  const controlOf = (u: number): number => (u + Math.floor(channels / 2)) % channels;
  const dissectUnits = needDissect ? [...new Set([...o.units, ...(truth ? [] : o.units.map(controlOf))])] : [];
  o.onProgress?.(0, o.units.length, 'netdissect');
  const dissect = new Map((dissectUnits.length ? await netDissect(model, o.layer, dissectUnits, o.dataset, o.banks, o.exemplars, o.signal) : []).map((d) => [d.unit, d]));
  const describe = (d: string, u: number): string | undefined => {
    if (d === 'groundtruth') return truth?.units[u]?.description;
    if (d === 'netdissect') return dissect.get(u)?.description;
    if (d === 'control') return truth ? truth.units[controlOf(u)]?.description : dissect.get(controlOf(u))?.description;
    return o.external?.[d]?.[u];
  };
  const rows: EvalRow[] = [];
  for (const [k, u] of o.units.entries()) {
    if (o.signal?.aborted) throw new LabError('cancelled', 'Cancelled');
    o.onProgress?.(k, o.units.length, `unit ${u}`);
    const gt = truth?.units[u];
    for (const d of o.describers) {
      const text = describe(d, u);
      if (text === undefined) continue;
      const s = await scoreDescription(model, o.layer, u, text, { banks: o.banks, topActivation: top[u], seed: o.seed, signal: o.signal });
      const row: EvalRow = { unit: u, kind: gt?.kind ?? 'real', describer: d, description: text, positive: s.positive, neutral: s.neutral };
      if (gt) Object.assign(row, attributeMatch(s.parsed.attributes, gt.attributes), { groundTruth: gt.description });
      rows.push(row);
    }
  }
  o.onProgress?.(o.units.length, o.units.length, 'done');
  return { rows, summary: summarise(rows), topActivations: Array.from(top) };
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

/** Mean scores per (kind, describer), kinds in mono / or / and / real order. */
export function summarise(rows: readonly EvalRow[]): KindSummary[] {
  const kinds: RowKind[] = ['mono', 'or', 'and', 'real'];
  const describers = [...new Set(rows.map((r) => r.describer))];
  const out: KindSummary[] = [];
  for (const kind of kinds)
    for (const describer of describers) {
      const rs = rows.filter((r) => r.kind === kind && r.describer === describer);
      if (rs.length === 0) continue;
      const s: KindSummary = { kind, describer, units: rs.length, positive: mean(rs.map((r) => r.positive)), neutral: mean(rs.map((r) => r.neutral)) };
      if (rs.every((r) => r.precision !== undefined)) {
        s.precision = mean(rs.map((r) => r.precision!));
        s.recall = mean(rs.map((r) => r.recall!));
      }
      out.push(s);
    }
  return out;
}
