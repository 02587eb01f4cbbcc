/**
 * The Circuits panel's state: the circuit being asked for (a draft of the spec: what the link
 * holds), discovery in the worker with progress, ETA and cancel, the circuit and its thumbnails,
 * and the edit list every run applies (sent to the worker whenever it or the model changes, see
 * ./circuitSync), with its effect on the held-out examples.
 */
import type { Circuit, CircuitEdit, CircuitMethod, CircuitReduce, CircuitSpec, CircuitTarget, ConceptSource, UnitRef } from '../engine/circuits/types';
import type { RawImage } from '../engine/types';
import type { CircuitResponse, CircuitThumb } from '../worker/circuitProtocol';
import type { Progress } from '../worker/protocol';
import { DEFAULT_CIRCUIT_EXAMPLES, DEFAULT_CIRCUIT_K, DEFAULT_CIRCUIT_RANDOM } from './circuitDefaults';
import type { CircuitLink } from './circuitUrl';
import { parseCircuitFile } from './circuitFile';
import { assetsBase } from './datasetSlice';
import { forgetCrashedEngine, getEngine } from './engine';
import { EngineError } from '../worker/client';
import { decodeImage } from '../ui/decodeImage';
import { noticeFromError } from './errorNotice';
import type { LabState, SliceCreator } from './types';
import { DEFAULT_DATASET_ID } from '../engine/data/datasets';

export type CircuitStatus = 'idle' | 'running' | 'ready' | 'cancelled' | 'error';

/** The circuit asked for; null target/layers: the defaults (resolved at discovery). */
export interface CircuitDraft {
  concept: ConceptSource;
  target: CircuitTarget | null;
  layers: string[] | null;
  k: number;
  method: CircuitMethod;
  reduce: CircuitReduce;
  seed: number;
  examples: number;
  random: number;
}

export const DEFAULT_CIRCUIT_DRAFT: Readonly<CircuitDraft> = Object.freeze<CircuitDraft>({
  concept: { kind: 'filter', filter: {} },
  target: null,
  layers: null,
  k: DEFAULT_CIRCUIT_K,
  method: 'cla',
  reduce: 'mean',
  seed: 0,
  examples: DEFAULT_CIRCUIT_EXAMPLES,
  random: DEFAULT_CIRCUIT_RANDOM,
});

export interface CircuitProgressView {
  stage: string;
  done: number;
  total: number;
  fraction: number | null;
  etaSeconds: number | null;
}

/** What the panel draws beside a circuit: its examples and node thumbnails (none for an imported file). */
export interface CircuitExamples {
  discovery: RawImage[];
  heldOut: RawImage[];
  heldOutLabels: number[] | null;
  thumbs: Record<string, CircuitThumb>;
}

export type CircuitCheck = Extract<CircuitResponse, { kind: 'checkEdits' }>;
export type EditsState = 'none' | 'applying' | 'applied' | 'error';

