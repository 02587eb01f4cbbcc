/**
 * Merging `lab agent --shard i/n --out` documents (`lab.agent/1`) into the document of the whole
 * unit list, as a Slurm or Kubernetes array's merge step does. The merge refuses shards that do
 * not cover the work exactly once: another model, dataset, layer, backend or setting; a shard
 * missing or given twice; a unit in two shards; a unit of the requested list in none.
 */
import { LabError } from '../errors';

/** The fields of `lab.agent/1` the merge reads (the rest of each unit row is carried as it is). */
export interface AgentDoc {
  schema: 'lab.agent/1';
  model: { name: string; sha256: string };
  dataset: { id: string; sha256: string; count: number };
  backend: { kind: string; model?: string; baseUrl?: string; seesImages: boolean; toolMode?: string };
  layer: { label: string; tensor: string };
  rounds: number;
  seed: number;
  /** The whole unit list the shards split (every unit, in order), present with --shard. */
  requested?: number[];
  shard?: string;
  units: Array<{ unit: number; status: string } & Record<string, unknown>>;
  timings: { totalMs: number };
}

/** Everything that must agree between shards of one run. */
function runKey(d: AgentDoc): string {
  return JSON.stringify([d.model.sha256, d.dataset.sha256, d.dataset.count, d.layer.tensor, d.backend, d.rounds, d.seed, d.requested]);
}

export function parseAgentDoc(text: string, name: string): AgentDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new LabError('bad-request', `${name} is not JSON; a shard is the lab.agent/1 document \`lab agent --shard i/n --out FILE\` writes.`);
  }
  const d = doc as Partial<AgentDoc> | null;
  if (!d || d.schema !== 'lab.agent/1' || !Array.isArray(d.units) || !d.model || !d.layer) {
    throw new LabError('bad-request', `${name} is not a lab.agent/1 document.`);
  }
  return d as AgentDoc;
}

/** Joins shard documents (any order) into one, units in the requested order. */
export function mergeAgentDocs(docs: ReadonlyArray<{ name: string; doc: AgentDoc }>): AgentDoc {
  if (docs.length === 0) throw new LabError('bad-request', 'Nothing to merge: name the shard files.');
  const first = docs[0].doc;
  if (!first.requested || !first.shard) {
    throw new LabError('bad-request', `${docs[0].name} was not written with --shard i/n; only shards of one run merge.`);
  }
  const n = Number(first.shard.split('/')[1]);
  const seen = new Map<number, string>();
  for (const { name, doc } of docs) {
    if (runKey(doc) !== runKey(first)) {
      throw new LabError('bad-request', `${name} is a shard of another run than ${docs[0].name} (model, dataset, layer, backend, rounds, seed or unit list differ).`);
    }
    const m = /^(\d+)\/(\d+)$/.exec(doc.shard ?? '');
    if (!m || Number(m[2]) !== n) throw new LabError('bad-request', `${name} is shard ${doc.shard ?? '(none)'}, not one of ${n}.`);
    const i = Number(m[1]);
    const twice = seen.get(i);
    if (twice) throw new LabError('bad-request', `Shard ${i}/${n} is given twice (${twice} and ${name}).`);
    seen.set(i, name);
  }
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length) throw new LabError('bad-request', `Shard(s) ${missing.map((i) => `${i}/${n}`).join(', ')} missing: the merge needs all ${n}.`);

  const byUnit = new Map<number, { row: AgentDoc['units'][number]; from: string }>();
  for (const { name, doc } of docs) {
    for (const row of doc.units) {
      const other = byUnit.get(row.unit);
      if (other) throw new LabError('bad-request', `Unit ${row.unit} is in two shards (${other.from} and ${name}).`);
      byUnit.set(row.unit, { row, from: name });
    }
  }
  const requested = first.requested;
  const absent = requested.filter((u) => !byUnit.has(u));
  if (absent.length) throw new LabError('bad-request', `Unit(s) ${absent.slice(0, 10).join(', ')}${absent.length > 10 ? ', …' : ''} of the run are in no shard.`);
  const extra = [...byUnit.keys()].filter((u) => !requested.includes(u));
  if (extra.length) throw new LabError('bad-request', `Unit(s) ${extra.join(', ')} are not in the run's unit list.`);

  const { shard: _shard, ...rest } = first;
  return {
    ...rest,
    units: requested.map((u) => byUnit.get(u)!.row),
    timings: { totalMs: docs.reduce((a, d) => a + d.doc.timings.totalMs, 0) },
  };
}
