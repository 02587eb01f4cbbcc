/**
 * The JSON Schema of `lab.experiment/1` (ajv 8, draft-07): the shape of the envelope. Circuits and
 * transcripts are checked for their own schema tag and basic shape here; their content is theirs.
 */
import type { JsonSchema } from '../agent/types';
import { MAX_EXPERIMENT_BYTES } from './types';

const SHA256 = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const NAME = { type: 'string', maxLength: 1024 };

const image: JsonSchema = {
  type: 'object',
  required: ['role', 'name', 'width', 'height', 'channels', 'data', 'sha256'],
  additionalProperties: false,
  properties: {
    role: { enum: ['try', 'upscale-lr', 'upscale-hr', 'upscale-truth', 'concept'] },
    name: NAME,
    width: { type: 'integer', minimum: 1, maximum: 16384 },
    height: { type: 'integer', minimum: 1, maximum: 16384 },
    channels: { enum: [3, 4] },
    // No pattern: a regex over a 100 MB string is slow; atob checks the characters when decoding.
    data: { type: 'string', maxLength: MAX_EXPERIMENT_BYTES },
    sha256: SHA256,
  },
};

function hashed(tag: string, required: string[]): JsonSchema {
  return {
    type: 'object',
    required: ['sha256', 'value'],
    additionalProperties: false,
    properties: {
      sha256: SHA256,
      value: {
        type: 'object',
        required: ['schema', ...required],
        properties: { schema: { const: tag }, ...Object.fromEntries(required.map((k) => [k, {}])) },
      },
    },
  };
}

export const EXPERIMENT_JSON_SCHEMA: JsonSchema = {
  $id: 'https://interp-lab/schemas/lab.experiment-1.json',
  type: 'object',
  required: ['schema', 'created', 'link', 'model'],
  additionalProperties: false,
  properties: {
    schema: { const: 'lab.experiment/1' },
    created: { type: 'string', maxLength: 64 },
    link: { type: 'string', pattern: '^#/', maxLength: 64 * 1024 },
    title: { type: 'string', maxLength: 300 },
    model: {
      type: 'object',
      required: ['name', 'sha256'],
      additionalProperties: false,
      properties: { name: NAME, sha256: SHA256, url: { type: 'string', maxLength: 2048 }, builtin: NAME },
    },
    dataset: {
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      properties: { id: { type: 'string', maxLength: 2048 }, sha256: SHA256 },
    },
    images: { type: 'array', maxItems: 64, items: image },
    circuit: hashed('lab.circuit/1', ['model', 'spec', 'layers', 'nodes', 'edges']),
    transcript: hashed('lab.agent-transcript/1', ['model', 'settings', 'events', 'images']),
    exemplarIndex: {
      type: 'object',
      required: ['name', 'bytes', 'data', 'sha256'],
      additionalProperties: false,
      properties: {
        name: NAME,
        bytes: { type: 'integer', minimum: 0 },
        data: { type: 'string' },
        sha256: SHA256,
      },
    },
  },
};