export interface CircuitSlice {
  circuitDraft: CircuitDraft;
  /** Uploaded concept images (an 'images' concept; never in the link). */
  circuitUploads: Array<{ name: string; image: RawImage }>;
  circuitStatus: CircuitStatus;
  circuitProgress: CircuitProgressView | null;
  circuitError: string | null;
  circuit: Circuit | null;
  /** Where the circuit on show came from. */
  circuitSource: 'discovered' | 'file' | null;
  circuitExamples: CircuitExamples | null;
  /** Set by a link with a circuit: discover once the model (and dataset) are ready. */
  circuitPendingRun: boolean;
  circuitEdits: CircuitEdit[];
  circuitEditsState: EditsState;
  /** Identity of the edited model in the worker (null: unedited). */
  circuitEditedSha: string | null;
  circuitCheck: CircuitCheck | null;
  /** Edges lighter than this fraction of the heaviest are hidden. */
  circuitThreshold: number;
  /** The layers a circuit spans by default on the loaded model (the worker's answer), with that model's sha256. */
  circuitDefaultLayers: { modelSha256: string; layers: string[] } | null;
  /** Also run the other method and show where CLA and ablation agree. */
  circuitCompare: boolean;
  setCircuitCompare: (on: boolean) => void;
  /** Asks the worker for the loaded model's default circuit layers. */
  loadCircuitDefaults: () => Promise<void>;
  setCircuitDraft: (draft: Partial<CircuitDraft>) => void;
  discoverCircuit: () => Promise<void>;
  cancelCircuit: () => void;
  setCircuitThreshold: (t: number) => void;
  addCircuitUploads: (images: Array<{ name: string; image: RawImage }>) => void;
  clearCircuitUploads: () => void;
  /** Ablates the unit (scale 0), or removes its edit. */
  toggleUnitAblation: (ref: UnitRef) => Promise<void>;
  setUnitScale: (ref: UnitRef, scale: number) => Promise<void>;
  toggleEdgePrune: (from: UnitRef, to: UnitRef) => Promise<void>;
  setCircuitEdits: (edits: CircuitEdit[]) => Promise<void>;
  /** Sends the edit list to the worker (after a change, or a model load) and checks its effect. */
  pushCircuitEdits: () => Promise<void>;
  /** Opens a `lab.circuit/1` file: its graph, and its spec as the draft. */
  importCircuitFile: (file: Blob, name: string) => Promise<void>;
  /** The URL sync's entry: the draft and edits of a link (`run`: discover once ready). */
  applyCircuitLink: (link: CircuitLink | undefined, run: boolean) => void;
  /** Discovers when a link asked for it and the model and dataset are ready. */
  syncCircuit: () => Promise<void>;
}

type Get = () => LabState;
type Set = (partial: Partial<LabState>) => void;

let runToken = 0;
let runController: AbortController | null = null;
let editsToken = 0;
/** The list the worker last accepted: a refused change goes back to it (it loses nothing). */
let acceptedEdits: CircuitEdit[] = [];

/** The draft's link keys that differ from the defaults. */
export function circuitLinkOf(s: Pick<LabState, 'circuitDraft' | 'circuitEdits'>): CircuitLink | undefined {
  const d = s.circuitDraft;
  const link: CircuitLink = {};
  const c = d.concept;
  if (c.kind === 'prompts' || (c.kind === 'filter' && Object.values(c.filter).some((v) => v !== undefined))) link.concept = c;
  if (d.target) link.target = d.target;
  if (d.layers) link.layers = d.layers;
  if (d.k !== DEFAULT_CIRCUIT_DRAFT.k) link.k = d.k;
  if (d.method !== DEFAULT_CIRCUIT_DRAFT.method) link.method = d.method;
  if (d.reduce !== DEFAULT_CIRCUIT_DRAFT.reduce) link.reduce = d.reduce;
  if (d.seed !== DEFAULT_CIRCUIT_DRAFT.seed) link.seed = d.seed;
  if (d.examples !== DEFAULT_CIRCUIT_DRAFT.examples) link.examples = d.examples;
  if (d.random !== DEFAULT_CIRCUIT_DRAFT.random) link.random = d.random;
  if (s.circuitEdits.length > 0) link.edits = s.circuitEdits;
  return Object.keys(link).length > 0 ? link : undefined;
}

/** The spec the draft asks for on this model, and whether its target is left to the default. */
export function specOfDraft(s: LabState): { spec: CircuitSpec; autoTarget: boolean } | { problem: string } {
  const { summary, circuitDraft: d } = s;
  if (!summary) return { problem: 'Load a model first.' };
  // No layers: the engine's default (block outputs), as \`lab circuit\` without --layers.
  const layers = d.layers ?? [];
  const unknown = layers.find((t) => !summary.layers.some((l) => l.tensor === t));
  if (unknown) return { problem: `There is no layer “${unknown.slice(0, 120)}” in ${summary.name}; pick layers the model lists.` };
  const concept: ConceptSource = d.concept.kind === 'images' ? { kind: 'images', count: s.circuitUploads.length } : d.concept;
  const spec: CircuitSpec = {
    concept,
    ...(concept.kind === 'filter' ? { contrast: { kind: 'rest' } as const } : {}),
    examples: d.examples,
    heldOut: d.examples,
    target: d.target ?? { kind: 'logit', index: 0 },
    layers,
    k: d.k,
    method: d.method,
    reduce: d.reduce,
    ablation: 'zero',
    random: d.random,
    seed: d.seed,
  };
  return { spec, autoTarget: d.target === null };
}

