/**
 * The URL codec: one versioned, typed mapping between the view and the location hash,
 *   #/<panel>?v=1&model=<builtin id or url>&layer=<tensor>&unit=<int>&backend=<auto|wasm|webgpu>
 *              &dataset=<builtin dataset id or manifest url>&dclass=<class>&dcolor=<colour>&dtexture=<texture>
 *              &dbg=<background kind>&dpage=<page, from 1>&fvseed=<feature-visualisation seed>
 *              &fvobj=<feature-visualisation objective: mean; absent: max>
 *              &upscaler=<built-in upscaler id>&upmode=<image|webcam>&upres=<webcam input, e.g. 640x360>
 *              &norm=<image datasets' mean/std override: m0,m1,m2;s0,s1,s2>
 *              &concept=…&target=…&layers=…&k=…&method=…&reduce=…&seed=…&edits=… (the circuit, see ./circuitUrl)
 *              &abackend=<agent backend: offline|openai|anthropic>&amodel=<agent model name>
 *              &aseed=<agent seed>&arounds=<agent round cap>   (never the agent's API key)
 *              &exp=<address of an experiment file (*.labexp.json) to open>&embed=1 (one card, no app chrome)
 * Values are encodeURIComponent'd. Unknown keys are ignored. Anything malformed or hostile falls
 * back to its default and is reported as a problem string; decoding never throws.
 */
import { DEFAULT_PANEL, isPanel, type PanelId } from './panels';
import { isBackendPreference, type BackendPreference } from './backendPreference';
import { checkModelUrl, MAX_URL_CHARS } from './modelUrl';
import { BUILTIN_UPSCALERS, WEBCAM_SIZES, type UpscaleMode, type WebcamSize } from './upscaleSlice';
import { FILTER_KEYS, FILTER_VALUES, findDataset, BUILTIN_DATASETS, type DatasetFilter, type FilterKey } from '../engine/data/datasets';
import { formatNormParam, isValidNorm, parseNormParam, type NormOverride } from './normOverride';
import { DEFAULT_OBJECTIVE, FEATURE_OBJECTIVES, isFeatureObjective, type FeatureObjective } from '../engine/featvis/settings';
import { CIRCUIT_URL_KEYS, decodeCircuitLink, encodeCircuitLink, isValidCircuitLink, type CircuitLink } from './circuitUrl';
import type { BackendKind } from '../engine/agent/types';
import { BACKEND_KINDS, DEFAULT_AGENT_ROUNDS, MAX_AGENT_ROUNDS, MAX_AGENT_SEED, isBackendKind } from './agentSettings';

export const URL_VERSION = 1;
/** Longest value accepted for any key. */
export const MAX_VALUE_CHARS = MAX_URL_CHARS;
/** Longest hash looked at at all (room for two maximal values, fully %-encoded). */
export const MAX_HASH_CHARS = 64 * 1024;

export interface UrlState {
  panel: PanelId;
  /** A built-in model id, or an http(s)/relative address; null: not given (the default model). */
  model: string | null;
  layer: string | null;
  /** Only meaningful with a layer; always null when layer is null. */
  unit: number | null;
  backend: BackendPreference;
  /** A built-in dataset id; null: not given (the default dataset). */
  dataset: string | null;
  /** Dataset filters; a missing key means "any". */
  filter: DatasetFilter;
  /** Page of the dataset gallery, from 0 (written 1-based as dpage). */
  datasetPage: number;
  /** Seed of the open unit's feature visualisation (a link reproduces it); null: not given. */
  fvSeed: number | null;
  /** The feature-visualisation objective when not the default (optional, so older states stay valid). */
  fvObjective?: Exclude<FeatureObjective, typeof DEFAULT_OBJECTIVE>;
  /** The Upscale panel's built-in upscaler; null: the default (a user's .onnx cannot be linked). */
  upscaler: string | null;
  upMode: UpscaleMode;
  /** The webcam input size. */
  upRes: WebcamSize;
  /** Image datasets' mean/std override; absent: the model's (optional, so older states stay valid). */
  norm?: NormOverride;
  /** The Circuits panel's circuit and edits; absent: none given (optional, so older states stay valid). */
  circuit?: CircuitLink;
  /** The agent's backend kind, model name, seed and round cap when not the defaults (optional, so older states stay valid). */
  agentBackend?: Exclude<BackendKind, 'offline'>;
  agentModel?: string;
  agentSeed?: number;
  agentRounds?: number;
  /** An experiment file to open (http(s) or relative, checked like model addresses); absent: none. */
  exp?: string;
  /** Embed mode: the panel's one card without the app's chrome (optional, so older states stay valid). */
  embed?: true;
}

