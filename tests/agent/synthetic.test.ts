/**
 * The offline agent against synthetic units with a known formula (MAIA's synthetic neurons in our
 * scene world): one concept, A OR B, A AND B. The tools measure the formula instead of the model,
 * so the planner's whole protocol — exemplars, tests against matched controls, separating edits,
 * the mono/OR/AND conclusion — is checked against the ground truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineClient } from '../../src/engine/agent/clients/offline';
import { ImageStore } from '../../src/engine/agent/imageStore';
import { AgentRun } from '../../src/engine/agent/loop';
import { syntheticExemplars, syntheticValue, type SyntheticUnit } from '../../src/engine/agent/synthetic';
import type { AgentRunSettings } from '../../src/engine/agent/types';
import { openWorld, type World } from './world';

let w: World;
beforeAll(async () => {
  w = await openWorld(1500);
});
afterAll(() => w.model.release());

async function describeUnit(unit: SyntheticUnit) {
  const settings: AgentRunSettings = { subject: { kind: 'unit', layer: 'synthetic', unit: 0 }, backend: { kind: 'offline', seesImages: false }, rounds: 25, seed: 11 };
  const ctx = { model: w.model, subject: settings.subject, banks: w.banks, dataset: w.dataset, exemplars: syntheticExemplars(unit, w.dataset), images: new ImageStore(), seed: 11, synthetic: unit };
  const run = new AgentRun({ settings, client: createOfflineClient(), ctx });
  expect(await run.run()).toBe('done');
  return run.result!;
}

describe('offline agent on synthetic units', () => {
  it('the formula: AND needs both, OR either', () => {
    const s = { class: 'sneaker', color: 'red', texture: 'plain', background: 'foliage', backgroundKind: 'photo' };
    const and: SyntheticUnit = { logic: 'and', concepts: [{ key: 'color', value: 'red' }, { key: 'texture', value: 'stripes' }] };
    expect(syntheticValue(and, s)).toBeLessThan(syntheticValue(and, { ...s, texture: 'stripes' }));
    expect(syntheticValue({ ...and, logic: 'or' }, s)).toBe(syntheticValue(and, { ...s, texture: 'stripes' }));
  });

  it('finds a single concept', async () => {
    const r = await describeUnit({ logic: 'mono', concepts: [{ key: 'class', value: 'bag' }] });
    expect(r.label).toBe('bag');
  });

  it('finds an OR of two concepts of different kinds', async () => {
    const r = await describeUnit({ logic: 'or', concepts: [{ key: 'color', value: 'red' }, { key: 'background', value: 'foliage' }] });
    expect(r.label.split(' OR ').sort()).toEqual(['on grass', 'red']);
  });

  it('finds an AND of two concepts of different kinds', async () => {
    const r = await describeUnit({ logic: 'and', concepts: [{ key: 'color', value: 'blue' }, { key: 'texture', value: 'dots' }] });
    expect(r.label.split(' AND ').sort()).toEqual(['blue', 'dotted']);
  });
});