function progressView(p: Progress, stageStart: { stage: string; at: number }): CircuitProgressView {
  const c = p.circuit;
  const stage = c?.stage ?? p.stage;
  const now = performance.now();
  if (stage !== stageStart.stage) {
    stageStart.stage = stage;
    stageStart.at = now;
  }
  const fraction = c && c.total > 0 ? c.done / c.total : p.fraction;
  // ETA of the stage from its own pace so far (the stages differ in cost per step).
  const elapsed = (now - stageStart.at) / 1000;
  const etaSeconds = fraction !== null && fraction > 0 && fraction < 1 && elapsed > 0.2 ? (elapsed * (1 - fraction)) / fraction : null;
  return { stage, done: c?.done ?? 0, total: c?.total ?? 0, fraction, etaSeconds };
}

/** A refused circuit request names its own problem (an empty concept, a layer, a target): that is the notice. */
function circuitNotice(err: unknown, action: string) {
  if (err instanceof EngineError && err.code === 'bad-request') {
    return { level: 'warning' as const, title: err.message, hint: 'Change the concept, target, layers or edits; the model and the panel are as they were.' };
  }
  return noticeFromError(err, action);
}

function sameUnit(a: UnitRef, b: UnitRef): boolean {
  return a.layer === b.layer && a.unit === b.unit;
}

/** The prediction on show was of the model before this change of edits: run its image again. */
function repredict(get: Get): void {
  const { predictInput: input, prediction, predictImage } = get();
  if (!input || !prediction) return;
  if (input.kind === 'scene') {
    void predictImage(input.image, input.label);
    return;
  }
  void decodeImage(input.url)
    .then((raw) => (get().predictInput === input ? predictImage(raw, input.kind === 'sample' ? input.label : undefined) : undefined))
    .catch(() => undefined);
}

/** The held-out examples of the circuit on show through the model without and with the edits. */
async function refreshCheck(get: Get, set: Set, stale: () => boolean): Promise<void> {
  if (!get().circuit || get().circuitSource !== 'discovered') return;
  try {
    const check = await getEngine().request({ kind: 'checkEdits' });
    if (!stale()) set({ circuitCheck: check });
  } catch (err) {
    // A fresh worker (backend change) no longer has the examples: the check waits for the next discovery.
    forgetCrashedEngine(err);
    if (!stale()) set({ circuitCheck: null });
  }
}

async function changeEdits(get: Get, set: Set, edits: CircuitEdit[]): Promise<void> {
  set({ circuitEdits: edits });
  await get().pushCircuitEdits();
}

