/**
 * The offline agent end to end on a real unit of the built-in model: it must conclude, and what
 * it describes must actually drive the unit — fresh scenes with the described attributes (new
 * seeds, never seen by the run) activate it clearly more than scenes without them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfflineClient } from '../../src/engine/agent/clients/offline';
import { AgentRun } from '../../src/engine/agent/loop';
import type { AgentRunSettings } from '../../src/engine/agent/types';
import { render } from '../../src/engine/synth/render';
import { Rng } from '../../src/engine/synth/rng';
import { sampleSpec } from '../../src/engine/synth/sample';
import { parseSceneText, sceneFromText } from '../../src/engine/synth/text';
import { CLASSES } from '../../src/engine/synth/vocabulary';
import type { RawImage } from '../../src/engine/types';
import { openWorld, type World } from './world';

let w: World;
beforeAll(async () => {
  w = await openWorld(1500);
});
afterAll(() => w.model.release());

async function agent(label: string, unit: number) {
  const settings: AgentRunSettings = { subject: { kind: 'unit', layer: w.tensor(label), unit }, backend: { kind: 'offline', seesImages: false }, rounds: 25, seed: 3 };
  const ctx = w.ctx(settings.subject, settings.seed);
  const run = new AgentRun({ settings, client: createOfflineClient(), ctx });
  await run.run();
  return { run, ctx, settings };
}

async function unitMean(label: string, unit: number, images: RawImage[]): Promise<number> {
  const t = w.tensor(label);
  const r = await w.model.run({ images, maps: [{ layer: t, unit }] });
  const m = r.maps[`${t}#${unit}`];
  const hw = m.dims[1] * m.dims[2];
  let s = 0;
  for (let n = 0; n < images.length; n++) s += Math.max(...m.data.subarray(n * hw, (n + 1) * hw));
  return s / images.length;
}

describe('offline agent', () => {
  it('describes a unit of scenes-balanced, and the description predicts the unit on new scenes', async () => {
    const LAYER = 'stage3.block2.relu2';
    const { run } = await agent(LAYER, 1);
    expect(run.state).toBe('done');
    const kinds = run.events.filter((e) => e.type === 'tool').map((e) => (e.type === 'tool' ? e.call.name : ''));
    expect(kinds.slice(0, 3)).toEqual(['dataset_exemplars', 'summarize_images', 'text2image']);
    expect(kinds).toContain('edit_images');
    expect(run.events.filter((e) => e.type === 'hypotheses').length).toBeGreaterThanOrEqual(3);
    const { label, description } = run.result!;
    expect(label).not.toMatch(/unclear|weak/);
    expect(description).toMatch(/controls/);
    // the label's attributes, read by the scene parser; an OR label: either part
    const parts = label.split(/ OR /);
    const described: RawImage[] = [];
    const controls: RawImage[] = [];
    for (let i = 0; i < 16; i++) {
      const part = parts[i % parts.length].replace(/ AND /g, ' ');
      const { spec } = sceneFromText(part, w.banks, 90_000 + i);
      described.push({ width: 64, height: 64, channels: 3, data: render(spec, w.banks).pixels });
    }
    const wanted = parts.map((p) => parseSceneText(p.replace(/ AND /g, ' ')));
    expect(wanted.every((p) => p.ignored.length === 0)).toBe(true);
    const rng = new Rng(4242);
    while (controls.length < 32) {
      const spec = sampleSpec(rng, w.banks);
      const a = render(spec, w.banks).attributes;
      const has = wanted.some(({ partial: q }) => (q.class === undefined || q.class === a.class) && (q.color === undefined || q.color === a.color) && (q.background === undefined || q.background === a.background.kind));
      if (!has) controls.push({ width: 64, height: 64, channels: 3, data: render(spec, w.banks).pixels });
    }
    const on = await unitMean(LAYER, 1, described);
    const off = await unitMean(LAYER, 1, controls);
    expect(on).toBeGreaterThan(1.5 * off);
    expect(on - off).toBeGreaterThan(0.5);
  });

  it('describes a class logit as its class (logit 7 of the scene classifier is "sneaker")', async () => {
    const settings: AgentRunSettings = { subject: { kind: 'logit', index: 7 }, backend: { kind: 'offline', seesImages: false }, rounds: 25, seed: 3 };
    const run = new AgentRun({ settings, client: createOfflineClient(), ctx: w.ctx(settings.subject, 3) });
    expect(await run.run()).toBe('done');
    expect(run.result?.label).toBe(CLASSES[7]);
  });

  it('is deterministic: the same unit and seed give the same transcript text and numbers', async () => {
    const a = await agent('stage2.block1.relu2', 20);
    const b = await agent('stage2.block1.relu2', 20);
    const texts = (r: typeof a) => r.run.events.filter((e) => e.type === 'assistant').map((e) => (e.type === 'assistant' ? e.text : ''));
    expect(texts(a)).toEqual(texts(b));
    expect(a.run.result?.description).toBe(b.run.result?.description);
    expect(a.run.state).toBe('done');
  });
});