export const DEFAULT_URL_STATE: Readonly<UrlState> = Object.freeze({
  panel: DEFAULT_PANEL,
  model: null,
  layer: null,
  unit: null,
  backend: 'auto',
  dataset: null,
  filter: Object.freeze({}),
  datasetPage: 0,
  fvSeed: null,
  upscaler: null,
  upMode: 'image',
  upRes: WEBCAM_SIZES[0],
});

/** The hash key of each dataset filter. */
export const FILTER_URL_KEYS: Readonly<Record<FilterKey, string>> = { class: 'dclass', color: 'dcolor', texture: 'dtexture', background: 'dbg' };
/** The largest page number a link may name (far beyond any built-in dataset). */
export const MAX_DATASET_PAGE = 1_000_000;
/** Feature-visualisation seeds are 32-bit: 0 … MAX_FV_SEED. */
export const MAX_FV_SEED = 2 ** 32 - 1;

const KEYS = ['v', 'model', 'layer', 'unit', 'backend', 'dataset', ...Object.values(FILTER_URL_KEYS), 'dpage', 'fvseed', 'fvobj', 'upscaler', 'upmode', 'upres', 'norm', ...CIRCUIT_URL_KEYS, 'abackend', 'amodel', 'aseed', 'arounds', 'exp', 'embed'];

function isFilterValue(key: FilterKey, value: unknown): boolean {
  return typeof value === 'string' && (FILTER_VALUES[key] as readonly string[]).includes(value);
}

export interface DecodeResult {
  state: UrlState;
  problems: string[];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A value shown inside a problem message: short, printable. */
function show(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '�').replace(LONE_SURROGATE, '�');
  return `“${clean.length > 40 ? `${clean.slice(0, 39)}…` : clean}”`;
}

