/**
 * The worker's circuits: resolves a concept to images (./circuitConcept), discovers the circuit on
 * the unedited model (so a link's circuit does not depend on its edits), draws each node's
 * thumbnail, and holds the edit list every run applies: an edited copy of the model (its own
 * sessions and identity) that predictions, runs and attributions use while edits are set.
 */
import { applyEdits, defaultCircuitLayers, discoverCircuit, shapesOfLayers } from '../engine/circuits';
import type { Circuit, CircuitEdit, CircuitSpec, CircuitTarget, UnitRef } from '../engine/circuits/types';
import { unitNodeId } from '../engine/circuits/layout';
import { LabError, asLabError } from '../engine/errors';
import { sha256Hex } from '../engine/lab/hash';
import type { LoadedModel } from '../engine/lab/loadedModel';
import type { Runtime, SessionOptions } from '../engine/runtime/types';
import type { ModelSummary, RawImage, TensorF32 } from '../engine/types';
import { conceptClassLogit, resolveConcept } from './circuitConcept';
import type { CircuitRequest, CircuitResponse, CircuitThumb, HeldOutEval } from './circuitProtocol';
import type { DatasetHost } from './datasetHost';
import type { ExemplarHost } from './exemplarHost';
import type { Progress } from './protocol';
import type { SceneDataset } from '../engine/data/datasets';

type Req<K extends CircuitRequest['kind']> = Extract<CircuitRequest, { kind: K }>;
type Res<K extends CircuitResponse['kind']> = Extract<CircuitResponse, { kind: K }>;

/** The most edits one list may hold (a link carries them). */
export const MAX_EDITS = 256;

/** Why an edit does not fit the model, or null. */
export function editProblem(summary: ModelSummary, edit: CircuitEdit): string | null {
  const unitProblem = (u: UnitRef): string | null => {
    const layer = summary.layers.find((l) => l.tensor === u.layer);
    if (!layer) return `there is no layer “${String(u.layer).slice(0, 80)}” in ${summary.name}`;
    if (!Number.isInteger(u.unit) || u.unit < 0 || u.unit >= layer.channels) return `unit ${u.unit} is out of range for ${layer.label} (0..${layer.channels - 1})`;
    return null;
  };
  if (edit.kind === 'unit') {
    if (!Number.isFinite(edit.scale)) return `the scale of ${edit.layer}#${edit.unit} is not a number`;
    return unitProblem(edit);
  }
  return unitProblem(edit.from) ?? unitProblem(edit.to);
}

function argmaxRows(t: TensorF32): number[] {
  const c = t.dims[t.dims.length - 1];
  const n = t.data.length / c;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (t.data[i * c + j] > t.data[i * c + best]) best = j;
    out.push(best);
  }
  return out;
}

function evaluate(logits: TensorF32, labels: number[], target: CircuitTarget | Circuit['target']): HeldOutEval {
  const predicted = argmaxRows(logits);
  const c = logits.dims[logits.dims.length - 1];
  const accuracy = labels.length ? predicted.filter((p, i) => p === labels[i]).length / labels.length : 0;
  let targetLogit: number | null = null;
  if (target.kind === 'logit' && target.index < c) {
    targetLogit = 0;
    for (let i = 0; i < predicted.length; i++) targetLogit += logits.data[i * c + target.index];
    targetLogit /= Math.max(1, predicted.length);
  }
  return { predicted, accuracy, targetLogit };
}

export class CircuitHost {
  private edits: CircuitEdit[] = [];
  private edited: { base: LoadedModel; model: LoadedModel } | null = null;
  /** The last circuit's held-out examples, for checking edits. */
  private last: { base: LoadedModel; heldOut: RawImage[]; labels: number[] | null; target: Circuit['target'] } | null = null;

  /** The model a run should use: the edited copy of `base` while edits are set. */
  modelFor(base: LoadedModel): LoadedModel {
    return this.edited?.base === base ? this.edited.model : base;
  }

