/**
 * The layer memo: a model the lab has opened before is reopened without its dry run (no session
 * over every intermediate tensor), with the same layers; another input size or other bytes run it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectModel } from '../../src/engine/lab/inspect';
import { layerMemoKey, memoryLayerMemo, type LayerMemo } from '../../src/engine/lab/layerMemo';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { Runtime } from '../../src/engine/runtime/types';
import { REPO_ROOT } from '../setup/fixturePaths';

/** The node runtime, counting the sessions it creates. */
function countingRuntime(): { runtime: Runtime; sessions: () => number } {
  const base = nodeRuntime();
  let n = 0;
  return {
    runtime: { ...base, createSession: (bytes, options) => (n++, base.createSession(bytes, options)) },
    sessions: () => n,
  };
}

describe('layer memo', () => {
  const bytes = new Uint8Array(readFileSync(join(REPO_ROOT, 'models/scenes-balanced.onnx')));

  it('skips the dry run for a model it has seen at that size, and gives the same layers', async () => {
    const memo = memoryLayerMemo();
    const first = countingRuntime();
    const a = await inspectModel(first.runtime, bytes, 'scenes-balanced', { layerMemo: memo });
    expect(first.sessions()).toBe(1); // the dry run
    expect(a.summary.layers.length).toBeGreaterThan(5);

    const second = countingRuntime();
    const b = await inspectModel(second.runtime, bytes, 'scenes-balanced', { layerMemo: memo });
    expect(second.sessions()).toBe(0);
    expect(b.summary.layers).toEqual(a.summary.layers);
  });

  it('runs the dry run again for other bytes; the key holds the input size', async () => {
    const memo = memoryLayerMemo();
    const counting = countingRuntime();
    await inspectModel(counting.runtime, bytes, 'scenes-balanced', { layerMemo: memo });
    const placeholder = new Uint8Array(readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx')));
    const other = await inspectModel(counting.runtime, placeholder, 'placeholder', { layerMemo: memo });
    expect(counting.sessions()).toBe(2);
    expect(await memo.get(layerMemoKey(other.summary.sha256, other.summary.preprocess.size))).toEqual(other.summary.layers);
    expect(layerMemoKey('ab', [64, 64])).not.toBe(layerMemoKey('ab', [96, 96]));
  });

  it('a memo that fails costs a dry run, never the model', async () => {
    const broken: LayerMemo = { get: () => Promise.reject(new Error('quota')), put: () => Promise.reject(new Error('quota')) };
    const counting = countingRuntime();
    const { summary } = await inspectModel(counting.runtime, bytes, 'scenes-balanced', { layerMemo: broken });
    expect(counting.sessions()).toBe(1);
    expect(summary.layers.length).toBeGreaterThan(5);
  });
});
