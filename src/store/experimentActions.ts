/**
 * Experiment files in the app: what an export holds (the link through the one codec, plus the
 * images, circuit, transcript a link cannot hold) and how an opened file is applied — parsed and
 * checked whole first (engine/experiment/codec.ts), so a refused file leaves the view as it was;
 * then its link goes through the same path as a changed hash, then its images into their panels.
 */
import type { StoreApi, UseBoundStore } from 'zustand';
import type { LabState } from './types';
import { applyLink, urlStateOf } from './urlSync';
import { encodeHash } from './url';
import { fetchLimited, Cancelled } from './fetchModel';
import { LoadProblem } from './loadProblem';
import { pageBase } from './modelSource';
import { resolveModelUrl } from './modelUrl';
import { isFolderDataset } from './imageDatasetActions';
import { buildExperiment, parseExperimentBytes, serializeExperiment, type ExperimentInput, type OpenedExperiment } from '../engine/experiment/codec';
import { MAX_EXPERIMENT_BYTES, type ExperimentFile } from '../engine/experiment/types';
import { LabError } from '../engine/errors';
import type { AgentTranscript } from '../engine/agent/types';

type Store = UseBoundStore<StoreApi<LabState>>;

/** What goes into a file for the current view; null when no model is open (a file names its model). */
export function experimentInputOf(s: LabState): ExperimentInput | null {
  if (!s.summary) return null;
  const { exp: _exp, embed: _embed, ...state } = urlStateOf(s);
  const source = s.source;
  const images: NonNullable<ExperimentInput['images']> = [];
  if (s.panel === 'exemplars' && s.exTry && s.exTry.layer === s.layer && s.exTry.unit === s.unit) {
    images.push({ role: 'try', name: s.exTry.name, image: s.exTry.image });
  }
  if (s.panel === 'upscale' && s.upInput) {
    images.push({ role: s.upInput.role === 'hr' ? 'upscale-hr' : 'upscale-lr', name: s.upInput.name, image: s.upInput.image });
    if (s.upInput.truth) images.push({ role: 'upscale-truth', name: s.upInput.truth.name, image: s.upInput.truth.image });
  }
  if (s.panel === 'circuits') for (const u of s.circuitUploads) images.push({ role: 'concept', name: u.name, image: u.image });
  const dataset = s.datasetInfo && !isFolderDataset(s.datasetId) && s.datasetId ? { id: s.datasetId, sha256: s.datasetInfo.sha256 } : undefined;
  return {
    link: encodeHash(state),
    title: experimentTitle(s),
    model: {
      name: s.summary.name,
      sha256: s.summary.sha256,
      ...(source?.kind === 'url' ? { url: source.url } : {}),
      ...(source?.kind === 'builtin' ? { builtin: source.id } : {}),
    },
    ...(dataset ? { dataset } : {}),
    images,
    // The circuit with its causal results (a link holds only its spec and edits).
    ...(s.panel === 'circuits' && s.circuit ? { circuit: s.circuit } : {}),
  };
}

/** A short title for the file and the start page: panel, model, unit. */
export function experimentTitle(s: LabState): string {
  const model = s.summary?.name ?? 'no model';
  if (s.panel === 'exemplars' && s.layer !== null && s.unit !== null) return `Unit ${s.unit} of ${s.layer} · ${model}`;
  if (s.panel === 'circuits' && s.circuit) return `Circuit of ${s.circuit.nodes.length} units over ${s.circuit.layers.length} layers · ${model}`;
  if (s.panel === 'agent' && s.agentRun) return `Agent run on ${s.layer !== null && s.unit !== null ? `unit ${s.unit} of ${s.layer}` : 'a logit'} · ${model}`;
  if (s.panel === 'upscale') return `Upscale ${s.upInput ? `“${s.upInput.name}”` : ''} with ${s.upChoice}`.replace(/\s+/g, ' ');
  return `${s.panel[0].toUpperCase()}${s.panel.slice(1)} · ${model}`;
}