  async discover(
    runtime: Runtime,
    session: SessionOptions,
    base: LoadedModel,
    datasets: DatasetHost,
    request: Req<'discoverCircuit'>,
    signal: AbortSignal,
    progress: (p: Progress) => void,
    exemplars?: ExemplarHost,
  ): Promise<Res<'discoverCircuit'>> {
    if (!request.spec || typeof request.spec !== 'object' || !request.spec.concept) throw new LabError('bad-request', 'The circuit request has no spec.');
    const spec: CircuitSpec = { ...request.spec };
    progress({ stage: 'circuit', fraction: null, message: 'Choosing the examples…', circuit: { stage: 'examples', done: 0, total: 1 } });
    let dataset: SceneDataset | null = null;
    const wantsDataset = spec.concept.kind === 'filter' || spec.contrast !== undefined || spec.ablation === 'mean' || spec.target.kind === 'selective';
    if (wantsDataset || request.datasetId) {
      dataset = await datasets.get(request.datasetId, request.assets, signal, progress).catch((err: unknown) => {
        if (spec.concept.kind === 'filter') throw err;
        return null;
      });
    }
    const images = await resolveConcept(spec, { dataset, banks: () => datasets.sceneBanks(request.assets), uploads: request.images, labels: base.summary.labels });
    if (signal.aborted) throw new LabError('cancelled', 'Cancelled');
    if (request.autoTarget) spec.target = await this.defaultTarget(base, spec, images.discovery, signal);
    const circuit = await discoverCircuit(runtime, base, spec, images, {
      signal,
      session,
      compare: request.compare === true,
      dataset: dataset ? { id: dataset.info.id, sha256: dataset.info.sha256 } : undefined,
      onProgress: (p) =>
        progress({ stage: 'circuit', fraction: p.total ? p.done / p.total : null, message: `${p.stage}: ${p.done} of ${p.total}`, circuit: p }),
    });
    const concept = await this.thumbs(base, circuit, images.discovery, signal);
    const thumbs = exemplars && dataset ? await this.exemplarThumbs(base, circuit, dataset, exemplars, concept, signal) : concept;
    this.last = { base, heldOut: images.heldOut, labels: images.heldOutLabels ?? null, target: circuit.target };
    return { kind: 'discoverCircuit', circuit, discovery: images.discovery, heldOut: images.heldOut, heldOutLabels: images.heldOutLabels ?? null, thumbs };
  }

  /** The concept filter's class when the model names it, else the model's most frequent top class on the examples (as \`lab circuit\`). */
  private async defaultTarget(base: LoadedModel, spec: CircuitSpec, discovery: RawImage[], signal: AbortSignal): Promise<CircuitTarget> {
    const named = conceptClassLogit(spec.concept, base.summary.labels);
    if (named !== null) return { kind: 'logit', index: named };
    const top = argmaxRows(await base.logits(discovery, signal));
    const votes = new Map<number, number>();
    for (const t of top) votes.set(t, (votes.get(t) ?? 0) + 1);
    let best = top[0] ?? 0;
    for (const [k, v] of votes) if (v > (votes.get(best) ?? 0) || (v === votes.get(best) && k < best)) best = k;
    return { kind: 'logit', index: best };
  }

  /** Per node: the discovery example with the highest spatial mean (or the engine's choice), and its map there. */
  private async thumbs(base: LoadedModel, circuit: Circuit, discovery: RawImage[], signal: AbortSignal): Promise<CircuitThumb[]> {
    const byTensor = new Map(base.summary.layers.map((l) => [l.tensor, l]));
    const nodes = circuit.nodes.filter((n) => byTensor.has(n.layer));
    if (nodes.length === 0 || discovery.length === 0) return [];
    const layers = [...new Set(nodes.map((n) => n.layer))];
    const maps = nodes.filter((n) => byTensor.get(n.layer)!.shape.length === 4).map((n) => ({ layer: n.layer, unit: n.unit }));
    const result = await base.run({ images: discovery, layers, maps, signal });
    return nodes.map((n) => {
      const mean = result.stats[n.layer].mean;
      const c = mean.dims[1];
      let example = n.topExample ?? -1;
      if (!(example >= 0 && example < discovery.length)) {
        example = 0;
        for (let i = 1; i < discovery.length; i++) if (mean.data[i * c + n.unit] > mean.data[example * c + n.unit]) example = i;
      }
      const full = result.maps[`${n.layer}#${n.unit}`];
      let map: TensorF32 | null = null;
      if (full) {
        const [, h, w] = full.dims;
        map = { dims: [h, w], data: full.data.slice(example * h * w, (example + 1) * h * w) };
      }
      return { id: unitNodeId(n), source: 'concept' as const, example, value: mean.data[example * c + n.unit], map };
    });
  }

