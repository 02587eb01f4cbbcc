import { describe, expect, it } from 'vitest';
import { buildExperiment, parseExperiment, parseExperimentBytes, payloadHash, serializeExperiment, type ExperimentInput } from '../../src/engine/experiment/codec';
import { canonicalJson } from '../../src/engine/experiment/canonicalJson';
import { base64ToBytes, bytesToBase64 } from '../../src/engine/experiment/base64';
import { MAX_EXPERIMENT_BYTES } from '../../src/engine/experiment/types';
import { LabError } from '../../src/engine/errors';
import type { AgentTranscript } from '../../src/engine/agent/types';
import type { Circuit } from '../../src/engine/circuits/types';
import { mulberry32 } from '../store/prng';

const SHA = 'a'.repeat(64);

function image(w: number, h: number, channels: 3 | 4, seed: number) {
  const rand = mulberry32(seed);
  const data = new Uint8Array(w * h * channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  return { width: w, height: h, channels, data };
}

const circuit: Circuit = {
  schema: 'lab.circuit/1',
  model: { name: 'scenes-balanced', sha256: SHA },
  spec: {
    concept: { kind: 'filter', filter: { color: 'red' } },
    examples: 16,
    heldOut: 16,
    target: { kind: 'logit', index: 3 },
    layers: ['a', 'b'],
    k: 5,
    method: 'cla',
    reduce: 'mean',
    ablation: 'zero',
    random: 20,
    seed: 7,
  },
  target: { kind: 'logit', index: 3 },
  layers: ['a', 'b'],
  nodes: [{ layer: 'a', unit: 1, score: 0.5 }],
  edges: [{ from: { layer: 'a', unit: 1 }, to: { logit: 3 }, weight: 0.25 }],
  causal: {
    necessity: { effect: 0.4, randomMean: 0.1, randomSd: 0.05, z: 6, p: 1 / 21 },
    sufficiency: { effect: 0.3, randomMean: 0.1, randomSd: 0.05, z: 4, p: 1 / 21 },
    specificity: { effect: 0.02, randomMean: 0.01, randomSd: 0.01, z: 1, p: 0.3 },
  },
  ms: 1234,
};

const KEY = 'sk-test-SECRET-0123456789';

function transcript(): AgentTranscript {
  return {
    schema: 'lab.agent-transcript/1',
    model: { name: 'scenes-balanced', sha256: SHA },
    settings: {
      subject: { kind: 'unit', layer: 'a', unit: 1 },
      // A key that slipped in (the type forbids it): the export must drop it.
      backend: { kind: 'openai', model: 'gpt-x', seesImages: true, ...({ apiKey: KEY } as object) },
      rounds: 3,
      seed: 1,
    },
    events: [{ type: 'final', round: 1, description: '<img src=x onerror=alert(1)>', label: 'red' }],
    images: [],
  };
}

function input(): ExperimentInput {
  return {
    link: '#/exemplars?v=1&model=scenes-balanced&layer=a&unit=1',
    title: 'unit 1 <script>alert(1)</script>',
    model: { name: 'scenes-balanced', sha256: SHA, builtin: 'scenes-balanced' },
    dataset: { id: 'scenes-test', sha256: SHA },
    images: [
      { role: 'try', name: 'drawn.png', image: image(7, 5, 4, 1) },
      { role: 'upscale-lr', name: 'photo.jpg', image: image(33, 17, 3, 2) },
    ],
    circuit,
    transcript: transcript(),
    exemplarIndex: { name: 'a.idx', bytes: new Uint8Array([1, 2, 3, 4, 5]) },
    created: new Date('2026-12-02T12:00:00Z'),
  };
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('bad-experiment');
    return (err as LabError).message;
  }
  throw new Error('expected a refusal');
}

describe('base64 and canonical JSON', () => {
  it('round-trips bytes of every length around the chunk size', () => {
    for (const n of [0, 1, 2, 3, 24575, 24576, 24577, 70001]) {
      const bytes = image(n, 1, 3, n).data.subarray(0, n);
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(Array.from(base64ToBytes(text))).toEqual(Array.from(bytes));
    }
    expect(() => base64ToBytes('abc')).toThrow();
  });
  it('sorts keys at every depth, so key order does not change a hash', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }], u: undefined })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(payloadHash({ x: 1, y: 2 })).toBe(payloadHash({ y: 2, x: 1 }));
    expect(payloadHash({ x: 1 })).not.toBe(payloadHash({ x: 2 }));
  });
});

