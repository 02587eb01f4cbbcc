/**
 * The loaded model: its status, load progress, summary, source and backend.
 * A load runs in the background; a newer load cancels an older one; a failed load never drops
 * the model that was loaded before (its summary and worker session stay in use).
 */
import type { ModelSummary } from '../engine/types';
import type { BackendInfo } from '../engine/runtime/types';
import { MAX_MODEL_BYTES, type ModelDataSource } from '../worker/protocol';
import type { SliceCreator, LabState } from './types';
import { findBuiltin } from './builtins';
import { ensureConfigured, forgetCrashedEngine, getEngine } from './engine';
import { noticeFromError } from './errorNotice';
import { Cancelled, fetchModel, tooLargeProblem } from './fetchModel';
import { LoadProblem } from './loadProblem';
import { resolveModelUrl } from './modelUrl';
import { fileNameOf, pageBase, type ModelSource } from './modelSource';
import { planBackends } from './backendPreference';
import { sniffModelBytes } from './sniffModel';
import { formatBytes } from '../ui/format';

export type ModelStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface LoadProgress {
  stage: string;
  /** 0..1, or null when unknown. */
  fraction: number | null;
  message: string;
}

/** The part of a File the lab uses (so tests can pass a plain object). */
export interface FileLike {
  name: string;
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface ModelSlice {
  /** 'ready' whenever a model is usable, even if a later load failed; 'error' only with no model. */
  status: ModelStatus;
  progress: LoadProgress | null;
  summary: ModelSummary | null;
  /** Source of the loaded model. */
  source: ModelSource | null;
  /** Source of the load in progress, if any. */
  pendingSource: ModelSource | null;
  backend: BackendInfo | null;
  /** Why the 'auto' preference did not try WebGPU, when it did not. */
  backendNote: string | null;
  /** Title of the last failed load, cleared by a successful one. */
  loadError: string | null;
  loadBuiltin: (id: string) => Promise<void>;
  /** `companions`: files picked or dropped with the model, among them its external data files. */
  loadFile: (file: FileLike, companions?: File[]) => Promise<void>;
  /** A multi-file pick or a dropped folder: the one .onnx among `files` opens, the rest are its data files. */
  loadFiles: (files: File[]) => Promise<void>;
  loadUrl: (url: string) => Promise<void>;
  /** Loads the current (or pending) model again, e.g. on another backend. */
  reloadModel: () => Promise<void>;
  /** Stops the load in progress, keeping the model loaded before. */
  cancelLoad: () => void;
}

type Get = () => LabState;
type Set = (partial: Partial<LabState>) => void;
type ByteSource = (signal: AbortSignal, report: (p: LoadProgress) => void) => Promise<Uint8Array>;

let loadToken = 0;
let loadController: AbortController | null = null;
/** The File behind a 'file' source, kept so a backend switch can read it again. */
let lastFile: { file: FileLike; companions: File[] } | null = null;
let pendingFile: { file: FileLike; companions: File[] } | null = null;

/** Calls `fn` at most every `ms` milliseconds, but always for the final fraction 1. */
function throttled(fn: (p: LoadProgress) => void, ms = 100): (p: LoadProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last >= ms || p.fraction === 1) {
      last = now;
      fn(p);
    }
  };
}

async function runLoad(get: Get, set: Set, source: ModelSource, name: string, readBytes: ByteSource, data?: ModelDataSource): Promise<void> {
  loadController?.abort();
  const controller = new AbortController();
  loadController = controller;
  const token = ++loadToken;
  const stale = () => token !== loadToken;
  const report = throttled((progress: LoadProgress) => {
    if (!stale()) set({ progress });
  });
  set({ status: 'loading', pendingSource: source, progress: { stage: 'fetch', fraction: null, message: `Getting ${name}…` } });
  try {
    const plan = await planBackends(get().backendPreference);
    const bytes = await readBytes(controller.signal, report);
    if (stale()) return;
    const sniff = sniffModelBytes(bytes.subarray(0, 512));
    if (!sniff.ok) {
      throw new LoadProblem({
        level: 'error',
        title: `${name} is ${sniff.what}`,
        hint: sniff.kind === 'zip' ? 'Export the PyTorch model to ONNX first (torch.onnx.export), then open the .onnx file.' : 'Open an .onnx model file.',
      });
    }
    // Model requests queue in the worker: an exemplar indexing pass (minutes) would hold this load up.
    get().cancelExemplarIndex();
    report({ stage: 'configure', fraction: null, message: 'Starting the engine…' });
    await ensureConfigured(plan.prefer);
    if (stale()) return;
    const { summary, backend } = await getEngine().request(
      { kind: 'loadModel', name, bytes, data },
      { signal: controller.signal, onProgress: (p) => report({ stage: p.stage, fraction: p.fraction, message: p.message }) },
    );
    if (stale()) return;
    loadController = null;
    if (source.kind === 'file') lastFile = pendingFile;
    set({
      status: 'ready',
      summary,
      backend,
      backendNote: plan.note,
      source,
      pendingSource: null,
      progress: null,
      loadError: null,
      prediction: null,
      predictInput: null,
    });
    keepSelectionValid(get, set, summary);
  } catch (err) {
    forgetCrashedEngine(err);
    if (stale()) return;
    loadController = null;
    const notice = noticeFromError(err, `Loading ${name}`);
    const hasModel = get().summary !== null;
    set({
      status: hasModel ? 'ready' : notice ? 'error' : 'idle',
      pendingSource: null,
      progress: null,
      loadError: notice?.title ?? null,
    });
    if (notice) {
      get().pushNotice(
        hasModel ? { ...notice, hint: `${notice.hint ?? ''} ${get().summary!.name} is still loaded.`.trim() } : notice,
      );
    }
  }
}

