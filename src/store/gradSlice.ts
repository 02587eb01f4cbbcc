/**
 * Gradients in the unit view: the attribution map of one image (a top exemplar or the try-it
 * image) for the open unit or a class logit, and the open unit's feature visualisation with live
 * progress. The seed and the objective of the visualisation are part of the link (fvseed, fvobj),
 * so a link reproduces it.
 */
import type { BaselineKind } from '../engine/attribution/baselines';
import { DEFAULT_OBJECTIVE, DEFAULT_SAMPLES, DEFAULT_STEPS, isFeatureObjective, type FeatureObjective } from '../engine/featvis/settings';
import type { RawImage } from '../engine/types';
import { EngineError } from '../worker/client';
import type { AttributionMethod, AttributionResult, FeatureVisProgress, FeatureVisResult } from '../worker/gradHost';
import { forgetCrashedEngine, getEngine } from './engine';
import { noticeFromError } from './errorNotice';
import type { LabState, SliceCreator } from './types';

/** Which image is explained: the open unit's top exemplar of that rank (1-based), or the try-it image. */
export type AttributionImage = { kind: 'exemplar'; rank: number } | { kind: 'try' };

export interface AttributionSettings {
  method: AttributionMethod;
  baseline: BaselineKind;
  steps: number;
  /** The open unit's spatial sum, or this class's logit. */
  target: { kind: 'unit' } | { kind: 'logit'; index: number };
  image: AttributionImage;
}

export interface AttributionView {
  /** What it was computed for (see attributionKey). */
  key: string;
  image: RawImage;
  result: AttributionResult;
}

export type FeatureVisStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';

export interface FeatureVisSettings {
  samples: number;
  steps: number;
}

export interface GradSlice {
  attrSettings: AttributionSettings;
  attr: AttributionView | null;
  attrRunning: boolean;
  /** Integrated gradients: path steps done / total while running. */
  attrProgress: number | null;
  /** The seed from the link (null: none given; the visualisation then uses DEFAULT_FV_SEED). */
  fvSeed: number | null;
  /** What the visualisation maximises (default: the spatial max, the exemplar ranking score). */
  fvObjective: FeatureObjective;
  fvSettings: FeatureVisSettings;
  fvStatus: FeatureVisStatus;
  fvProgress: FeatureVisProgress | null;
  /** The last preview images (live progress). */
  fvPreview: RawImage[] | null;
  fvResult: FeatureVisResult | null;
  /** Brings the attribution in line with the settings and the open unit (no-op when it is). */
  syncAttribution: () => Promise<void>;
  setAttribution: (settings: Partial<AttributionSettings>) => void;
  setFvSeed: (seed: number | null) => void;
  setFvObjective: (objective: FeatureObjective) => void;
  setFvSettings: (settings: Partial<FeatureVisSettings>) => void;
  runFeatureVis: () => Promise<void>;
  cancelFeatureVis: () => void;
}

export const DEFAULT_FV_SEED = 0;

type Get = () => LabState;
type Set = (partial: Partial<LabState>) => void;

let attrToken = 0;
let fvController: AbortController | null = null;
let fvToken = 0;

/** The image the settings point at, or null when it is not there (yet). */
function attributionImage(s: LabState): RawImage | null {
  const which = s.attrSettings.image;
  if (which.kind === 'try') return s.exTry && s.exTry.layer === s.layer && s.exTry.unit === s.unit ? s.exTry.image : null;
  const ex = s.exUnit;
  if (!ex || ex.layer !== s.layer || ex.unit !== s.unit) return null;
  return ex.top[which.rank - 1]?.image ?? null;
}

/** Identifies an attribution: model, unit, image, method and target. */
export function attributionKey(s: LabState): string | null {
  if (!s.summary || !s.layer || s.unit === null) return null;
  const image = attributionImage(s);
  if (!image) return null;
  const a = s.attrSettings;
  const which = a.image.kind === 'try' ? `try:${s.exTry?.name}:${s.exTry?.ms}` : `top${a.image.rank}`;
  const method = a.method === 'grad-input' ? 'gi' : `ig:${a.baseline}:${a.steps}`;
  const target = a.target.kind === 'unit' ? 'unit' : `logit${a.target.index}`;
  return `${s.summary.sha256}|${s.layer}#${s.unit}|${which}|${method}|${target}`;
}

