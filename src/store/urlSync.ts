/**
 * Keeps the location hash and the store in step: the hash is read once at startup (and on
 * `hashchange`) through the codec, and written with history.replaceState whenever the view changes.
 */
import type { StoreApi, UseBoundStore } from 'zustand';
import type { LabState } from './types';
import { decodeHash, encodeHash, type UrlState } from './url';
import { DEFAULT_BUILTIN_ID, findBuiltin } from './builtins';
import { linkModelKey as modelKey } from './modelSource';
import { DATASET_PAGE_SIZE } from './datasetSlice';
import { isFolderDataset } from './imageDatasetActions';
import { DEFAULT_DATASET_ID, findDataset } from '../engine/data/datasets';
import { DEFAULT_UPSCALER_ID } from './upscaleSlice';
import { sameNorm } from './normOverride';
import { DEFAULT_OBJECTIVE } from '../engine/featvis/settings';
import { circuitLinkOf } from './circuitSlice';
import { encodeCircuitLink } from './circuitUrl';
import { DEFAULT_AGENT_ROUNDS } from './agentSettings';

type Store = UseBoundStore<StoreApi<LabState>>;

export interface UrlWindow {
  location: { hash: string };
  history: { replaceState(data: unknown, unused: string, url?: string): void; state: unknown };
  addEventListener(type: 'hashchange', listener: () => void): void;
  removeEventListener(type: 'hashchange', listener: () => void): void;
}

/** The URL view of the store: the model being loaded counts over the one loaded. */
export function urlStateOf(s: LabState): UrlState {
  return {
    panel: s.panel,
    model: modelKey(s.pendingSource ?? s.source),
    layer: s.layer,
    unit: s.layer === null ? null : s.unit,
    backend: s.backendPreference,
    // A local folder has no address: the link leaves the dataset out (the panel says so).
    dataset: isFolderDataset(s.datasetId) ? null : s.datasetId,
    filter: s.datasetFilter,
    datasetPage: Math.floor(s.datasetOffset / DATASET_PAGE_SIZE),
    fvSeed: s.fvSeed,
    ...(s.fvObjective !== DEFAULT_OBJECTIVE ? { fvObjective: s.fvObjective } : {}),
    // A user's .onnx has no address: the link keeps the default upscaler.
    upscaler: s.upChoice.startsWith('file:') || s.upChoice === DEFAULT_UPSCALER_ID ? null : s.upChoice,
    upMode: s.upMode,
    upRes: s.upWebcamSize,
    ...(s.datasetNorm ? { norm: s.datasetNorm } : {}),
    ...(s.embed ? { embed: true as const } : {}),
    ...circuitPart(s),
    ...agentLink(s),
  };
}

/** The agent's part of the link: backend kind, model name, seed and round cap — never the key. */
function agentLink(s: LabState): Partial<UrlState> {
  const { kind, model } = s.agentBackend;
  return {
    ...(kind !== 'offline' ? { agentBackend: kind } : {}),
    ...(kind !== 'offline' && model ? { agentModel: model.slice(0, 200) } : {}),
    ...(s.agentSeed !== 0 ? { agentSeed: s.agentSeed } : {}),
    ...(s.agentRounds !== DEFAULT_AGENT_ROUNDS ? { agentRounds: s.agentRounds } : {}),
  };
}

function circuitPart(s: LabState): Pick<UrlState, 'circuit'> {
  const circuit = circuitLinkOf(s);
  return circuit ? { circuit } : {};
}

/** A link's circuit goes into the store when it differs from the one there; on the Circuits panel it is discovered. */
function applyCircuit(store: Store, state: UrlState, initial: boolean): void {
  const s = store.getState();
  const same = encodeCircuitLink(state.circuit, String) === encodeCircuitLink(circuitLinkOf(s), String);
  if (!initial && same) return;
  s.applyCircuitLink(state.circuit, state.panel === 'circuits');
}

/** A hash model value is a built-in id when one has that id, an address otherwise. */
function loadModel(store: Store, model: string): Promise<void> {
  const { loadBuiltin, loadUrl } = store.getState();
  return findBuiltin(model) ? loadBuiltin(model) : loadUrl(model);
}