function decodePart(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** Why a string cannot be a layer name, or null when it can. */
function layerProblem(value: string): string | null {
  if (value.length === 0) return 'is empty';
  if (value.length > MAX_VALUE_CHARS) return `is longer than ${MAX_VALUE_CHARS} characters`;
  if (CONTROL.test(value)) return 'contains control characters';
  if (LONE_SURROGATE.test(value)) return 'contains broken unicode';
  return null;
}

/**
 * Why a dataset value is neither a built-in id nor a manifest address ('unknown' when it looks
 * like neither), or null. A manifest is an
 * http(s) address or a relative path ending in .json, checked like model addresses (modelUrl.ts).
 * A local folder has no address: it cannot be in a link.
 */
export function datasetProblem(value: string): string | null {
  if (findDataset(value)) return null;
  if (LONE_SURROGATE.test(value)) return 'contains broken unicode';
  const looksLikeManifest = /^https?:\/\//i.test(value) || /\.json$/i.test(value.split(/[?#]/)[0]);
  if (!looksLikeManifest) return 'unknown';
  const check = checkModelUrl(value);
  return check.ok ? null : check.reason;
}

function modelProblem(value: string): string | null {
  if (LONE_SURROGATE.test(value)) return 'contains broken unicode';
  const check = checkModelUrl(value);
  return check.ok ? null : check.reason;
}

export function decodeHash(hash: unknown): DecodeResult {
  const state: UrlState = { ...DEFAULT_URL_STATE, filter: {} };
  const problems: string[] = [];
  if (typeof hash !== 'string') return { state, problems };
  let text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text.length === 0) return { state, problems };
  if (text.length > MAX_HASH_CHARS) {
    problems.push(`the link is longer than ${MAX_HASH_CHARS} characters, so it was ignored`);
    return { state, problems };
  }
  if (text.startsWith('/')) text = text.slice(1);
  const q = text.indexOf('?');
  const rawPath = q < 0 ? text : text.slice(0, q);
  const query = q < 0 ? '' : text.slice(q + 1);

  const path = rawPath.replace(/\/+$/, '');
  if (path.length > 0) {
    const panel = decodePart(path);
    if (panel !== null && isPanel(panel)) state.panel = panel;
    else problems.push(`unknown panel ${show(panel ?? path)}`);
  }

  const values = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const key = decodePart(eq < 0 ? pair : pair.slice(0, eq));
    if (key === null) {
      problems.push(`a part with broken %-encoding (${show(pair)}) was ignored`);
      continue;
    }
    if (!KEYS.includes(key)) continue;
    const value = decodePart(eq < 0 ? '' : pair.slice(eq + 1));
    if (value === null) {
      problems.push(`${key} has broken %-encoding`);
      continue;
    }
    values.set(key, value);
  }

  const version = values.get('v');
  if (version !== undefined && version !== String(URL_VERSION)) {
    problems.push(`link version ${show(version)} is not supported (this lab reads v=${URL_VERSION}); its settings were ignored`);
    return { state, problems };
  }

  const model = values.get('model');
  if (model !== undefined && model !== '') {
    const why = modelProblem(model);
    if (why === null) state.model = model;
    else problems.push(`model ${show(model)}: ${why}`);
  }

  const layer = values.get('layer');
  if (layer !== undefined && layer !== '') {
    const why = layerProblem(layer);
    if (why === null) state.layer = layer;
    else problems.push(`layer ${show(layer)} ${why}`);
  }

  const unit = values.get('unit');
  if (unit !== undefined && unit !== '') {
    const n = /^\d+$/.test(unit) ? Number(unit) : NaN;
    if (!Number.isSafeInteger(n)) problems.push(`unit ${show(unit)} is not a whole number ≥ 0`);
    else if (state.layer === null) problems.push(`unit ${n} was given without a layer`);
    else state.unit = n;
  }

  const backend = values.get('backend');
  if (backend !== undefined && backend !== '') {
    if (isBackendPreference(backend)) state.backend = backend;
    else problems.push(`unknown backend ${show(backend)} (use auto, wasm or webgpu)`);
  }

  const dataset = values.get('dataset');
  if (dataset !== undefined && dataset !== '') {
    const why = datasetProblem(dataset);
    if (why === null) state.dataset = dataset;
    else if (why === 'unknown') problems.push(`unknown dataset ${show(dataset)} (use ${BUILTIN_DATASETS.map((d) => d.id).join(', ')}, or a manifest address: http(s) or a path ending in .json)`);
    else problems.push(`dataset ${show(dataset)}: ${why}`);
  }

  const filter: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = values.get(FILTER_URL_KEYS[key]);
    if (value === undefined || value === '') continue;
    if (isFilterValue(key, value)) filter[key] = value;
    else problems.push(`unknown dataset ${key} ${show(value)} (use ${FILTER_VALUES[key].join(', ')})`);
  }
  state.filter = filter as DatasetFilter;

  const page = values.get('dpage');
  if (page !== undefined && page !== '') {
    const n = /^\d+$/.test(page) ? Number(page) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_DATASET_PAGE) problems.push(`dataset page ${show(page)} is not a whole number from 1 to ${MAX_DATASET_PAGE}`);
    else state.datasetPage = n - 1;
  }

  const fvseed = values.get('fvseed');
  if (fvseed !== undefined && fvseed !== '') {
    const n = /^\d+$/.test(fvseed) ? Number(fvseed) : NaN;
    if (!Number.isSafeInteger(n) || n > MAX_FV_SEED) problems.push(`feature-visualisation seed ${show(fvseed)} is not a whole number from 0 to ${MAX_FV_SEED}`);
    else state.fvSeed = n;
  }
  const fvobj = values.get('fvobj');
  if (fvobj !== undefined && fvobj !== '') {
    if (!isFeatureObjective(fvobj)) problems.push(`unknown feature-visualisation objective ${show(fvobj)} (use ${FEATURE_OBJECTIVES.join(' or ')})`);
    else if (fvobj !== DEFAULT_OBJECTIVE) state.fvObjective = fvobj;
  }

  const upscaler = values.get('upscaler');
  if (upscaler !== undefined && upscaler !== '') {
    if (BUILTIN_UPSCALERS.some((u) => u.id === upscaler)) state.upscaler = upscaler;
    else problems.push(`unknown upscaler ${show(upscaler)} (use ${BUILTIN_UPSCALERS.map((u) => u.id).join(', ')})`);
  }
  const upmode = values.get('upmode');
  if (upmode !== undefined && upmode !== '') {
    if (upmode === 'image' || upmode === 'webcam') state.upMode = upmode;
    else problems.push(`unknown upscale mode ${show(upmode)} (use image or webcam)`);
  }
  const upres = values.get('upres');
  if (upres !== undefined && upres !== '') {
    if ((WEBCAM_SIZES as readonly string[]).includes(upres)) state.upRes = upres as WebcamSize;
    else problems.push(`unknown webcam size ${show(upres)} (use ${WEBCAM_SIZES.join(', ')})`);
  }
  const norm = values.get('norm');
  if (norm !== undefined && norm !== '') {
    const parsed = parseNormParam(norm);
    if (parsed.ok) state.norm = parsed.norm;
    else problems.push(`mean/std override ${show(norm)}: ${parsed.problem}`);
  }
  const circuit = decodeCircuitLink(values, problems);
  if (circuit) state.circuit = circuit;

  decodeAgent(values, state, problems);
  const exp = values.get('exp');
  if (exp !== undefined && exp !== '') {
    const why = modelProblem(exp);
    if (why === null) state.exp = exp;
    else problems.push(`experiment file ${show(exp)}: ${why}`);
  }
  const embed = values.get('embed');
  if (embed !== undefined && embed !== '') {
    if (embed === '1') state.embed = true;
    else problems.push(`embed ${show(embed)} is not 1`);
  }

  return { state, problems };
}

