/**
 * The Upscale panel's state: which upscaler is open (a built-in or a user .onnx, in a session of
 * its own beside the loaded model), the image given (an LR input, optionally with its HR ground
 * truth, or an HR image alone), the result with bicubic and metrics, progress and cancel, and the
 * webcam settings. Webcam frames go straight through `upscaleFrame` (too hot for the store).
 */
import type { RawImage } from '../engine/types';
import type { UpscalerInfo } from '../engine/upscale/upscaler';
import { DEFAULT_TILE } from '../engine/upscale/tiles';
import { EngineError, type EngineClient } from '../worker/client';
import { MAX_MODEL_BYTES, type EngineResponseBody, type UpscaleResult } from '../worker/protocol';
import { planBackends } from './backendPreference';
import { ensureConfigured, forgetCrashedEngine, getEngine } from './engine';
import { noticeFromError } from './errorNotice';
import { fetchModel, tooLargeProblem } from './fetchModel';
import { LoadProblem } from './loadProblem';
import type { FileLike } from './modelSlice';
import { pageBase } from './modelSource';
import type { LabState, SliceCreator } from './types';

export interface BuiltinUpscaler {
  id: string;
  title: string;
  url: string;
}

/** The upscalers that may ship in models/ (the panel lists those the server has). */
export const BUILTIN_UPSCALERS: readonly BuiltinUpscaler[] = [
  { id: 'fredsr', title: 'FREDSR (GAN)', url: 'models/fredsr.onnx' },
  { id: 'fredsr-l1', title: 'FREDSR, L1 only', url: 'models/fredsr-l1.onnx' },
  { id: 'fredsr-l1fft', title: 'FREDSR, L1 + FFT', url: 'models/fredsr-l1fft.onnx' },
  { id: 'espcn', title: 'ESPCN (baseline)', url: 'models/espcn.onnx' },
];
export const DEFAULT_UPSCALER_ID = 'fredsr';

/** Webcam input sizes (16:9); the output is 3× each. */
export const WEBCAM_SIZES = ['320x180', '480x270', '640x360'] as const;
export type WebcamSize = (typeof WEBCAM_SIZES)[number];
export const TILE_SIZES = [0, 64, 128, 192, 256] as const;

export type UpscaleMode = 'image' | 'webcam';
export type UpscalerStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What the researcher gave: an LR image (with an optional ground truth), or an HR image alone. */
export interface UpscaleInput {
  name: string;
  role: 'lr' | 'hr';
  image: RawImage;
  truth: { name: string; image: RawImage } | null;
}

export interface UpscaleSlice {
  /** Ids of the built-in upscalers the server has; null until checked. */
  upAvailable: string[] | null;
  /** A built-in id, or `file:<name>` for a user .onnx. */
  upChoice: string;
  upStatus: UpscalerStatus;
  upInfo: UpscalerInfo | null;
  upError: string | null;
  upInput: UpscaleInput | null;
  upResult: UpscaleResult | null;
  upRunning: boolean;
  /** Tiles done / in all while running. */
  upProgress: { done: number; total: number } | null;
  upTile: number;
  upMode: UpscaleMode;
  upWebcamSize: WebcamSize;
  /** Webcam frames stay on the GPU when the upscaler runs on WebGPU (off: the CPU copy, e.g. to compare). */
  upGpuFrames: boolean;
  /** Checks which built-ins exist and opens the chosen upscaler when it is not open in the current engine. */
  ensureUpscaler: () => Promise<boolean>;
  selectUpscaler: (id: string) => Promise<void>;
  openUpscalerFile: (file: FileLike) => Promise<void>;
  /** Sets the image (clears the ground truth) and upscales it. */
  setUpscaleInput: (image: RawImage, name: string, role: 'lr' | 'hr') => Promise<void>;
  /** Pairs the LR input with its HR ground truth (null removes it) and upscales again. */
  setUpscaleTruth: (image: RawImage | null, name?: string) => Promise<void>;
  runUpscale: () => Promise<void>;
  cancelUpscale: () => void;
  setUpscaleTile: (tile: number) => void;
  setUpscaleMode: (mode: UpscaleMode) => void;
  setWebcamSize: (size: WebcamSize) => void;
  /** From a link: the mode, the webcam size, and the built-in upscaler (null: the default). */
  applyUpscaleView: (view: { upscaler: string | null; mode: UpscaleMode; size: WebcamSize }) => void;
  setGpuFrames: (on: boolean) => void;
  /** One webcam frame through the open upscaler (the ImageBitmap and `reuse` move to the worker). */
  upscaleFrame: (frame: ImageBitmap, reuse?: Uint8ClampedArray) => Promise<FrameResult>;
  /** Moves a canvas to the worker for GPU-resident frames (null detaches); says which path frames take. */
  attachFrameCanvas: (canvas: OffscreenCanvas | null) => Promise<{ path: 'gpu' | 'cpu'; reason: string | null }>;
}

