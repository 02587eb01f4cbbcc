/**
 * Writing and reading `lab.experiment/1` files. Reading checks, in order: size, UTF-8, JSON, the
 * schema tag (another kind of lab file or a newer version is named as such), the schema (ajv), then
 * every content hash — so a file either opens whole or is refused with a LabError('bad-experiment')
 * that says why, and nothing of the current view is touched before that.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { LabError } from '../errors';
import { sha256Hex } from '../data/sha256';
import type { RawImage } from '../types';
import type { Circuit } from '../circuits/types';
import type { AgentTranscript } from '../agent/types';
import { base64ToBytes, bytesToBase64 } from './base64';
import { canonicalJson } from './canonicalJson';
import { EXPERIMENT_JSON_SCHEMA } from './schema';
import {
  EXPERIMENT_SCHEMA,
  MAX_EXPERIMENT_BYTES,
  type ExperimentFile,
  type ExperimentImage,
  type ExperimentImageRole,
  type ExperimentModelRef,
  type Hashed,
} from './types';

const ajv = new Ajv({ allErrors: false, strict: true });
const validate = ajv.compile<ExperimentFile>(EXPERIMENT_JSON_SCHEMA);

function bad(message: string): LabError {
  return new LabError('bad-experiment', message);
}

/** sha256 of a JSON payload's canonical text. */
export function payloadHash(value: unknown): string {
  return sha256Hex(new TextEncoder().encode(canonicalJson(value)));
}

export function hashed<T>(value: T): Hashed<T> {
  return { sha256: payloadHash(value), value };
}

export function experimentImage(role: ExperimentImageRole, name: string, image: RawImage): ExperimentImage {
  const bytes = image.data instanceof Uint8Array ? image.data : new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return { role, name, width: image.width, height: image.height, channels: image.channels, data: bytesToBase64(bytes), sha256: sha256Hex(bytes) };
}

/** Keys that hold credentials: removed from anything an export writes, wherever they sit. */
const SECRET_KEYS = /^(api[-_]?key|authorization|x-api-key|password|secret|token)$/i;

function withoutSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutSecrets) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!SECRET_KEYS.test(k)) out[k] = withoutSecrets(v);
  return out as T;
}

export interface ExperimentInput {
  link: string;
  title?: string;
  model: ExperimentModelRef;
  dataset?: { id: string; sha256?: string };
  images?: Array<{ role: ExperimentImageRole; name: string; image: RawImage }>;
  circuit?: Circuit;
  transcript?: AgentTranscript;
  exemplarIndex?: { name: string; bytes: Uint8Array };
  /** Export time (tests fix it). */
  created?: Date;
}

export function buildExperiment(input: ExperimentInput): ExperimentFile {
  const file: ExperimentFile = {
    schema: EXPERIMENT_SCHEMA,
    created: (input.created ?? new Date()).toISOString(),
    link: input.link,
    ...(input.title !== undefined ? { title: input.title.slice(0, 300) } : {}),
    model: withoutSecrets(input.model),
    ...(input.dataset ? { dataset: input.dataset } : {}),
    ...(input.images && input.images.length > 0 ? { images: input.images.map((i) => experimentImage(i.role, i.name, i.image)) } : {}),
    ...(input.circuit ? { circuit: hashed(withoutSecrets(input.circuit)) } : {}),
    // The transcript type has no key; a key that slipped into it anyway is dropped here.
    ...(input.transcript ? { transcript: hashed(withoutSecrets(input.transcript)) } : {}),
    ...(input.exemplarIndex
      ? {
          exemplarIndex: {
            name: input.exemplarIndex.name,
            bytes: input.exemplarIndex.bytes.byteLength,
            data: bytesToBase64(input.exemplarIndex.bytes),
            sha256: sha256Hex(input.exemplarIndex.bytes),
          },
        }
      : {}),
  };
  if (!validate(file)) throw bad(`the experiment does not fit its own schema: ${describe(validate.errors)}`);
  return file;
}

/** The file's text (pretty enough to diff, small enough to mail). */
export function serializeExperiment(file: ExperimentFile): string {
  return `${JSON.stringify(file, null, 1)}\n`;
}

