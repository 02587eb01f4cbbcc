/** The committed built-in model matches its card and, through the engine, PyTorch's logits. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/decode';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { REPO_ROOT } from '../setup/fixturePaths';
import { relError } from './helpers';

const path = (p: string) => join(REPO_ROOT, p);
const card = JSON.parse(readFileSync(path('models/placeholder-fmnist.card.json'), 'utf8'));
const reference = JSON.parse(readFileSync(path('models/placeholder-fmnist.reference.json'), 'utf8')) as {
  samples: Array<{ file: string; logits: number[] }>;
};

describe('built-in placeholder model', () => {
  const bytes = new Uint8Array(readFileSync(path('models/placeholder-fmnist.onnx')));

  it('is the file its card describes', () => {
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(card.onnx.sha256);
    expect(bytes.byteLength).toBe(card.onnx.bytes);
  });

  it('carries its preprocessing and labels, and matches PyTorch on every sample (1e-4)', async () => {
    const model = await LoadedModel.open(nodeRuntime(), bytes, 'placeholder-fmnist.onnx');
    try {
      expect(model.summary.preprocess).toMatchObject({ size: [64, 64], mean: card.preprocessing.mean, std: card.preprocessing.std, source: 'metadata' });
      expect(model.summary.labels).toEqual(card.labels);
      expect(model.summary.parameters).toBeGreaterThan(0.9 * card.parameters);
      for (const sample of reference.samples) {
        const logits = await model.logits([decodeImageFile(path(`public/samples/${sample.file}`))]);
        expect(relError(sample.logits, logits.data)).toBeLessThan(1e-4);
      }
    } finally {
      await model.release();
    }
  });
});
