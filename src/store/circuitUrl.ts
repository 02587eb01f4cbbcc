/**
 * The circuit keys of the link (read and written by ./url):
 *   concept=class:coat,texture:checks | all | text:red sneaker|blue bag on grass
 *   target=logit:4 | selective:5 | unit:<layer>:<unit>
 *   layers=<tensor>,<tensor>,…   k=5   method=cla|ablation   reduce=mean|max   seed=<uint32>
 *   examples=16 (discovery examples; as many held out)   random=20 (random baseline circuits)
 *   edits=<layer>#<unit>*<scale>;<layer>#<unit>><layer>#<unit>;…   (a scaled unit; a pruned edge)
 * Uploaded images cannot be in a link. Each key decodes on its own: a bad one falls back with a
 * problem string, the rest stay.
 */
import { FILTER_KEYS, FILTER_VALUES, type DatasetFilter, type FilterKey } from '../engine/data/datasets';
import type { CircuitEdit, CircuitMethod, CircuitReduce, CircuitTarget, ConceptSource, UnitRef } from '../engine/circuits/types';

/** What of a circuit a link holds; every field optional (absent: the default). */
export interface CircuitLink {
  concept?: Extract<ConceptSource, { kind: 'filter' | 'prompts' }>;
  target?: CircuitTarget;
  layers?: string[];
  k?: number;
  method?: CircuitMethod;
  reduce?: CircuitReduce;
  seed?: number;
  examples?: number;
  random?: number;
  edits?: CircuitEdit[];
}

