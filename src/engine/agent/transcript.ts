/**
 * `lab.agent-transcript/1`: a run's settings (never the key), its events (streamed deltas left
 * out) and every image once. Import validates the file (ajv) and drops any key it might carry;
 * replay needs no backend: the events and images are the run. `rerunToolCalls` runs the recorded
 * calls again, in order, against a model and reports whether each gives the same result.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { LabError } from '../errors';
import { ImageStore } from './imageStore';
import type { AgentRun } from './loop';
import { runTool, type ToolContext } from './tools';
import type { AgentEvent, AgentRunSettings, AgentTranscript, StoredImage, ToolResult } from './types';

export const TRANSCRIPT_SCHEMA = 'lab.agent-transcript/1';

export interface TranscriptMeta {
  model: { name: string; sha256: string };
  dataset?: { id: string; sha256?: string };
}

function withoutKey(settings: AgentRunSettings): AgentTranscript['settings'] {
  const { apiKey: _key, ...backend } = settings.backend;
  void _key;
  return { ...settings, backend };
}

export function toTranscript(run: AgentRun, settings: AgentRunSettings, meta: TranscriptMeta, images: readonly StoredImage[]): AgentTranscript {
  const t: AgentTranscript = {
    schema: TRANSCRIPT_SCHEMA,
    model: meta.model,
    ...(meta.dataset ? { dataset: meta.dataset } : {}),
    settings: withoutKey(settings),
    events: run.events.filter((e) => e.type !== 'delta'),
    images: [...images],
  };
  if (run.result) t.result = { ...run.result };
  return t;
}

const FILE_SCHEMA = {
  type: 'object',
  required: ['schema', 'model', 'settings', 'events', 'images'],
  properties: {
    schema: { const: TRANSCRIPT_SCHEMA },
    model: { type: 'object', required: ['name', 'sha256'], properties: { name: { type: 'string' }, sha256: { type: 'string' } } },
    dataset: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, sha256: { type: 'string' } } },
    settings: {
      type: 'object',
      required: ['subject', 'backend', 'rounds', 'seed'],
      properties: {
        subject: { type: 'object', required: ['kind'], properties: { kind: { enum: ['unit', 'logit'] } } },
        backend: { type: 'object', required: ['kind', 'seesImages'], properties: { kind: { enum: ['offline', 'openai', 'anthropic'] }, seesImages: { type: 'boolean' } } },
        rounds: { type: 'integer', minimum: 1 },
        seed: { type: 'integer' },
      },
    },
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type'],
        properties: { type: { enum: ['round', 'assistant', 'delta', 'tool', 'hypotheses', 'fault', 'paused', 'final', 'usage'] } },
      },
    },
    images: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'width', 'height', 'png'],
        properties: { id: { type: 'string' }, width: { type: 'integer', minimum: 1 }, height: { type: 'integer', minimum: 1 }, png: { type: 'string' } },
      },
    },
  },
} as const;

const validateFile = new Ajv2020({ allErrors: false, strict: false }).compile(FILE_SCHEMA);

/** A transcript from its JSON text; a bad file is a bad-request error naming what is wrong. Any key it carries is dropped. */
export function parseTranscript(text: string): AgentTranscript {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new LabError('bad-request', `The transcript is not JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (!validateFile(doc)) {
    const e = validateFile.errors?.[0];
    throw new LabError('bad-request', `Not a ${TRANSCRIPT_SCHEMA} file: ${e ? `${e.instancePath || 'the file'} ${e.message}` : 'invalid'}.`);
  }
  const t = doc as AgentTranscript & { settings: { backend: { apiKey?: unknown } } };
  delete t.settings.backend.apiKey;
  return t;
}

export function stringifyTranscript(t: AgentTranscript): string {
  return JSON.stringify(t);
}

/** The run as recorded: events to render and the image store their handles point into. */
export function replayTranscript(t: AgentTranscript): { events: AgentEvent[]; images: ImageStore } {
  return { events: t.events.filter((e) => e.type !== 'delta'), images: ImageStore.from(t.images) };
}

export interface RerunCheck {
  callId: string;
  name: string;
  same: boolean;
  /** What differed, when something did. */
  differences: string[];
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(a), Math.abs(b));

function compare(a: unknown, b: unknown, path: string, out: string[]): void {
  if (out.length >= 5) return;
  if (typeof a === 'number' && typeof b === 'number') {
    if (!close(a, b) && !(Number.isNaN(a) && Number.isNaN(b))) out.push(`${path}: ${a} then, ${b} now`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} items then, ${b.length} now`);
    else a.forEach((x, i) => compare(x, b[i], `${path}[${i}]`, out));
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) compare((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
  } else if (a !== b) out.push(`${path}: ${JSON.stringify(a)?.slice(0, 60)} then, ${JSON.stringify(b)?.slice(0, 60)} now`);
}

/**
 * Re-runs every recorded tool call in order with a fresh image store (so handles come out the
 * same) against `ctx` (same model, dataset and seed as the run), and compares ok, data and the
 * pixels of every image a result made.
 */
export async function rerunToolCalls(t: AgentTranscript, ctx: Omit<ToolContext, 'images'>): Promise<RerunCheck[]> {
  const fresh: ToolContext = { ...ctx, images: new ImageStore(), seed: t.settings.seed };
  const recorded = ImageStore.from(t.images);
  const checks: RerunCheck[] = [];
  for (const e of t.events) {
    if (e.type !== 'tool') continue;
    const { result } = await runTool(e.call, fresh);
    const differences: string[] = [];
    if (result.ok !== e.result.ok) differences.push(`ok: ${e.result.ok} then, ${result.ok} now`);
    compare(e.result.data, result.data, 'data', differences);
    await compareImages(e.result, result, recorded, fresh.images, differences);
    checks.push({ callId: e.call.id, name: e.call.name, same: differences.length === 0, differences });
  }
  return checks;
}

async function compareImages(then: ToolResult, now: ToolResult, a: ImageStore, b: ImageStore, out: string[]): Promise<void> {
  if (then.images.length !== now.images.length) {
    out.push(`images: ${then.images.length} then, ${now.images.length} now`);
    return;
  }
  for (let i = 0; i < then.images.length; i++) {
    const id = then.images[i].id;
    if (now.images[i].id !== id) out.push(`image ${i}: ${id} then, ${now.images[i].id} now`);
    else if (a.get(id) && b.get(id)) {
      const [x, y] = await Promise.all([a.pixelsOf(id), b.pixelsOf(id)]);
      let diff = 0;
      for (let p = 0; p < x.data.length; p++) diff = Math.max(diff, Math.abs(x.data[p] - y.data[p]));
      if (x.data.length !== y.data.length || diff > 1) out.push(`${id}: pixels differ (max ${diff})`);
    }
  }
}