/** After a model change, a selected layer or unit the new model lacks is cleared, with a notice. */
function keepSelectionValid(get: Get, set: Set, summary: ModelSummary): void {
  const { layer, unit, pushNotice } = get();
  if (layer === null) return;
  const found = summary.layers.find((l) => l.tensor === layer);
  if (!found) {
    set({ layer: null, unit: null });
    pushNotice({ level: 'warning', title: `${summary.name} has no layer “${layer}”`, detail: 'The layer selection was cleared.' });
  } else if (unit !== null && unit >= found.channels) {
    set({ unit: null });
    pushNotice({
      level: 'warning',
      title: `Layer “${found.label}” has ${found.channels} channels; unit ${unit} does not exist`,
      detail: 'The unit selection was cleared.',
    });
  }
}

function urlBytes(url: URL, name: string): ByteSource {
  return (signal, report) =>
    fetchModel(url, {
      maxBytes: MAX_MODEL_BYTES,
      signal,
      onProgress: (received, total) =>
        report({
          stage: 'download',
          fraction: total ? Math.min(1, received / total) : null,
          message: `Downloading ${name}: ${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''}`,
        }),
    });
}

export const createModelSlice: SliceCreator<ModelSlice> = (set, get) => ({
  status: 'idle',
  progress: null,
  summary: null,
  source: null,
  pendingSource: null,
  backend: null,
  backendNote: null,
  loadError: null,

  loadBuiltin: async (id) => {
    const builtin = findBuiltin(id);
    if (!builtin) {
      get().pushNotice({ level: 'error', title: `There is no built-in model “${id}”` });
      return;
    }
    const url = new URL(builtin.url, pageBase());
    await runLoad(get, set, { kind: 'builtin', id }, fileNameOf(url), urlBytes(url, builtin.title), { baseUrl: url.href });
  },

  loadFile: async (file, companions = []) => {
    const total = companions.reduce((sum, f) => sum + f.size, file.size);
    if (total > MAX_MODEL_BYTES) {
      const what = companions.length ? `“${file.name}” with its ${companions.length} other file(s)` : `“${file.name}”`;
      get().pushNotice(tooLargeProblem(what, total, MAX_MODEL_BYTES).notice);
      return;
    }
    pendingFile = { file, companions };
    const read: ByteSource = async (signal, report) => {
      report({ stage: 'read', fraction: null, message: `Reading ${file.name} (${formatBytes(file.size)})…` });
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (signal.aborted) throw new Cancelled();
      return bytes;
    };
    await runLoad(get, set, { kind: 'file', name: file.name }, file.name, read, companions.length ? { files: companions } : undefined);
  },

  loadFiles: async (files) => {
    const models = files.filter((f) => /\.onnx$/i.test(f.name));
    if (models.length !== 1) {
      get().pushNotice({
        level: 'error',
        title: models.length ? `${models.length} .onnx files were given; open one model at a time` : 'None of these files is an .onnx model',
        detail: files.slice(0, 6).map((f) => f.name).join(', ') + (files.length > 6 ? ', …' : ''),
        hint: 'Select the model (model.onnx) together with its data file (model.onnx.data), or drop the folder that holds them.',
      });
      return;
    }
    await get().loadFile(models[0], files.filter((f) => f !== models[0]));
  },

  loadUrl: async (text) => {
    let url: URL;
    try {
      url = resolveModelUrl(text, pageBase());
    } catch (err) {
      get().pushNotice({
        level: 'error',
        title: 'This model address cannot be used',
        detail: `${text.length > 120 ? `${text.slice(0, 117)}…` : text}: ${err instanceof Error ? err.message : String(err)}`,
        hint: 'Give an http(s) address of an .onnx file, or a path relative to this page.',
      });
      return;
    }
    const name = fileNameOf(url);
    await runLoad(get, set, { kind: 'url', url: text }, name, urlBytes(url, name), { baseUrl: url.href });
  },

  reloadModel: async () => {
    const source = get().pendingSource ?? get().source;
    if (!source) return;
    if (source.kind === 'builtin') return get().loadBuiltin(source.id);
    if (source.kind === 'url') return get().loadUrl(source.url);
    const file = get().pendingSource ? pendingFile : lastFile;
    if (file) return get().loadFile(file.file, file.companions);
  },

  cancelLoad: () => {
    if (!loadController) return;
    loadController.abort();
    loadController = null;
    loadToken++;
    set({ status: get().summary ? 'ready' : 'idle', pendingSource: null, progress: null });
  },
});