export const CIRCUIT_URL_KEYS = ['concept', 'target', 'layers', 'k', 'method', 'reduce', 'seed', 'examples', 'random', 'edits'] as const;
export const MAX_LINK_EXAMPLES = 64;
export const MAX_LINK_RANDOM = 200;
export const MAX_CIRCUIT_K = 64;
export const MAX_CIRCUIT_LAYERS = 16;
export const MAX_LINK_PROMPTS = 64;
export const MAX_LINK_EDITS = 256;
export const MAX_CIRCUIT_SEED = 2 ** 32 - 1;
export const MAX_SELECTIVE = 64;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Characters the lists use as separators cannot be in the names they hold. */
const LAYER_RESERVED = /[,;#>*]/;

function nameOk(s: string): boolean {
  return s.length > 0 && s.length <= 2048 && !CONTROL.test(s) && !LONE_SURROGATE.test(s) && !LAYER_RESERVED.test(s);
}
const uint = (s: string): number | null => (/^\d{1,16}$/.test(s) ? Number(s) : null);
function finite(s: string): number | null {
  if (!/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function parseFilter(text: string): DatasetFilter | null {
  if (text === 'all') return {};
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const colon = part.indexOf(':');
    const key = part.slice(0, colon);
    const value = part.slice(colon + 1);
    if (colon < 0 || !(FILTER_KEYS as readonly string[]).includes(key) || key in out) return null;
    if (!(FILTER_VALUES[key as FilterKey] as readonly string[]).includes(value)) return null;
    out[key] = value;
  }
  return out as DatasetFilter;
}

function formatFilter(f: DatasetFilter): string {
  const parts = FILTER_KEYS.filter((k) => f[k] !== undefined).map((k) => `${k}:${f[k]}`);
  return parts.length ? parts.join(',') : 'all';
}

function promptOk(p: string): boolean {
  return p.trim().length > 0 && p.length <= 200 && !p.includes('|') && !CONTROL.test(p) && !LONE_SURROGATE.test(p);
}

function parseUnit(text: string): UnitRef | null {
  const hash = text.lastIndexOf('#');
  const layer = text.slice(0, hash);
  const unit = uint(text.slice(hash + 1));
  return hash > 0 && nameOk(layer) && unit !== null && Number.isSafeInteger(unit) ? { layer, unit } : null;
}

function parseEdit(text: string): CircuitEdit | null {
  const arrow = text.indexOf('>');
  if (arrow >= 0) {
    const from = parseUnit(text.slice(0, arrow));
    const to = parseUnit(text.slice(arrow + 1));
    return from && to ? { kind: 'edge', from, to } : null;
  }
  const star = text.lastIndexOf('*');
  const ref = parseUnit(text.slice(0, star));
  const scale = finite(text.slice(star + 1));
  return star > 0 && ref && scale !== null ? { kind: 'unit', layer: ref.layer, unit: ref.unit, scale } : null;
}

const formatEdit = (e: CircuitEdit): string =>
  e.kind === 'unit' ? `${e.layer}#${e.unit}*${e.scale}` : `${e.from.layer}#${e.from.unit}>${e.to.layer}#${e.to.unit}`;

function parseTarget(text: string): CircuitTarget | null {
  if (text.startsWith('logit:')) {
    const n = uint(text.slice(6));
    return n !== null && Number.isSafeInteger(n) ? { kind: 'logit', index: n } : null;
  }
  if (text.startsWith('selective:')) {
    const n = uint(text.slice(10));
    return n !== null && n >= 1 && n <= MAX_SELECTIVE ? { kind: 'selective', count: n } : null;
  }
  if (text.startsWith('unit:')) {
    const rest = text.slice(5);
    const colon = rest.lastIndexOf(':');
    const layer = rest.slice(0, colon);
    const unit = uint(rest.slice(colon + 1));
    return colon > 0 && nameOk(layer) && unit !== null && Number.isSafeInteger(unit) ? { kind: 'unit', layer, unit } : null;
  }
  return null;
}

function formatTarget(t: CircuitTarget): string {
  if (t.kind === 'logit') return `logit:${t.index}`;
  if (t.kind === 'selective') return `selective:${t.count}`;
  return `unit:${t.layer}:${t.unit}`;
}

const short = (v: string) => `“${v.length > 40 ? `${v.slice(0, 39)}…` : v.replace(CONTROL, '�')}”`;

/** Reads the circuit keys of a decoded query (values already %-decoded); undefined when none is there. */
export function decodeCircuitLink(values: ReadonlyMap<string, string>, problems: string[]): CircuitLink | undefined {
  const link: CircuitLink = {};
  let any = false;
  const get = (key: string) => {
    const v = values.get(key);
    return v === undefined || v === '' ? undefined : v;
  };
  /** A whole-number key in [min, max], or undefined (absent, or refused with a problem). */
  const wholeKey = (key: string, min: number, max: number, label: string): number | undefined => {
    const v = get(key);
    if (v === undefined) return undefined;
    const n = uint(v);
    if (n !== null && n >= min && n <= max) return n;
    problems.push(`${label} ${short(v)} is not a whole number from ${min} to ${max}`);
    return undefined;
  };
  const concept = get('concept');
  if (concept !== undefined) {
    if (concept.startsWith('text:')) {
      const prompts = concept.slice(5).split('|');
      if (prompts.length <= MAX_LINK_PROMPTS && prompts.every(promptOk)) link.concept = { kind: 'prompts', prompts };
      else problems.push(`circuit concept ${short(concept)}: prompts are 1 to ${MAX_LINK_PROMPTS} texts separated by |`);
    } else {
      const filter = parseFilter(concept);
      if (filter) link.concept = { kind: 'filter', filter };
      else problems.push(`circuit concept ${short(concept)} is not a filter such as class:coat,texture:checks (keys ${FILTER_KEYS.join(', ')}), all, or text:…`);
    }
  }
  const target = get('target');
  if (target !== undefined) {
    const t = parseTarget(target);
    if (t) link.target = t;
    else problems.push(`circuit target ${short(target)} is not logit:N, selective:N (1–${MAX_SELECTIVE}) or unit:LAYER:N`);
  }
  const layers = get('layers');
  if (layers !== undefined) {
    const list = layers.split(',');
    if (list.length <= MAX_CIRCUIT_LAYERS && list.every(nameOk) && new Set(list).size === list.length) link.layers = list;
    else problems.push(`circuit layers ${short(layers)}: 1 to ${MAX_CIRCUIT_LAYERS} distinct layer names separated by commas`);
  }
  const k = wholeKey('k', 1, MAX_CIRCUIT_K, 'circuit k');
  if (k !== undefined) link.k = k;
  const method = get('method');
  if (method !== undefined) {
    if (method === 'cla' || method === 'ablation') link.method = method;
    else problems.push(`unknown circuit method ${short(method)} (use cla or ablation)`);
  }
  const reduce = get('reduce');
  if (reduce !== undefined) {
    if (reduce === 'mean' || reduce === 'max') link.reduce = reduce;
    else problems.push(`unknown circuit reduce ${short(reduce)} (use mean or max)`);
  }
  const seed = wholeKey('seed', 0, MAX_CIRCUIT_SEED, 'circuit seed');
  if (seed !== undefined) link.seed = seed;
  const examples = wholeKey('examples', 1, MAX_LINK_EXAMPLES, 'circuit examples');
  if (examples !== undefined) link.examples = examples;
  const random = wholeKey('random', 0, MAX_LINK_RANDOM, 'circuit random');
  if (random !== undefined) link.random = random;
  const edits = get('edits');
  if (edits !== undefined) {
    const parsed = edits.split(';').map(parseEdit);
    if (parsed.length <= MAX_LINK_EDITS && parsed.every((e) => e !== null)) link.edits = parsed as CircuitEdit[];
    else problems.push(`circuit edits ${short(edits)}: a list of LAYER#UNIT*SCALE and LAYER#UNIT>LAYER#UNIT separated by ;`);
  }
  for (const key of CIRCUIT_URL_KEYS) if (link[key] !== undefined) any = true;
  return any ? link : undefined;
}

/** The circuit part's keys and raw values, in CIRCUIT_URL_KEYS order. */
function circuitLinkValues(link: CircuitLink): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (link.concept) out.push(['concept', link.concept.kind === 'filter' ? formatFilter(link.concept.filter) : `text:${link.concept.prompts.join('|')}`]);
  if (link.target) out.push(['target', formatTarget(link.target)]);
  if (link.layers) out.push(['layers', link.layers.join(',')]);
  if (link.k !== undefined) out.push(['k', String(link.k)]);
  if (link.method) out.push(['method', link.method]);
  if (link.reduce) out.push(['reduce', link.reduce]);
  if (link.seed !== undefined) out.push(['seed', String(link.seed)]);
  if (link.examples !== undefined) out.push(['examples', String(link.examples)]);
  if (link.random !== undefined) out.push(['random', String(link.random)]);
  if (link.edits) out.push(['edits', link.edits.map(formatEdit).join(';')]);
  return out;
}

/** The link's circuit part, `&key=value…` (values through `enc`). */
export function encodeCircuitLink(link: CircuitLink | undefined, enc: (v: string) => string): string {
  return link ? circuitLinkValues(link).map(([k, v]) => `&${k}=${enc(v)}`).join('') : '';
}

/** True when decodeCircuitLink can produce `link` (the round trip's domain). */
export function isValidCircuitLink(link: CircuitLink | undefined): boolean {
  if (link === undefined) return true;
  const values = circuitLinkValues(link);
  const problems: string[] = [];
  const back = decodeCircuitLink(new Map(values), problems);
  // Field by field in one key order, so that {prompts: ['a|b']} (read back as two) does not pass.
  const canonical = (l: CircuitLink) => JSON.stringify(CIRCUIT_URL_KEYS.map((k) => l[k] ?? null));
  return values.length > 0 && problems.length === 0 && back !== undefined && canonical(back) === canonical(link) &&
    Object.keys(link).every((k) => (CIRCUIT_URL_KEYS as readonly string[]).includes(k));
}