/** Why a string cannot be an agent model name, or null. */
function agentModelProblem(value: string): string | null {
  if (value.length > 200) return 'is longer than 200 characters';
  if (CONTROL.test(value)) return 'contains control characters';
  if (LONE_SURROGATE.test(value)) return 'contains broken unicode';
  return null;
}

function decodeAgent(values: Map<string, string>, state: UrlState, problems: string[]): void {
  const kind = values.get('abackend');
  if (kind !== undefined && kind !== '') {
    if (!isBackendKind(kind)) problems.push(`unknown agent backend ${show(kind)} (use ${BACKEND_KINDS.join(', ')})`);
    else if (kind !== 'offline') state.agentBackend = kind;
  }
  const model = values.get('amodel');
  if (model !== undefined && model !== '') {
    const why = agentModelProblem(model);
    if (why === null) state.agentModel = model;
    else problems.push(`agent model ${show(model)} ${why}`);
  }
  const seed = values.get('aseed');
  if (seed !== undefined && seed !== '') {
    const n = /^\d+$/.test(seed) ? Number(seed) : NaN;
    if (!Number.isSafeInteger(n) || n > MAX_AGENT_SEED) problems.push(`agent seed ${show(seed)} is not a whole number from 0 to ${MAX_AGENT_SEED}`);
    else if (n !== 0) state.agentSeed = n;
  }
  const rounds = values.get('arounds');
  if (rounds !== undefined && rounds !== '') {
    const n = /^\d+$/.test(rounds) ? Number(rounds) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_AGENT_ROUNDS) problems.push(`agent rounds ${show(rounds)} is not a whole number from 1 to ${MAX_AGENT_ROUNDS}`);
    else if (n !== DEFAULT_AGENT_ROUNDS) state.agentRounds = n;
  }
}