/** "exemplars-scenes-balanced-2026-12-02.labexp.json" (file-system safe). */
export function experimentFileName(s: LabState, when = new Date()): string {
  const model = (s.summary?.name ?? 'model').replace(/\.onnx$/i, '');
  return `${s.panel}-${model}-${when.toISOString().slice(0, 10)}.labexp.json`.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The file for the current view, or a notice saying why there is none. */
export async function exportExperiment(store: Store): Promise<{ file: ExperimentFile; text: string; name: string } | null> {
  const s = store.getState();
  const input = experimentInputOf(s);
  if (!input) {
    s.pushNotice({ level: 'warning', title: 'Nothing to export yet', hint: 'Open a model first: an experiment file names the model it was made with.' });
    return null;
  }
  // The agent's transcript, as the Agent panel exports it (no key; the codec drops key-like fields again).
  if (s.panel === 'agent' && s.agentRun) {
    const text = await s.exportAgentTranscript();
    if (text) input.transcript = JSON.parse(text) as AgentTranscript;
  }
  const file = buildExperiment(input);
  return { file, text: serializeExperiment(file), name: experimentFileName(s) };
}

function refuse(store: Store, what: string, err: unknown): void {
  if (err instanceof Cancelled) return;
  const s = store.getState();
  if (err instanceof LoadProblem) {
    s.pushNotice({ ...err.notice, title: `${what}: ${err.notice.title}` });
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  s.pushNotice({
    level: 'error',
    title: `${what} was refused: ${err instanceof LabError && err.code === 'bad-experiment' ? message : `it could not be read (${message})`}`,
    hint: 'The current view was kept. Ask for the file again (it may be cut off or edited), or for the link alone.',
  });
}

function shortSha(sha: string): string {
  return `${sha.slice(0, 12)}…`;
}

/** Applies a checked experiment: its link, then its images, then says what does not match. */
async function applyOpened(store: Store, opened: OpenedExperiment, label: string): Promise<void> {
  const { file, images } = opened;
  await applyLink(store, file.link);
  const s = store.getState();
  for (const { role, name, image } of images) {
    if (role === 'try') await store.getState().tryExemplarImage(image, name);
    else if (role === 'upscale-lr' || role === 'upscale-hr') await store.getState().setUpscaleInput(image, name, role === 'upscale-hr' ? 'hr' : 'lr');
  }
  const concept = images.filter((i) => i.role === 'concept').map(({ name, image }) => ({ name, image }));
  if (concept.length > 0) store.getState().addCircuitUploads(concept);
  // Through the Circuits panel's own file path (its checks, its graph).
  if (file.circuit) await store.getState().importCircuitFile(new Blob([JSON.stringify(file.circuit.value)]), `${label} (circuit)`);
  if (file.transcript) store.getState().importAgentTranscript(JSON.stringify(file.transcript.value));
  const truth = images.find((i) => i.role === 'upscale-truth');
  if (truth) await store.getState().setUpscaleTruth(truth.image, truth.name);
  if (opened.exemplarIndex && file.exemplarIndex) await store.getState().importIndexFile(new Blob([opened.exemplarIndex as Uint8Array<ArrayBuffer>]), file.exemplarIndex.name);
  const open = store.getState().summary;
  if (!open || open.sha256 !== file.model.sha256) {
    const where = file.model.url ? `from ${file.model.url}` : file.model.builtin ? `(the built-in “${file.model.builtin}”)` : 'as a file';
    s.pushNotice({
      level: 'warning',
      title: `This experiment was made with the model “${file.model.name}” (sha256 ${shortSha(file.model.sha256)}), which is not the one open`,
      detail: `Open: ${open ? `“${open.name}” (sha256 ${shortSha(open.sha256)})` : 'no model'}.`,
      hint: `Open “${file.model.name}” ${where} (Open .onnx… or drop it), then open ${label} again to see the same numbers.`,
    });
    return;
  }
  store.getState().pushNotice({ level: 'info', title: `Opened ${label}${file.title ? `: ${file.title}` : ''}` });
}

/** Opens a dropped or chosen file. */
export async function openExperimentFile(store: Store, file: Blob & { name: string }): Promise<void> {
  const label = `“${file.name.slice(0, 80)}”`;
  if (file.size > MAX_EXPERIMENT_BYTES) {
    refuse(store, `The experiment file ${label}`, new LabError('bad-experiment', `the file is larger than the lab's limit of ${MAX_EXPERIMENT_BYTES / 1024 / 1024} MB`));
    return;
  }
  store.getState().setExperimentBusy(true);
  try {
    const opened = parseExperimentBytes(new Uint8Array(await file.arrayBuffer()));
    await applyOpened(store, opened, `the experiment ${label}`);
  } catch (err) {
    refuse(store, `The experiment file ${label}`, err);
  } finally {
    store.getState().setExperimentBusy(false);
  }
}

const EXPERIMENT_KIND = { what: 'This experiment file', noun: 'an experiment file', openHint: 'download the file and open it with “Open experiment…”' };

/** Opens an experiment from an address (`&exp=`): fetched with the lab's download checks. */
export async function openExperimentUrl(store: Store, address: string, fetchImpl?: typeof fetch): Promise<void> {
  const label = 'the linked experiment';
  store.getState().setExperimentBusy(true);
  try {
    let url: URL;
    try {
      url = resolveModelUrl(address, pageBase());
    } catch (err) {
      throw new LabError('bad-experiment', `its address ${err instanceof Error ? err.message : String(err)}`);
    }
    const bytes = await fetchLimited(url, { maxBytes: MAX_EXPERIMENT_BYTES, fetchImpl }, EXPERIMENT_KIND);
    await applyOpened(store, parseExperimentBytes(bytes), label);
  } catch (err) {
    refuse(store, 'The linked experiment', err);
  } finally {
    store.getState().setExperimentBusy(false);
  }
}
