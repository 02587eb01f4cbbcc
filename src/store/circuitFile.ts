/**
 * `lab.circuit/1` files: what Export writes and Open reads (the CLI's `--json` too). Reading checks
 * the shape the panel draws from (schema, model, spec, layers, nodes, edges) and says what is wrong.
 */
import type { Circuit } from '../engine/circuits/types';

/** Files larger than this are refused before parsing. */
export const MAX_CIRCUIT_FILE_CHARS = 32 * 1024 * 1024;

export type ParsedCircuit = { ok: true; circuit: Circuit } | { ok: false; problem: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUnit = (v: unknown): boolean => isObj(v) && typeof v.layer === 'string' && Number.isInteger(v.unit) && (v.unit as number) >= 0;

/** Why `v` is not a circuit the panel can draw, or null. */
function circuitProblem(v: unknown): string | null {
  if (!isObj(v)) return 'it is not a JSON object';
  if (v.schema !== 'lab.circuit/1') return `its schema is ${JSON.stringify(v.schema ?? null)?.slice(0, 40)}, not "lab.circuit/1"`;
  if (!isObj(v.model) || typeof v.model.name !== 'string' || typeof v.model.sha256 !== 'string') return 'it has no model {name, sha256}';
  const spec = v.spec;
  if (!isObj(spec) || !isObj(spec.concept) || !isObj(spec.target) || !Array.isArray(spec.layers) || !Number.isInteger(spec.k)) return 'its spec lacks concept, target, layers or k';
  if (!Array.isArray(v.layers) || !v.layers.every((l) => typeof l === 'string')) return 'its layers are not a list of tensor names';
  if (!isObj(v.target)) return 'it has no target';
  if (!Array.isArray(v.nodes) || !v.nodes.every((n) => isUnit(n) && typeof (n as { score: unknown }).score === 'number')) return 'its nodes are not [{layer, unit, score}]';
  if (!Array.isArray(v.edges)) return 'it has no edges';
  for (const e of v.edges) {
    if (!isObj(e) || !isUnit(e.from) || typeof e.weight !== 'number') return 'an edge is not {from: {layer, unit}, to, weight}';
    if (!(isUnit(e.to) || (isObj(e.to) && Number.isInteger(e.to.logit)))) return 'an edge goes neither to a unit nor to a logit';
  }
  return null;
}

export function parseCircuitFile(text: string, name: string): ParsedCircuit {
  if (text.length > MAX_CIRCUIT_FILE_CHARS) return { ok: false, problem: `${name} is too large for a circuit file` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: `${name} is not a circuit file: it is not JSON` };
  }
  const why = circuitProblem(value);
  return why ? { ok: false, problem: `${name} is not a circuit file: ${why}` } : { ok: true, circuit: value as Circuit };
}

/** The file Export writes: the circuit as JSON, indented. */
export function circuitFileText(circuit: Circuit): string {
  return `${JSON.stringify(circuit, null, 2)}\n`;
}