function notify(get: Get, err: unknown, action: string): void {
  const notice = noticeFromError(err, action);
  if (notice) get().pushNotice(notice);
}

async function computeAttribution(get: Get, set: Set): Promise<void> {
  const s = get();
  const key = attributionKey(s);
  if (key === null || s.attr?.key === key) return;
  const image = attributionImage(s)!;
  const a = s.attrSettings;
  const token = ++attrToken;
  set({ attrRunning: true, attrProgress: null });
  try {
    const { result } = await getEngine().request(
      {
        kind: 'attribution',
        image,
        target: a.target.kind === 'unit' ? { kind: 'unit', layer: s.layer!, unit: s.unit! } : { kind: 'logit', index: a.target.index },
        method: a.method,
        baseline: a.baseline,
        steps: a.steps,
      },
      { onProgress: (p) => token === attrToken && set({ attrProgress: p.fraction }) },
    );
    if (token !== attrToken) return;
    set({ attr: { key, image, result }, attrRunning: false, attrProgress: null });
  } catch (err) {
    forgetCrashedEngine(err);
    if (token !== attrToken) return;
    set({ attrRunning: false, attrProgress: null });
    notify(get, err, 'Computing the attribution map');
  }
}

export const createGradSlice: SliceCreator<GradSlice> = (set, get) => ({
  attrSettings: { method: 'grad-input', baseline: 'blur', steps: 32, target: { kind: 'unit' }, image: { kind: 'exemplar', rank: 1 } },
  attr: null,
  attrRunning: false,
  attrProgress: null,
  fvSeed: null,
  fvObjective: DEFAULT_OBJECTIVE,
  fvSettings: { samples: DEFAULT_SAMPLES, steps: DEFAULT_STEPS },
  fvStatus: 'idle',
  fvProgress: null,
  fvPreview: null,
  fvResult: null,

  syncAttribution: () => computeAttribution(get, set),
  setAttribution: (settings) => {
    set({ attrSettings: { ...get().attrSettings, ...settings } });
    void computeAttribution(get, set);
  },
  setFvSeed: (seed) => set({ fvSeed: seed === null || (Number.isSafeInteger(seed) && seed >= 0 && seed <= 2 ** 32 - 1) ? seed : get().fvSeed }),
  setFvObjective: (objective) => set({ fvObjective: isFeatureObjective(objective) ? objective : get().fvObjective }),
  setFvSettings: (settings) => set({ fvSettings: { ...get().fvSettings, ...settings } }),

  runFeatureVis: async () => {
    const { layer, unit, summary, fvSeed, fvObjective, fvSettings } = get();
    if (!summary || layer === null || unit === null) return;
    fvController?.abort();
    const controller = new AbortController();
    fvController = controller;
    const token = ++fvToken;
    const seed = fvSeed ?? DEFAULT_FV_SEED;
    set({ fvStatus: 'running', fvProgress: null, fvPreview: null, fvResult: null });
    try {
      const { result } = await getEngine().request(
        { kind: 'featureVis', layer, unit, seed, objective: fvObjective, samples: fvSettings.samples, steps: fvSettings.steps },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (token !== fvToken || !p.featvis) return;
            set(p.featvis.preview ? { fvProgress: p.featvis, fvPreview: p.featvis.preview } : { fvProgress: p.featvis });
          },
        },
      );
      if (token !== fvToken) return;
      fvController = null;
      set({ fvStatus: 'done', fvResult: result, fvPreview: null });
    } catch (err) {
      forgetCrashedEngine(err);
      if (token !== fvToken) return;
      fvController = null;
      if (err instanceof EngineError && err.code === 'cancelled') {
        set({ fvStatus: 'cancelled' });
        return;
      }
      set({ fvStatus: 'error' });
      notify(get, err, 'Visualising the unit');
    }
  },
  cancelFeatureVis: () => fvController?.abort(),
});
