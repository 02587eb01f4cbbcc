/** The spurious-feature experiment's regression (a known problem, seeded reproducibility) and the unit probes on the real spurious model. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitLogistic, l1Path, predict, type Design } from '../../../src/engine/agent/eval/logistic';
import { groupAccuracies, scores } from '../../../src/engine/agent/eval/groups';
import { classifyUnits, lastFeatureLayer, spuriousRemoval } from '../../../src/engine/agent/eval/spurious';
import { loadBanks, openDataset } from '../../../src/engine/data/datasets';
import { LoadedModel } from '../../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../../src/engine/runtime/node';
import { Rng } from '../../../src/engine/synth/rng';
import { REPO_ROOT } from '../../setup/fixturePaths';

/** Three Gaussian blobs in 2-D (features 0 and 1) plus three pure-noise features. */
function blobs(n: number, seed: number): Design {
  const rng = new Rng(seed);
  const centres = [[0, 3], [3, -2], [-3, -2]];
  const x = new Float64Array(n * 5);
  const y = new Int32Array(n);
  const gauss = () => Math.sqrt(-2 * Math.log(rng.next() || 1e-12)) * Math.cos(2 * Math.PI * rng.next());
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    x[i * 5] = centres[y[i]][0] + gauss();
    x[i * 5 + 1] = centres[y[i]][1] + gauss();
    for (let j = 2; j < 5; j++) x[i * 5 + j] = 4 * gauss();
  }
  return { x, n, d: 5, y, classes: 3 };
}

describe('logistic regression', () => {
  it('separates a known three-class problem and generalises to fresh draws', () => {
    const fit = fitLogistic(blobs(300, 1));
    const test = blobs(600, 2);
    const pred = predict(fit, test.x, test.n);
    const acc = pred.filter((p, i) => p === test.y[i]).length / test.n;
    // the Bayes rate of these blobs is ~0.98; a broken gradient lands near 1/3
    expect(acc).toBeGreaterThan(0.93);
    // the informative features carry far more weight than the noise ones
    const norm = (j: number) => [0, 1, 2].reduce((a, c) => a + Math.abs(fit.w[j * 3 + c]), 0);
    expect(Math.min(norm(0), norm(1))).toBeGreaterThan(3 * Math.max(norm(2), norm(3), norm(4)));
  });

  it('the ℓ1 path lets the informative features in first', () => {
    expect(l1Path(blobs(300, 3), 2).sort()).toEqual([0, 1]);
  });

  it('is a pure function of its inputs (same data, same weights)', () => {
    const a = fitLogistic(blobs(120, 4));
    const b = fitLogistic(blobs(120, 4));
    expect(Array.from(a.w)).toEqual(Array.from(b.w));
  });

  it('rejects a label outside its classes', () => {
    const d = blobs(9, 5);
    d.y[0] = 7;
    expect(() => fitLogistic(d)).toThrow(/outside 0..2/);
  });
});

describe('group scores', () => {
  it('balanced accuracy averages per-class recall and the worst group is the lowest group of ≥ 20', () => {
    const truth = [...Array(60)].map((_, i) => (i < 40 ? 0 : 1));
    const pred = truth.map((t, i) => (i < 30 ? 0 : i < 40 ? 1 : 1)); // class 0: 30/40, class 1: 20/20
    const groups = truth.map((_, i) => (i < 20 ? 'a' : i < 40 ? 'b' : 'c'));
    const s = scores(pred, truth, groups, 2);
    expect(s.balancedAccuracy).toBeCloseTo((30 / 40 + 1) / 2, 12);
    expect(s.worstGroup).toEqual({ group: 'b', n: 20, accuracy: 0.5 });
    // groups under the minimum size are left out
    expect(groupAccuracies(pred, truth, groups, 21)).toEqual([]);
    expect(groupAccuracies(pred, truth, groups).map((g) => g.group)).toEqual(['b', 'a', 'c']);
  });
});

describe('spurious-feature removal on scenes-spurious (a small slice)', () => {
  const open = async () => {
    const banks = await loadBanks(async (n) => new Uint8Array(readFileSync(join(REPO_ROOT, 'assets', n))));
    const dataset = await openDataset('scenes-test', banks, { count: 700 });
    const model = await LoadedModel.open(nodeRuntime(), new Uint8Array(readFileSync(join(REPO_ROOT, 'models/scenes-spurious.onnx'))), 'scenes-spurious');
    return { banks, dataset, model, layer: lastFeatureLayer(model) };
  };

  it('classifies every unit from the tools\' edits, and the whole report reproduces from its seed', async () => {
    const { banks, dataset, model, layer } = await open();
    try {
      const opts = { model, banks, layer, seed: 3, samples: 1, swaps: 2, dataset, perClass: 20, randomDraws: 2 };
      // the feature layer the pooled head reads, with a spatial map (not the 1×1 pool output)
      const shape = model.summary.layers.find((l) => l.tensor === layer)!.shape;
      expect(shape[2] * shape[3]).toBeGreaterThan(1);
      const a = await spuriousRemoval(opts);
      expect(a.units).toHaveLength(model.summary.layers.find((l) => l.tensor === layer)!.channels);
      // the shortcut model has units of both kinds
      expect(a.kept.length).toBeGreaterThan(0);
      expect(a.kept.length).toBeLessThan(a.units.length);
      for (const u of a.units) expect(u.verdict).toBe(u.itemEffect > u.backgroundEffect ? 'item' : 'background');
      expect(a.probes.toolCalls).toBe(20);
      expect(a.rows.l1.units).toHaveLength(a.kept.length);
      expect(a.test).toBe(700 - 200);
      const b = await spuriousRemoval(opts);
      const strip = (r: typeof a) => ({ ...r, ms: 0, probes: { ...r.probes, ms: 0 } });
      expect(strip(b)).toEqual(strip(a));
      // another seed draws other probes
      const other = await classifyUnits({ ...opts, seed: 4 });
      expect(other.units.map((u) => u.backgroundEffect)).not.toEqual(a.units.map((u) => u.backgroundEffect));
    } finally {
      await model.release();
    }
  }, 240_000);
});