/** encodeURIComponent that cannot throw (lone surrogates become U+FFFD; valid states have none). */
function enc(value: string): string {
  return encodeURIComponent(value.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD'));
}

export function encodeHash(state: UrlState): string {
  let out = `#/${state.panel}?v=${URL_VERSION}`;
  if (state.model !== null) out += `&model=${enc(state.model)}`;
  if (state.layer !== null) {
    out += `&layer=${enc(state.layer)}`;
    if (state.unit !== null) out += `&unit=${state.unit}`;
  }
  if (state.backend !== DEFAULT_URL_STATE.backend) out += `&backend=${state.backend}`;
  if (state.dataset !== null) out += `&dataset=${enc(state.dataset)}`;
  for (const key of FILTER_KEYS) {
    const value = state.filter[key];
    if (value !== undefined) out += `&${FILTER_URL_KEYS[key]}=${enc(value)}`;
  }
  if (state.datasetPage > 0) out += `&dpage=${state.datasetPage + 1}`;
  if (state.fvSeed !== null) out += `&fvseed=${state.fvSeed}`;
  if (state.fvObjective !== undefined) out += `&fvobj=${state.fvObjective}`;
  if (state.upscaler !== null) out += `&upscaler=${enc(state.upscaler)}`;
  if (state.upMode !== DEFAULT_URL_STATE.upMode) out += `&upmode=${state.upMode}`;
  if (state.upRes !== DEFAULT_URL_STATE.upRes) out += `&upres=${state.upRes}`;
  // Digits, '.', 'e', '+', '-', ',' and ';' only: readable as it is.
  if (state.norm) out += `&norm=${formatNormParam(state.norm)}`;
  out += encodeCircuitLink(state.circuit, enc);
  if (state.agentBackend !== undefined) out += `&abackend=${state.agentBackend}`;
  if (state.agentModel !== undefined) out += `&amodel=${enc(state.agentModel)}`;
  if (state.agentSeed !== undefined) out += `&aseed=${state.agentSeed}`;
  if (state.agentRounds !== undefined) out += `&arounds=${state.agentRounds}`;
  if (state.exp !== undefined) out += `&exp=${enc(state.exp)}`;
  if (state.embed) out += '&embed=1';
  return out;
}

/** True when `state` is something decodeHash can produce (the domain of the round trip). */
export function isValidUrlState(state: UrlState): boolean {
  return (
    isPanel(state.panel) &&
    isBackendPreference(state.backend) &&
    (state.model === null || (state.model !== '' && modelProblem(state.model) === null)) &&
    (state.layer === null || layerProblem(state.layer) === null) &&
    (state.unit === null || (state.layer !== null && Number.isSafeInteger(state.unit) && state.unit >= 0)) &&
    (state.dataset === null || (state.dataset !== '' && datasetProblem(state.dataset) === null)) &&
    isValidFilter(state.filter) &&
    Number.isSafeInteger(state.datasetPage) &&
    state.datasetPage >= 0 &&
    state.datasetPage < MAX_DATASET_PAGE &&
    (state.fvSeed === null || (Number.isSafeInteger(state.fvSeed) && state.fvSeed >= 0 && state.fvSeed <= MAX_FV_SEED)) &&
    (state.fvObjective === undefined || (isFeatureObjective(state.fvObjective) && (state.fvObjective as string) !== DEFAULT_OBJECTIVE)) &&
    (state.upscaler === null || BUILTIN_UPSCALERS.some((u) => u.id === state.upscaler)) &&
    (state.upMode === 'image' || state.upMode === 'webcam') &&
    (WEBCAM_SIZES as readonly string[]).includes(state.upRes) &&
    (state.norm === undefined || isValidNorm(state.norm)) &&
    isValidCircuitLink(state.circuit) &&
    (state.agentBackend === undefined || state.agentBackend === 'openai' || state.agentBackend === 'anthropic') &&
    (state.agentModel === undefined || (state.agentModel !== '' && agentModelProblem(state.agentModel) === null)) &&
    (state.agentSeed === undefined || (Number.isSafeInteger(state.agentSeed) && state.agentSeed > 0 && state.agentSeed <= MAX_AGENT_SEED)) &&
    (state.agentRounds === undefined || (Number.isSafeInteger(state.agentRounds) && state.agentRounds >= 1 && state.agentRounds <= MAX_AGENT_ROUNDS && state.agentRounds !== DEFAULT_AGENT_ROUNDS)) &&
    (state.exp === undefined || (state.exp !== '' && modelProblem(state.exp) === null)) &&
    (state.embed === undefined || state.embed === true)
  );
}

function isValidFilter(filter: unknown): boolean {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return false;
  return Object.entries(filter).every(
    ([key, value]) => value === undefined || ((FILTER_KEYS as readonly string[]).includes(key) && isFilterValue(key as FilterKey, value)),
  );
}