function describe(errors: ErrorObject[] | null | undefined): string {
  const e = errors?.[0];
  if (!e) return 'unknown problem';
  const where = e.instancePath === '' ? 'the file' : e.instancePath.slice(1).replace(/\//g, '.');
  const extra = e.keyword === 'additionalProperties' ? ` (“${String((e.params as { additionalProperty: string }).additionalProperty).slice(0, 40)}”)` : '';
  return `${where} ${e.message ?? 'is invalid'}${extra}`;
}

/** An image of an opened experiment, checked against its hash and size. */
export interface OpenedImage {
  role: ExperimentImageRole;
  name: string;
  image: RawImage;
}

export interface OpenedExperiment {
  file: ExperimentFile;
  images: OpenedImage[];
  exemplarIndex: Uint8Array | null;
}

function openImage(img: ExperimentImage, at: number): OpenedImage {
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(img.data);
  } catch {
    throw bad(`image ${at + 1} (“${img.name.slice(0, 40)}”) is not valid base64`);
  }
  const want = img.width * img.height * img.channels;
  if (bytes.byteLength !== want) throw bad(`image ${at + 1} (“${img.name.slice(0, 40)}”) holds ${bytes.byteLength} bytes, not ${img.width}×${img.height}×${img.channels} = ${want}`);
  if (sha256Hex(bytes) !== img.sha256) throw bad(`image ${at + 1} (“${img.name.slice(0, 40)}”) does not match its sha256: the file was changed or damaged`);
  return { role: img.role, name: img.name, image: { width: img.width, height: img.height, channels: img.channels, data: bytes } };
}

/** Reads an experiment from its text; throws LabError('bad-experiment') saying what is wrong. */
export function parseExperiment(text: string): OpenedExperiment {
  if (text.length > MAX_EXPERIMENT_BYTES) throw bad(`the file is larger than the lab's limit of ${MAX_EXPERIMENT_BYTES / 1024 / 1024} MB`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const cut = text.trimEnd().length > 0 && !/[}\]]$/.test(text.trimEnd());
    throw bad(`the file is not valid JSON${cut ? ' (it looks cut off: was the download complete?)' : ''}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('the file is JSON but not an experiment (expected an object with "schema": "lab.experiment/1")');
  const tag = (raw as { schema?: unknown }).schema;
  if (typeof tag !== 'string') throw bad('the file has no "schema" tag, so it is not a lab experiment (expected "lab.experiment/1")');
  const version = /^lab\.experiment\/(\d+)$/.exec(tag);
  if (version && version[1] !== '1') throw bad(`the file is lab.experiment version ${version[1]}, made by a newer lab; this lab reads version 1`);
  if (!version) throw bad(`the file is a “${tag.slice(0, 40)}” file, not an experiment (lab.experiment/1)`);
  if (!validate(raw)) throw bad(`the file does not fit lab.experiment/1: ${describe(validate.errors)}`);
  const file = raw;
  const images = (file.images ?? []).map(openImage);
  if (file.circuit && payloadHash(file.circuit.value) !== file.circuit.sha256) throw bad('the circuit does not match its sha256: the file was changed or damaged');
  if (file.transcript && payloadHash(file.transcript.value) !== file.transcript.sha256) throw bad('the agent transcript does not match its sha256: the file was changed or damaged');
  let exemplarIndex: Uint8Array | null = null;
  if (file.exemplarIndex) {
    try {
      exemplarIndex = base64ToBytes(file.exemplarIndex.data);
    } catch {
      throw bad('the exemplar index is not valid base64');
    }
    if (exemplarIndex.byteLength !== file.exemplarIndex.bytes || sha256Hex(exemplarIndex) !== file.exemplarIndex.sha256) {
      throw bad('the exemplar index does not match its size and sha256: the file was changed or damaged');
    }
  }
  return { file, images, exemplarIndex };
}

/** Reads an experiment from bytes (a dropped file, a download): size and UTF-8 first. */
export function parseExperimentBytes(bytes: Uint8Array): OpenedExperiment {
  if (bytes.byteLength > MAX_EXPERIMENT_BYTES) throw bad(`the file is larger than the lab's limit of ${MAX_EXPERIMENT_BYTES / 1024 / 1024} MB`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw bad('the file is not text (UTF-8), so it is not an experiment file');
  }
  return parseExperiment(text);
}
