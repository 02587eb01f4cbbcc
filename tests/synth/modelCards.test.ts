/**
 * The committed scene classifiers match their cards: the ONNX file is the one carded, it agrees
 * with PyTorch on reference scenes, and its accuracy on the test shard — regenerated here from
 * the committed assets and the seed — equals the card's, overall and for the worst group.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDataset, openDataset } from '../../src/engine/data/datasets';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { REPO_ROOT } from '../setup/fixturePaths';
import { relError } from '../engine/helpers';
import { loadTestBanks } from './banks';

const MODELS = ['scenes-balanced', 'scenes-spurious'].filter((m) => existsSync(join(REPO_ROOT, `models/${m}.onnx`)));

describe.each(MODELS)('%s', (name) => {
  const bytes = new Uint8Array(readFileSync(join(REPO_ROOT, `models/${name}.onnx`)));
  const card = JSON.parse(readFileSync(join(REPO_ROOT, `models/${name}.card.json`), 'utf8'));
  const reference = JSON.parse(readFileSync(join(REPO_ROOT, `models/${name}.reference.json`), 'utf8'));

  it('is the file its card names', () => {
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(card.onnx.sha256);
  });

  it('reproduces its card on the regenerated test shard (accuracy within 0.5%) and PyTorch logits (1e-4)', async () => {
    const dataset = await openDataset('scenes-test', loadTestBanks(), {});
    expect(dataset.info.sha256).toBe(card.trainingData.testShard.sha256);
    expect(findDataset('scenes-test')?.options.seed).toBe(card.trainingData.seed);
    const model = await LoadedModel.open(nodeRuntime(), bytes, name);
    try {
      for (const s of reference.samples.slice(0, 8)) {
        const logits = await model.logits([dataset.image(s.testIndex)]);
        expect(relError(s.logits, logits.data)).toBeLessThan(1e-4);
      }
      const groups = new Map<string, { n: number; ok: number }>();
      let correct = 0;
      const batch = 250;
      for (let first = 0; first < dataset.count; first += batch) {
        const indices = Array.from({ length: Math.min(batch, dataset.count - first) }, (_, i) => first + i);
        const logits = await model.logits(indices.map((i) => dataset.image(i)));
        const classes = logits.dims[1];
        indices.forEach((i, r) => {
          const row = logits.data.subarray(r * classes, (r + 1) * classes);
          const predicted = row.indexOf(Math.max(...row));
          const a = dataset.scene(i).attributes;
          const ok = predicted === a.classIndex ? 1 : 0;
          correct += ok;
          const key = `${a.class} on ${a.background.kind}`;
          const g = groups.get(key) ?? { n: 0, ok: 0 };
          g.n++;
          g.ok += ok;
          groups.set(key, g);
        });
      }
      const test = card.evaluation.test;
      expect(Math.abs(correct / dataset.count - test.accuracy)).toBeLessThan(0.005);
      const worst = Math.min(...[...groups.values()].filter((g) => g.n >= test.worstGroup.minGroupSize).map((g) => g.ok / g.n));
      expect(Math.abs(worst - test.worstGroup.accuracy)).toBeLessThan(0.02);
    } finally {
      await model.release();
    }
  }, 300_000);
});
