/** Accuracy by group for the agent experiments: balanced (mean per-class recall) and worst (class, attribute) group. */
import type { SceneDataset } from '../../data/datasets';
import type { LoadedModel } from '../../lab/loadedModel';
import type { RawImage } from '../../types';

/** Groups with fewer test images than this are left out of the worst group (the models' cards use 20). */
export const MIN_GROUP = 20;

export interface GroupAccuracy {
  group: string;
  n: number;
  accuracy: number;
}

export interface Scores {
  accuracy: number;
  balancedAccuracy: number;
  worstGroup: GroupAccuracy;
}

/** Accuracy of each group (key per example), sorted worst first; groups under `min` images left out. */
export function groupAccuracies(pred: ArrayLike<number>, truth: ArrayLike<number>, groups: readonly string[], min = MIN_GROUP): GroupAccuracy[] {
  const tally = new Map<string, { n: number; right: number }>();
  for (let i = 0; i < groups.length; i++) {
    const t = tally.get(groups[i]) ?? { n: 0, right: 0 };
    t.n++;
    if (pred[i] === truth[i]) t.right++;
    tally.set(groups[i], t);
  }
  return [...tally]
    .filter(([, t]) => t.n >= min)
    .map(([group, t]) => ({ group, n: t.n, accuracy: t.right / t.n }))
    .sort((a, b) => a.accuracy - b.accuracy || a.group.localeCompare(b.group));
}

export function scores(pred: ArrayLike<number>, truth: ArrayLike<number>, groups: readonly string[], classes: number): Scores {
  const n = truth.length;
  let right = 0;
  const per = Array.from({ length: classes }, () => ({ n: 0, right: 0 }));
  for (let i = 0; i < n; i++) {
    per[truth[i]].n++;
    if (pred[i] === truth[i]) {
      right++;
      per[truth[i]].right++;
    }
  }
  const present = per.filter((p) => p.n > 0);
  const worst = groupAccuracies(pred, truth, groups)[0] ?? { group: '(no group of 20)', n: 0, accuracy: NaN };
  return { accuracy: right / n, balancedAccuracy: present.reduce((a, p) => a + p.right / p.n, 0) / present.length, worstGroup: worst };
}

/** "coat on earth": a scene's (class, background kind) group. */
export function backgroundGroup(ds: SceneDataset, i: number): string {
  const f = ds.facets[i];
  return `${f.class} on ${f.background.kind}`;
}

/** Images of the dataset in batches, as the model runs them. */
export function* batches(ds: SceneDataset, indices: readonly number[], size = 64): Generator<{ start: number; images: RawImage[] }> {
  for (let s = 0; s < indices.length; s += size) yield { start: s, images: indices.slice(s, s + size).map((i) => ds.image(i)) };
}

/** The model's own predictions (argmax of its logits) on dataset scenes. */
export async function modelPredictions(model: LoadedModel, ds: SceneDataset, indices: readonly number[], signal?: AbortSignal): Promise<Int32Array> {
  const out = new Int32Array(indices.length);
  for (const { start, images } of batches(ds, indices)) {
    const t = await model.logits(images, signal);
    const C = t.dims[1];
    for (let n = 0; n < images.length; n++) {
      let best = 0;
      for (let k = 1; k < C; k++) if (t.data[n * C + k] > t.data[n * C + best]) best = k;
      out[start + n] = best;
    }
  }
  return out;
}