  /**
   * Each node whose layer is indexed over `dataset` to the end gets the unit's top dataset exemplar
   * with its map, as the Exemplars view builds it (ExemplarHost.unit); the others keep `concept`.
   */
  private async exemplarThumbs(base: LoadedModel, circuit: Circuit, dataset: SceneDataset, exemplars: ExemplarHost, concept: CircuitThumb[], signal: AbortSignal): Promise<CircuitThumb[]> {
    const indexes = exemplars.indexesOf(base, dataset);
    const nodes = new Map(circuit.nodes.map((n) => [unitNodeId(n), n]));
    const out: CircuitThumb[] = [];
    for (const t of concept) {
      const n = nodes.get(t.id);
      const index = n ? indexes.get(n.layer) : undefined;
      if (!n || !index || index.count !== dataset.count || index.done < index.count) {
        out.push(t);
        continue;
      }
      const { layer, unit } = n;
      const top = (await exemplars.unit(base, dataset, { layer, unit, k: 1 }, signal)).top[0];
      out.push(top ? { id: t.id, source: 'exemplar', example: top.index, value: top.value, image: top.image, map: top.map } : t);
    }
    return out;
  }

  /** The layers a circuit spans when the user picks none (the engine's rule: block outputs, evenly spaced). */
  defaultLayers(base: LoadedModel): Res<'circuitLayers'> {
    return { kind: 'circuitLayers', modelSha256: base.summary.sha256, layers: defaultCircuitLayers(base.model, base.summary) };
  }

  /** Sets the edit list (validated against the model); [] drops the edited copy. */
  async setEdits(base: LoadedModel, edits: CircuitEdit[]): Promise<Res<'setEdits'>> {
    if (!Array.isArray(edits)) throw new LabError('bad-request', 'Edits must be a list.');
    if (edits.length > MAX_EDITS) throw new LabError('bad-request', `At most ${MAX_EDITS} edits (got ${edits.length}).`);
    for (const e of edits) {
      const why = editProblem(base.summary, e);
      if (why) throw new LabError('bad-request', `The edit cannot be applied: ${why}.`);
    }
    if (edits.length === 0) {
      await this.dropEdited();
      this.edits = [];
      return { kind: 'setEdits', count: 0, sha256: null };
    }
    const sha256 = await sha256Hex(new TextEncoder().encode(`${base.summary.sha256}|${JSON.stringify(edits)}`));
    let model: LoadedModel;
    try {
      model = await base.derive(applyEdits(base.model, edits, shapesOfLayers(base.summary.layers)), sha256);
    } catch (err) {
      const e = asLabError(err);
      throw new LabError(e.code === 'internal' ? 'bad-request' : e.code, `The edits could not be applied: ${e.message}`);
    }
    // The new copy is in place before the old one goes: a failed edit keeps the model as it was.
    await this.dropEdited();
    this.edits = edits;
    this.edited = { base, model };
    return { kind: 'setEdits', count: edits.length, sha256 };
  }

  /** The last circuit's held-out examples through the unedited and the edited model. */
  async check(base: LoadedModel, signal: AbortSignal): Promise<Res<'checkEdits'>> {
    const last = this.last;
    if (!last || last.base !== base) throw new LabError('bad-request', 'Discover a circuit first: its held-out examples are what the edits are checked on.');
    const baseLogits = await base.logits(last.heldOut, signal);
    const fallback = last.target.kind === 'logit' ? last.heldOut.map(() => (last.target as { index: number }).index) : argmaxRows(baseLogits);
    const labels = last.labels ?? fallback;
    const edited = this.edited?.base === base ? this.edited.model : null;
    return {
      kind: 'checkEdits',
      labels,
      base: evaluate(baseLogits, labels, last.target),
      edited: edited ? evaluate(await edited.logits(last.heldOut, signal), labels, last.target) : null,
      edits: this.edits.length,
    };
  }

  private async dropEdited(): Promise<void> {
    const old = this.edited;
    this.edited = null;
    if (old) await old.model.release().catch(() => undefined);
  }

  /** Forgets edits and examples (the model they belong to is going). */
  async clear(): Promise<void> {
    await this.dropEdited();
    this.edits = [];
    this.last = null;
  }
}