/** A webcam frame's result: RGBA to draw (the CPU copy), or already drawn on the attached canvas. */
export type FrameResult = Extract<EngineResponseBody, { kind: 'upscaleFrame' }>;

type Get = () => LabState;
type Set = (partial: Partial<LabState>) => void;

/** The engine the upscaler was opened in (a backend switch replaces the worker), and what it was. */
let openedIn: { engine: EngineClient; choice: string } | null = null;
let opening: Promise<boolean> | null = null;
let openToken = 0;
/** The user's .onnx behind a `file:` choice, kept so a new engine can open it again. */
let userFile: FileLike | null = null;
let runToken = 0;
let runController: AbortController | null = null;

/** Whether the server has `url` (a single-page server answers a missing file with HTML). */
async function exists(url: string): Promise<boolean> {
  try {
    const res = await fetch(new URL(url, pageBase()), { method: 'HEAD' });
    return res.ok && !/text\/html/i.test(res.headers.get('content-type') ?? '');
  } catch {
    return false;
  }
}

async function readChoice(choice: string): Promise<{ name: string; bytes: Uint8Array }> {
  if (choice.startsWith('file:')) {
    if (!userFile) throw new Error('The upscaler file is no longer available: open it again.');
    if (userFile.size > MAX_MODEL_BYTES) throw tooLargeProblem(`“${userFile.name}”`, userFile.size, MAX_MODEL_BYTES);
    return { name: userFile.name, bytes: new Uint8Array(await userFile.arrayBuffer()) };
  }
  const builtin = BUILTIN_UPSCALERS.find((b) => b.id === choice);
  if (!builtin) throw new Error(`There is no built-in upscaler “${choice}”.`);
  const url = new URL(builtin.url, pageBase());
  return { name: builtin.url.split('/').pop()!, bytes: await fetchModel(url, { maxBytes: MAX_MODEL_BYTES }) };
}

async function open(get: Get, set: Set, choice: string): Promise<boolean> {
  const token = ++openToken;
  const stale = () => token !== openToken;
  set({ upChoice: choice, upStatus: 'loading', upError: null });
  try {
    // The worker must know the backends before its first session (onnxruntime fixes its build then).
    const plan = await planBackends(get().backendPreference);
    await ensureConfigured(plan.prefer);
    const { name, bytes } = await readChoice(choice);
    if (stale()) return false;
    const engine = getEngine();
    const { info } = await engine.request({ kind: 'openUpscaler', name, bytes });
    if (stale()) return false;
    openedIn = { engine, choice };
    set({ upStatus: 'ready', upInfo: info, upError: null });
    return true;
  } catch (err) {
    forgetCrashedEngine(err);
    if (stale()) return false;
    const action = `Opening the upscaler ${choice.replace(/^file:/, '')}`;
    const found = noticeFromError(err, action);
    // A download problem's notice does not say what was being downloaded.
    const notice =
      err instanceof LoadProblem && found
        ? { ...found, title: `${action} failed: ${found.title}` }
        : (found ?? { level: 'error' as const, title: `${action} failed: ${err instanceof Error ? err.message : String(err)}` });
    get().pushNotice(notice);
    // The upscaler open before (if any, in this engine) stays usable.
    const kept = openedIn !== null && openedIn.engine === getEngine();
    set({ upStatus: kept ? 'ready' : 'error', upError: notice.title, ...(kept ? { upChoice: openedIn!.choice } : { upInfo: null }) });
    return false;
  }
}

function isOpen(get: Get): boolean {
  return openedIn !== null && openedIn.engine === getEngine() && openedIn.choice === get().upChoice && get().upStatus === 'ready';
}

