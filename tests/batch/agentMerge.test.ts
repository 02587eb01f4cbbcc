/** mergeAgentDocs: shards of one `lab agent` run join into the whole; anything else is refused by name. */
import { describe, expect, it } from 'vitest';
import { mergeAgentDocs, parseAgentDoc, type AgentDoc } from '../../src/engine/batch/agentMerge';

function shard(i: number, n: number, units: number[], over: Partial<AgentDoc> = {}): { name: string; doc: AgentDoc } {
  return {
    name: `part${i}.json`,
    doc: {
      schema: 'lab.agent/1',
      model: { name: 'm.onnx', sha256: 'aa' },
      dataset: { id: 'scenes-test', sha256: 'bb', count: 800 },
      backend: { kind: 'offline', seesImages: false },
      layer: { label: 'L', tensor: '/L' },
      rounds: 25,
      seed: 5,
      requested: [0, 1, 2, 3, 4],
      shard: `${i}/${n}`,
      units: units.map((unit) => ({ unit, status: 'done', label: `u${unit}` })),
      timings: { totalMs: 100 },
      ...over,
    },
  };
}

describe('mergeAgentDocs', () => {
  it('joins the shards in the requested order, whatever order they come in', () => {
    const merged = mergeAgentDocs([shard(1, 2, [2, 3, 4]), shard(0, 2, [0, 1])]);
    expect(merged.units.map((u) => u.label)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    expect(merged.shard).toBeUndefined();
    expect(merged.timings.totalMs).toBe(200);
  });

  it('refuses a missing shard, a shard twice, a unit twice or missing, and another run', () => {
    expect(() => mergeAgentDocs([shard(0, 2, [0, 1])])).toThrow(/Shard\(s\) 1\/2 missing/);
    expect(() => mergeAgentDocs([shard(0, 2, [0, 1]), shard(0, 2, [2, 3, 4])])).toThrow(/given twice/);
    expect(() => mergeAgentDocs([shard(0, 2, [0, 1, 2]), shard(1, 2, [2, 3, 4])])).toThrow(/Unit 2 is in two shards/);
    expect(() => mergeAgentDocs([shard(0, 2, [0, 1]), shard(1, 2, [3, 4])])).toThrow(/Unit\(s\) 2 of the run are in no shard/);
    expect(() => mergeAgentDocs([shard(0, 2, [0, 1]), shard(1, 2, [2, 3, 4], { seed: 6 })])).toThrow(/another run/);
    expect(() => mergeAgentDocs([shard(0, 2, [0, 1]), shard(1, 3, [2, 3, 4])])).toThrow(/not one of 2/);
    const { shard: _s, ...whole } = shard(0, 1, [0, 1, 2, 3, 4]).doc;
    expect(() => mergeAgentDocs([{ name: 'whole.json', doc: whole as AgentDoc }])).toThrow(/not written with --shard/);
  });

  it('names a file that is not a lab.agent/1 document', () => {
    expect(() => parseAgentDoc('{', 'x.json')).toThrow(/x.json is not JSON/);
    expect(() => parseAgentDoc('{"schema":"lab.circuit/1"}', 'y.json')).toThrow(/y.json is not a lab.agent\/1 document/);
  });
});