/** Applies a decoded URL state; at startup also loads its model (or the default one). */
async function apply(store: Store, state: UrlState, initial: boolean): Promise<void> {
  const s = store.getState();
  s.applyView({ panel: state.panel });
  s.setFvSeed(state.fvSeed);
  s.setFvObjective(state.fvObjective ?? DEFAULT_OBJECTIVE);
  s.applyUpscaleView({ upscaler: state.upscaler, mode: state.upMode, size: state.upRes });
  applyCircuit(store, state, initial);
  s.setAgentBackend({ kind: state.agentBackend ?? 'offline', ...(state.agentModel !== undefined ? { model: state.agentModel } : {}) });
  s.setAgentSeed(state.agentSeed ?? 0);
  s.setAgentRounds(state.agentRounds ?? DEFAULT_AGENT_ROUNDS);
  if (s.summary) {
    s.selectLayer(state.layer);
    if (store.getState().layer === state.layer) s.selectUnit(state.unit);
  } else {
    s.applyView({ layer: state.layer, unit: state.unit });
  }
  const datasetOffset = state.datasetPage * DATASET_PAGE_SIZE;
  if (initial && state.panel === 'exemplars' && state.layer !== null && state.unit !== null) {
    // The unit's last complete view, drawn while the model and the worker start (a first paint).
    void s.restoreUnitView({
      model: state.model ?? DEFAULT_BUILTIN_ID,
      dataset: state.dataset ?? DEFAULT_DATASET_ID,
      norm: state.norm ?? null,
      layer: state.layer,
      unit: state.unit,
    });
  }
  if (initial) {
    s.setEmbed(state.embed === true);
    s.applyView({ backendPreference: state.backend });
    // The dataset view goes into the store (and so the link) at once; it opens after the model.
    const datasetId = state.dataset ?? DEFAULT_DATASET_ID;
    s.applyDatasetView({ datasetId, datasetFilter: state.filter, datasetOffset, datasetNorm: state.norm ?? null });
    // A built-in dataset does not depend on the model, so it opens while the model loads (on a
    // cached visit these are the two longest steps). An image dataset is fitted to the model's
    // input, so it waits for the model.
    const early = findDataset(datasetId) ? s.openDataset(datasetId, { datasetFilter: state.filter, datasetOffset }) : null;
    const model = state.model ?? DEFAULT_BUILTIN_ID;
    await loadModel(store, model);
    // A link whose model cannot be opened still gets a working lab: fall back to the built-in.
    if (store.getState().summary === null && model !== DEFAULT_BUILTIN_ID) {
      await store.getState().loadBuiltin(DEFAULT_BUILTIN_ID);
    }
    if (early) return early;
    const { datasetFilter, datasetOffset: offset } = store.getState();
    await store.getState().openDataset(store.getState().datasetId ?? DEFAULT_DATASET_ID, { datasetFilter, datasetOffset: offset });
    return;
  }
  if (state.backend !== s.backendPreference) await s.setBackendPreference(state.backend);
  const current = modelKey(store.getState().pendingSource ?? store.getState().source);
  // No model in the hash keeps whatever is open (a local file cannot be in a link).
  if (state.model !== null && state.model !== current) await loadModel(store, state.model);
  // Likewise no dataset in the hash keeps the one open.
  const now = store.getState();
  const dataset = state.dataset ?? now.datasetId ?? DEFAULT_DATASET_ID;
  // A mean/std override in the hash replaces the one in use (fitting the open image dataset again); none keeps it.
  if (state.norm && !sameNorm(state.norm, now.datasetNorm)) {
    if (dataset === now.datasetId) await now.setDatasetNorm(state.norm);
    else now.applyDatasetView({ datasetNorm: state.norm });
  }
  if (dataset !== now.datasetId) await now.openDataset(dataset, { datasetFilter: state.filter, datasetOffset });
  else await now.setDatasetView({ datasetFilter: state.filter, datasetOffset });
}

function reportProblems(store: Store, problems: string[]): void {
  if (problems.length === 0) return;
  store.getState().pushNotice({
    level: 'warning',
    title: `Some of the link could not be used: ${problems.join('; ')}`,
    hint: 'Those parts fell back to their defaults.',
  });
}

/**
 * Applies a link's state (an experiment file's, a gallery entry's) as if the hash had changed to
 * it: the same codec and the same path, problems reported. An `exp` or `embed` in it is left out.
 */
export async function applyLink(store: Store, hash: string): Promise<void> {
  const decoded = decodeHash(hash);
  reportProblems(store, decoded.problems);
  const { exp: _exp, embed: _embed, ...state } = decoded.state;
  await apply(store, state, false);
}

/** Starts the sync; returns a function that stops it. */
export function startUrlSync(store: Store, win: UrlWindow = window, openExp?: (address: string) => Promise<void>): () => void {
  const write = () => {
    const hash = encodeHash(urlStateOf(store.getState()));
    if (hash !== win.location.hash) win.history.replaceState(win.history.state, '', hash);
  };

  const initial = decodeHash(win.location.hash);
  reportProblems(store, initial.problems);
  const exp = initial.state.exp;
  // An experiment address opens once the link's own view is up (a refusal keeps that view).
  void apply(store, initial.state, true).then(() => (exp !== undefined && openExp ? openExp(exp) : undefined));
  write();

  let last = encodeHash(urlStateOf(store.getState()));
  const unsubscribe = store.subscribe((s) => {
    const next = encodeHash(urlStateOf(s));
    if (next === last) return;
    last = next;
    write();
  });

  const onHashChange = () => {
    const decoded = decodeHash(win.location.hash);
    reportProblems(store, decoded.problems);
    const address = decoded.state.exp;
    void apply(store, decoded.state, false)
      .then(() => (address !== undefined && openExp ? openExp(address) : undefined))
      .then(write);
  };
  win.addEventListener('hashchange', onHashChange);

  return () => {
    unsubscribe();
    win.removeEventListener('hashchange', onHashChange);
  };
}