export const createCircuitSlice: SliceCreator<CircuitSlice> = (set, get) => ({
  circuitDraft: { ...DEFAULT_CIRCUIT_DRAFT },
  circuitUploads: [],
  circuitStatus: 'idle',
  circuitProgress: null,
  circuitError: null,
  circuit: null,
  circuitSource: null,
  circuitExamples: null,
  circuitPendingRun: false,
  circuitEdits: [],
  circuitEditsState: 'none',
  circuitEditedSha: null,
  circuitCheck: null,
  circuitThreshold: 0,
  circuitDefaultLayers: null,
  circuitCompare: false,
  setCircuitCompare: (on) => set({ circuitCompare: on }),
  loadCircuitDefaults: async () => {
    const sha = get().summary?.sha256;
    if (!sha || get().circuitDefaultLayers?.modelSha256 === sha) return;
    try {
      const body = await getEngine().request({ kind: 'circuitLayers' });
      if (get().summary?.sha256 === body.modelSha256) set({ circuitDefaultLayers: { modelSha256: body.modelSha256, layers: body.layers } });
    } catch (err) {
      forgetCrashedEngine(err);
    }
  },

  setCircuitDraft: (draft) => set({ circuitDraft: { ...get().circuitDraft, ...draft } }),

  discoverCircuit: async () => {
    const s = get();
    const planned = specOfDraft(s);
    if ('problem' in planned) {
      s.pushNotice({ level: 'warning', title: planned.problem });
      set({ circuitError: planned.problem, circuitStatus: s.circuit ? s.circuitStatus : 'error' });
      return;
    }
    runController?.abort();
    const controller = new AbortController();
    runController = controller;
    const token = ++runToken;
    const stale = () => token !== runToken;
    const stageStart = { stage: '', at: performance.now() };
    set({ circuitStatus: 'running', circuitProgress: null, circuitError: null, circuitPendingRun: false });
    try {
      const body = await getEngine().request(
        {
          kind: 'discoverCircuit',
          spec: planned.spec,
          autoTarget: planned.autoTarget,
          compare: s.circuitCompare,
          datasetId: s.datasetId ?? DEFAULT_DATASET_ID,
          assets: assetsBase(),
          images: planned.spec.concept.kind === 'images' ? s.circuitUploads.map((u) => u.image) : undefined,
        },
        { signal: controller.signal, onProgress: (p) => !stale() && set({ circuitProgress: progressView(p, stageStart) }) },
      );
      if (stale()) return;
      const thumbs: Record<string, CircuitThumb> = {};
      for (const t of body.thumbs) thumbs[t.id] = t;
      set({
        circuit: body.circuit,
        circuitSource: 'discovered',
        circuitExamples: { discovery: body.discovery, heldOut: body.heldOut, heldOutLabels: body.heldOutLabels, thumbs },
        circuitStatus: 'ready',
        circuitProgress: null,
        circuitCheck: null,
      });
      // The held-out examples are new: see how the model (and the edits in force) do on them.
      await refreshCheck(get, set, stale);
    } catch (err) {
      forgetCrashedEngine(err);
      if (stale()) return;
      const notice = circuitNotice(err, 'Circuit discovery');
      if (notice) get().pushNotice(notice);
      // A failure keeps the circuit on show (the panel stays usable); cancel is not a failure.
      set({ circuitStatus: notice ? 'error' : 'cancelled', circuitError: notice?.title ?? null, circuitProgress: null });
    } finally {
      if (runController === controller) runController = null;
    }
  },

  cancelCircuit: () => runController?.abort(),

  setCircuitThreshold: (t) => set({ circuitThreshold: Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) }),

  addCircuitUploads: (images) => {
    const next = [...get().circuitUploads, ...images].slice(0, 2 * 64);
    set({ circuitUploads: next, circuitDraft: { ...get().circuitDraft, concept: { kind: 'images', count: next.length } } });
  },
  clearCircuitUploads: () => {
    const d = get().circuitDraft;
    set({ circuitUploads: [], circuitDraft: d.concept.kind === 'images' ? { ...d, concept: { kind: 'filter', filter: {} } } : d });
  },

  toggleUnitAblation: async (ref) => {
    const edits = get().circuitEdits;
    const has = edits.some((e) => e.kind === 'unit' && sameUnit(e, ref));
    await changeEdits(get, set, has ? edits.filter((e) => !(e.kind === 'unit' && sameUnit(e, ref))) : [...edits, { kind: 'unit', layer: ref.layer, unit: ref.unit, scale: 0 }]);
  },
  setUnitScale: async (ref, scale) => {
    const rest = get().circuitEdits.filter((e) => !(e.kind === 'unit' && sameUnit(e, ref)));
    await changeEdits(get, set, scale === 1 ? rest : [...rest, { kind: 'unit', layer: ref.layer, unit: ref.unit, scale }]);
  },
  toggleEdgePrune: async (from, to) => {
    const edits = get().circuitEdits;
    const match = (e: CircuitEdit) => e.kind === 'edge' && sameUnit(e.from, from) && sameUnit(e.to, to);
    await changeEdits(get, set, edits.some(match) ? edits.filter((e) => !match(e)) : [...edits, { kind: 'edge', from, to }]);
  },
  setCircuitEdits: (edits) => changeEdits(get, set, edits),

  pushCircuitEdits: async () => {
    const { summary, circuitEdits: edits } = get();
    if (!summary) return;
    const token = ++editsToken;
    const stale = () => token !== editsToken;
    set({ circuitEditsState: edits.length ? 'applying' : 'none' });
    try {
      const body = await getEngine().request({ kind: 'setEdits', edits });
      acceptedEdits = edits;
      if (stale()) return;
      set({ circuitEditsState: body.count ? 'applied' : 'none', circuitEditedSha: body.sha256 });
      repredict(get);
      await refreshCheck(get, set, stale);
    } catch (err) {
      forgetCrashedEngine(err);
      if (stale()) return;
      const notice = circuitNotice(err, 'Applying the edits');
      if (notice) get().pushNotice(notice);
      // A refused edit (an edge no single Conv joins, a unit out of range) is dropped again; the
      // edits in force stay. A link's edits on another model are dropped as a whole.
      const back = acceptedEdits.filter((e) => get().circuitEdits.includes(e));
      set({ circuitEdits: back, circuitEditsState: back.length ? 'applied' : 'none' });
    }
  },

  importCircuitFile: async (file, name) => {
    const parsed = parseCircuitFile(await file.text().catch(() => ''), name);
    if (!parsed.ok) {
      get().pushNotice({ level: 'warning', title: parsed.problem, hint: 'Circuit files are the lab.circuit/1 JSON the Export button and `lab circuit --json` write.' });
      return;
    }
    const c = parsed.circuit;
    const { summary, pushNotice } = get();
    if (summary && summary.sha256 !== c.model.sha256) {
      pushNotice({ level: 'info', title: `${name} was found on ${c.model.name}, not on the open model (${summary.name})`, hint: 'Its graph is shown as it is; Discover recomputes it on this model.' });
    }
    runController?.abort();
    const concept = c.spec.concept;
    set({
      circuit: c,
      circuitSource: 'file',
      circuitExamples: null,
      circuitStatus: 'ready',
      circuitError: null,
      circuitCheck: null,
      circuitDraft: {
        ...get().circuitDraft,
        concept: concept.kind === 'images' ? get().circuitDraft.concept : concept,
        target: c.spec.target,
        layers: c.spec.layers,
        k: c.spec.k,
        method: c.spec.method,
        reduce: c.spec.reduce,
        seed: c.spec.seed,
        examples: c.spec.examples,
        random: c.spec.random,
      },
    });
  },

  applyCircuitLink: (link, run) => {
    const d = DEFAULT_CIRCUIT_DRAFT;
    const draft: CircuitDraft = {
      ...get().circuitDraft,
      concept: link?.concept ?? d.concept,
      target: link?.target ?? null,
      layers: link?.layers ?? null,
      k: link?.k ?? d.k,
      method: link?.method ?? d.method,
      reduce: link?.reduce ?? d.reduce,
      seed: link?.seed ?? d.seed,
      examples: link?.examples ?? d.examples,
      random: link?.random ?? d.random,
    };
    const edits = link?.edits ?? [];
    const editsChanged = JSON.stringify(edits) !== JSON.stringify(get().circuitEdits);
    set({ circuitDraft: draft, circuitEdits: edits, circuitPendingRun: run && link !== undefined });
    if (editsChanged && get().summary) void get().pushCircuitEdits();
  },

  syncCircuit: async () => {
    const s = get();
    if (!s.circuitPendingRun || !s.summary || s.status !== 'ready' || s.circuitStatus === 'running') return;
    // A filter concept needs the dataset open.
    if (s.circuitDraft.concept.kind === 'filter' && s.datasetStatus !== 'ready') return;
    await s.discoverCircuit();
  },
});
