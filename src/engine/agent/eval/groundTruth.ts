/**
 * Ground truth of synthetic units: the formulas a model ships in its `lab.syntheticUnits`
 * metadata (written by models/training/synthetic_units.py), read and checked, and evaluated
 * directly on attribute maps (so tests can hold the ONNX formula head to them).
 */
import { LabError } from '../../errors';
import { BACKGROUND_KINDS, CLASSES, COLORS, TEXTURES } from '../../synth/vocabulary';

export const ATTRIBUTE_TYPES = ['class', 'color', 'texture', 'background'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** The values of each attribute type (the scene world's closed vocabularies). */
export const ATTRIBUTE_VALUES: { readonly [T in AttributeType]: readonly string[] } = {
  class: CLASSES,
  color: COLORS,
  texture: TEXTURES,
  background: BACKGROUND_KINDS,
};

/** "type:value", e.g. "color:red", "background:foliage". */
export type Attribute = string;

export type Formula =
  | { op: 'attr'; attr: Attribute }
  | { op: 'or' | 'and'; args: Formula[] }
  /** The item formula's map, masked by the scene-level presence of a background kind. */
  | { op: 'on'; item: Formula; background: Attribute };

export type UnitKind = 'mono' | 'or' | 'and';
export const UNIT_KINDS: readonly UnitKind[] = ['mono', 'or', 'and'];

export interface SyntheticUnit {
  index: number;
  kind: UnitKind;
  /** The formula as text: "color:red OR class:bag". */
  text: string;
  /** Plain-language ground truth: "red items or bags". */
  description: string;
  /** The attributes the formula mentions. */
  attributes: Attribute[];
  formula: Formula;
}

export interface SyntheticUnits {
  version: 1;
  /** The layer whose channels are the units. */
  layer: string;
  /** Channel order of the detector's attribute maps. */
  attributes: Attribute[];
  units: SyntheticUnit[];
}

export const SYNTHETIC_UNITS_KEY = 'lab.syntheticUnits';

export function isAttribute(s: unknown): s is Attribute {
  if (typeof s !== 'string') return false;
  const [type, value, ...rest] = s.split(':');
  return rest.length === 0 && (ATTRIBUTE_TYPES as readonly string[]).includes(type) && ATTRIBUTE_VALUES[type as AttributeType].includes(value);
}

export function attributeType(a: Attribute): AttributeType {
  return a.split(':')[0] as AttributeType;
}

function checkFormula(f: unknown, where: string): Formula {
  const bad = (why: string): never => {
    throw new LabError('bad-model', `${SYNTHETIC_UNITS_KEY}: ${where}: ${why}`);
  };
  if (typeof f !== 'object' || f === null) return bad('a formula must be an object');
  const o = f as Record<string, unknown>;
  if (o.op === 'attr') return isAttribute(o.attr) ? { op: 'attr', attr: o.attr } : bad(`unknown attribute ${JSON.stringify(o.attr)}`);
  if (o.op === 'or' || o.op === 'and') {
    if (!Array.isArray(o.args) || o.args.length < 2) return bad(`${o.op} takes two or more arguments`);
    return { op: o.op, args: o.args.map((a, i) => checkFormula(a, `${where}.args[${i}]`)) };
  }
  if (o.op === 'on') {
    if (!isAttribute(o.background) || attributeType(o.background) !== 'background') return bad('on takes a background attribute');
    return { op: 'on', item: checkFormula(o.item, `${where}.item`), background: o.background };
  }
  return bad(`unknown op ${JSON.stringify(o.op)}`);
}

/** The model's synthetic-unit ground truth, or null when it has none; malformed metadata is a bad-model error. */
export function readSyntheticUnits(meta: Record<string, string>): SyntheticUnits | null {
  const raw = meta[SYNTHETIC_UNITS_KEY];
  if (raw === undefined) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new LabError('bad-model', `${SYNTHETIC_UNITS_KEY} is not JSON.`);
  }
  const o = v as Partial<SyntheticUnits>;
  if (o?.version !== 1 || typeof o.layer !== 'string' || !Array.isArray(o.units) || !Array.isArray(o.attributes)) {
    throw new LabError('bad-model', `${SYNTHETIC_UNITS_KEY} wants {version: 1, layer, attributes, units}.`);
  }
  const attributes = o.attributes.map((a) => {
    if (!isAttribute(a)) throw new LabError('bad-model', `${SYNTHETIC_UNITS_KEY}: unknown attribute ${JSON.stringify(a)}.`);
    return a;
  });
  const units = o.units.map((u, i): SyntheticUnit => {
    const where = `units[${i}]`;
    if (u?.index !== i) throw new LabError('bad-model', `${SYNTHETIC_UNITS_KEY}: ${where} has index ${String(u?.index)}.`);
    if (!UNIT_KINDS.includes(u.kind)) throw new LabError('bad-model', `${SYNTHETIC_UNITS_KEY}: ${where} has kind ${String(u.kind)}.`);
    const formula = checkFormula(u.formula, where);
    return { index: i, kind: u.kind, text: String(u.text), description: String(u.description), attributes: formulaAttributes(formula), formula };
  });
  return { version: 1, layer: o.layer, attributes, units };
}

/** The attributes a formula mentions, in order, without repeats. */
export function formulaAttributes(f: Formula): Attribute[] {
  const out: Attribute[] = [];
  const walk = (g: Formula): void => {
    if (g.op === 'attr') out.push(g.attr);
    else if (g.op === 'on') {
      walk(g.item);
      out.push(g.background);
    } else g.args.forEach(walk);
  };
  walk(f);
  return [...new Set(out)];
}

/**
 * The unit's map computed directly from attribute maps (each H·W, row-major): OR = max,
 * AND = min, "on" = item map × the background map's maximum.
 */
export function evaluateFormula(f: Formula, map: (a: Attribute) => ArrayLike<number>): Float32Array {
  if (f.op === 'attr') return Float32Array.from(map(f.attr));
  if (f.op === 'on') {
    const item = evaluateFormula(f.item, map);
    let present = -Infinity;
    for (const v of Array.from(map(f.background))) present = Math.max(present, v);
    return item.map((v) => v * present);
  }
  const parts = f.args.map((g) => evaluateFormula(g, map));
  const pick = f.op === 'or' ? Math.max : Math.min;
  return parts[0].map((_, i) => pick(...parts.map((p) => p[i])));
}
