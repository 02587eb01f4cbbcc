/**
 * The URL codec: one versioned, typed mapping between the view and the location hash,
 *   #/<panel>?v=1&model=<builtin id or url>&layer=<tensor>&unit=<int>&backend=<auto|wasm|webgpu>
 * Values are encodeURIComponent'd. Unknown keys are ignored. Anything malformed or hostile falls
 * back to its default and is reported as a problem string; decoding never throws.
 */
import { DEFAULT_PANEL, isPanel, type PanelId } from './panels';
import { isBackendPreference, type BackendPreference } from './backendPreference';
import { checkModelUrl, MAX_URL_CHARS } from './modelUrl';

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
}

export const DEFAULT_URL_STATE: Readonly<UrlState> = Object.freeze({
  panel: DEFAULT_PANEL,
  model: null,
  layer: null,
  unit: null,
  backend: 'auto',
});

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

function modelProblem(value: string): string | null {
  if (LONE_SURROGATE.test(value)) return 'contains broken unicode';
  const check = checkModelUrl(value);
  return check.ok ? null : check.reason;
}

export function decodeHash(hash: unknown): DecodeResult {
  const state: UrlState = { ...DEFAULT_URL_STATE };
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
    if (!['v', 'model', 'layer', 'unit', 'backend'].includes(key)) continue;
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

  return { state, problems };
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
  return out;
}

/** True when `state` is something decodeHash can produce (the domain of the round trip). */
export function isValidUrlState(state: UrlState): boolean {
  return (
    isPanel(state.panel) &&
    isBackendPreference(state.backend) &&
    (state.model === null || (state.model !== '' && modelProblem(state.model) === null)) &&
    (state.layer === null || layerProblem(state.layer) === null) &&
    (state.unit === null || (state.layer !== null && Number.isSafeInteger(state.unit) && state.unit >= 0))
  );
}