export const createUpscaleSlice: SliceCreator<UpscaleSlice> = (set, get) => ({
  upAvailable: null,
  upChoice: DEFAULT_UPSCALER_ID,
  upStatus: 'idle',
  upInfo: null,
  upError: null,
  upInput: null,
  upResult: null,
  upRunning: false,
  upProgress: null,
  upTile: DEFAULT_TILE,
  upMode: 'image',
  upWebcamSize: '320x180',
  upGpuFrames: true,

  ensureUpscaler: async () => {
    if (isOpen(get)) return true;
    if (opening) return opening;
    opening = (async () => {
      if (get().upAvailable === null) {
        const found = await Promise.all(BUILTIN_UPSCALERS.map((b) => exists(b.url)));
        set({ upAvailable: BUILTIN_UPSCALERS.filter((_, i) => found[i]).map((b) => b.id) });
      }
      let choice = get().upChoice;
      const available = get().upAvailable ?? [];
      if (!choice.startsWith('file:') && !available.includes(choice)) {
        if (available.length === 0) {
          set({ upStatus: 'error', upError: 'No built-in upscaler is on this server (models/fredsr.onnx is missing): open an .onnx upscaler.' });
          return false;
        }
        choice = available[0];
      }
      return open(get, set, choice);
    })().finally(() => {
      opening = null;
    });
    return opening;
  },

  selectUpscaler: async (id) => {
    if (id === get().upChoice && isOpen(get)) return;
    if (await open(get, set, id)) await get().runUpscale();
  },

  openUpscalerFile: async (file) => {
    userFile = file;
    if (await open(get, set, `file:${file.name}`)) await get().runUpscale();
  },

  setUpscaleInput: async (image, name, role) => {
    set({ upInput: { name, role, image, truth: null }, upResult: null });
    await get().runUpscale();
  },

  setUpscaleTruth: async (image, name = 'ground truth') => {
    const input = get().upInput;
    if (!input) return;
    set({ upInput: { ...input, role: 'lr', truth: image ? { name, image } : null } });
    await get().runUpscale();
  },

  runUpscale: async () => {
    const input = get().upInput;
    if (!input) return;
    runController?.abort();
    const controller = new AbortController();
    runController = controller;
    const token = ++runToken;
    const stale = () => token !== runToken;
    set({ upRunning: true, upProgress: null });
    try {
      if (!(await get().ensureUpscaler()) || stale()) {
        if (!stale()) set({ upRunning: false });
        return;
      }
      const source =
        input.role === 'hr' ? { kind: 'hr' as const, image: input.image } : { kind: 'lr' as const, image: input.image, truth: input.truth?.image ?? null };
      const { result } = await getEngine().request(
        { kind: 'upscale', source, tile: get().upTile },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (!stale() && p.tiles) set({ upProgress: p.tiles });
          },
        },
      );
      if (stale()) return;
      runController = null;
      set({ upResult: result, upRunning: false, upProgress: null });
    } catch (err) {
      forgetCrashedEngine(err);
      if (stale()) return;
      runController = null;
      set({ upRunning: false, upProgress: null });
      // The generic 'too-large' guidance is about model files; here it is the image.
      const notice =
        err instanceof EngineError && err.code === 'too-large'
          ? { level: 'error' as const, title: 'This image is too large to upscale in a tab', detail: err.message, hint: 'Crop it, or run `npx lab upscale IN.png OUT.png`, which tiles any size.' }
          : noticeFromError(err, 'Upscaling');
      if (notice) get().pushNotice(notice);
    }
  },

  cancelUpscale: () => {
    runController?.abort();
  },

  setUpscaleTile: (tile) => set({ upTile: tile }),
  setUpscaleMode: (mode) => set({ upMode: mode }),
  setWebcamSize: (size) => set({ upWebcamSize: size }),
  setGpuFrames: (on) => set({ upGpuFrames: on }),
  applyUpscaleView: ({ upscaler, mode, size }) => {
    set({ upMode: mode, upWebcamSize: size });
    const { upChoice, upStatus } = get();
    // A link cannot hold a user's file: no upscaler in the link keeps the file open.
    if (upscaler === null && upChoice.startsWith('file:')) return;
    const wanted = upscaler ?? DEFAULT_UPSCALER_ID;
    if (wanted === upChoice) return;
    const available = get().upAvailable;
    if (available && !available.includes(wanted)) {
      get().pushNotice({ level: 'warning', title: `The upscaler “${wanted}” is not on this server`, hint: `${upChoice.replace(/^file:/, '')} stays open.` });
      return;
    }
    // Not opened yet: the panel opens the choice when it shows.
    if (upStatus === 'idle') set({ upChoice: wanted });
    else void get().selectUpscaler(wanted);
  },

  upscaleFrame: async (frame, reuse) => {
    if (!isOpen(get)) {
      frame.close();
      throw new Error('The upscaler is not open.');
    }
    return getEngine().request({ kind: 'upscaleFrame', frame, reuse });
  },

  attachFrameCanvas: async (canvas) => {
    if (!isOpen(get)) return { path: 'cpu', reason: canvas ? 'the upscaler is not open' : null };
    const { path, reason } = await getEngine().request({ kind: 'attachFrameCanvas', canvas });
    return { path, reason };
  },
});