describe('lab.experiment/1', () => {
  it('round-trips the link, images (bytes and hashes), circuit, transcript and index', () => {
    const text = serializeExperiment(buildExperiment(input()));
    const opened = parseExperiment(text);
    expect(opened.file.link).toBe(input().link);
    expect(opened.file.model).toEqual({ name: 'scenes-balanced', sha256: SHA, builtin: 'scenes-balanced' });
    expect(opened.images.map((i) => [i.role, i.name, i.image.width, i.image.height, i.image.channels])).toEqual([
      ['try', 'drawn.png', 7, 5, 4],
      ['upscale-lr', 'photo.jpg', 33, 17, 3],
    ]);
    expect(Array.from(opened.images[1].image.data)).toEqual(Array.from(image(33, 17, 3, 2).data));
    expect(opened.file.circuit?.value).toEqual(circuit);
    expect(opened.file.transcript?.value.events).toEqual(transcript().events);
    expect(Array.from(opened.exemplarIndex ?? [])).toEqual([1, 2, 3, 4, 5]);
    // Strings stay strings: the file carries markup as text (the UI renders text, never HTML).
    expect(opened.file.title).toBe('unit 1 <script>alert(1)</script>');
  });

  it('never writes an API key, wherever it sits', () => {
    const text = serializeExperiment(buildExperiment(input()));
    expect(text).not.toContain(KEY);
    expect(text).not.toMatch(/apiKey/i);
    expect(parseExperiment(text).file.transcript?.value.settings.backend).toEqual({ kind: 'openai', model: 'gpt-x', seesImages: true });
  });

  it('refuses malformed, truncated, wrong-schema and oversized files with a reason', () => {
    const text = serializeExperiment(buildExperiment(input()));
    expect(refusal(() => parseExperiment(text.slice(0, text.length / 2)))).toMatch(/not valid JSON \(it looks cut off/);
    expect(refusal(() => parseExperiment('[1,2]'))).toMatch(/not an experiment/);
    expect(refusal(() => parseExperiment('{"a":1}'))).toMatch(/no "schema" tag/);
    expect(refusal(() => parseExperiment(JSON.stringify({ ...JSON.parse(text), schema: 'lab.experiment/2' })))).toMatch(/version 2, made by a newer lab/);
    expect(refusal(() => parseExperiment(JSON.stringify(circuit)))).toMatch(/“lab.circuit\/1” file, not an experiment/);
    expect(refusal(() => parseExperiment(JSON.stringify({ ...JSON.parse(text), link: 'javascript:alert(1)' })))).toMatch(/^the file does not fit lab.experiment\/1: link must match pattern/);
    expect(refusal(() => parseExperiment(JSON.stringify({ ...JSON.parse(text), onload: '<script>' })))).toMatch(/must NOT have additional properties \(“onload”\)/);
    expect(refusal(() => parseExperimentBytes(new Uint8Array([0xff, 0xfe, 0x00])))).toMatch(/not text/);
    expect(refusal(() => parseExperimentBytes(new Uint8Array(MAX_EXPERIMENT_BYTES + 1)))).toMatch(/larger than the lab's limit of 100 MB/);
  });

  it('refuses a file whose images, circuit, transcript or index were changed after export', () => {
    const file = JSON.parse(serializeExperiment(buildExperiment(input())));
    const edited = (edit: (f: typeof file) => void) => {
      const f = structuredClone(file);
      edit(f);
      return JSON.stringify(f);
    };
    // One pixel changed: same length, other bytes.
    const flip = (b64: string) => {
      const bytes = base64ToBytes(b64);
      bytes[0] ^= 1;
      return bytesToBase64(bytes);
    };
    expect(refusal(() => parseExperiment(edited((f) => (f.images[0].data = flip(f.images[0].data)))))).toMatch(/image 1 \(“drawn.png”\) does not match its sha256/);
    expect(refusal(() => parseExperiment(edited((f) => (f.images[1].width = 32))))).toMatch(/image 2 .* not 32×17×3/);
    expect(refusal(() => parseExperiment(edited((f) => (f.images[0].data = '!!!!'))))).toMatch(/not valid base64/);
    expect(refusal(() => parseExperiment(edited((f) => (f.circuit.value.causal.necessity.effect = 0.9))))).toMatch(/circuit does not match/);
    expect(refusal(() => parseExperiment(edited((f) => (f.transcript.value.events = []))))).toMatch(/transcript does not match/);
    expect(refusal(() => parseExperiment(edited((f) => (f.exemplarIndex.data = flip(f.exemplarIndex.data)))))).toMatch(/exemplar index does not match/);
  });
});
