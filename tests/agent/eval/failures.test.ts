/** Failure discovery on scenes-spurious (a slice of the test scenes): the agent's flagged groups against the measured ones. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failureDiscovery } from '../../../src/engine/agent/eval/failures';
import { groupAccuracies, modelPredictions } from '../../../src/engine/agent/eval/groups';
import { agentEvalExperiment } from '../../../src/cli/agentEvalExperiment';
import type { Parsed } from '../../../src/cli/args';
import { loadBanks, openDataset } from '../../../src/engine/data/datasets';
import { LoadedModel } from '../../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../../src/engine/runtime/node';
import { SPURIOUS_MAP } from '../../../src/engine/synth/policy';
import { CLASSES } from '../../../src/engine/synth/vocabulary';
import { REPO_ROOT } from '../../setup/fixturePaths';

describe('failure discovery on scenes-spurious', () => {
  it('flags off-shortcut groups the test set confirms are weak, and reproduces from its seed', async () => {
    const banks = await loadBanks(async (n) => new Uint8Array(readFileSync(join(REPO_ROOT, 'assets', n))));
    const dataset = await openDataset('scenes-test', banks, { count: 2500 });
    const model = await LoadedModel.open(nodeRuntime(), new Uint8Array(readFileSync(join(REPO_ROOT, 'models/scenes-spurious.onnx'))), 'scenes-spurious');
    try {
      const opts = { model, name: 'scenes-spurious', banks, dataset, seed: 2, samples: 1 };
      const r = await failureDiscovery(opts);
      const bg = r.families.find((f) => f.family === 'background')!;
      expect(bg.predicted).toHaveLength(5);
      // the shortcut: a class on its own paired background is never among the flagged failures
      for (const p of bg.predicted) {
        const [cls, kind] = p.group.split(' on ');
        expect(SPURIOUS_MAP[cls as (typeof CLASSES)[number]]).not.toBe(kind);
      }
      // the flagged groups are measured weak: their mean test accuracy is below the model's overall accuracy
      const pool = [...Array(dataset.count).keys()];
      const pred = await modelPredictions(model, dataset, pool);
      const truth = pool.map((i) => CLASSES.indexOf(dataset.facets[i].class as (typeof CLASSES)[number]));
      const overall = pred.filter((p, i) => p === truth[i]).length / pool.length;
      const measured = groupAccuracies(pred, truth, pool.map((i) => `${dataset.facets[i].class} on ${dataset.facets[i].background.kind}`));
      const flagged = bg.predicted.map((p) => measured.find((g) => g.group === p.group)!.accuracy);
      expect(flagged.reduce((a, b) => a + b, 0) / 5).toBeLessThan(overall);
      expect(bg.worst[0].accuracy).toBe(measured[0].accuracy);
      for (const f of r.families) {
        expect(f.precisionAt5).toBeGreaterThanOrEqual(0);
        expect(f.precisionAt5).toBeLessThanOrEqual(1);
      }
      const again = await failureDiscovery(opts);
      expect({ ...again, ms: 0 }).toEqual({ ...r, ms: 0 });
    } finally {
      await model.release();
    }
  }, 240_000);

  it('the CLI handler refuses an unknown experiment with a clear error', async () => {
    const args: Parsed = { positionals: [], options: new Map([['experiment', 'nope']]) };
    await expect(agentEvalExperiment(args, { openModel: () => Promise.reject(new Error('not reached')), resolveLayers: () => [] })).rejects.toThrow(/spurious or failures/);
  });
});
