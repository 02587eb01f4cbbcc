/**
 * `lab circuit` as a user runs it: the document it prints is the engine's circuit for the same
 * spec and the same images (picked by engine/circuits/concept, as the tab picks them), --out
 * writes the same document, and bad input exits 1 with the reason.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverCircuit } from '../../src/engine/circuits';
import { restOf, splitConcept } from '../../src/engine/circuits/concept';
import type { Circuit } from '../../src/engine/circuits/types';
import type { SceneDataset } from '../../src/engine/data/datasets';
import type { LoadedModel } from '../../src/engine/lab/loadedModel';
import { lab } from '../setup/runLab';
import { openScenes, openScenesModel, runtime, spec } from './helpers';

let model: LoadedModel;
let scenes: SceneDataset;
beforeAll(async () => {
  [model, scenes] = await Promise.all([openScenesModel(), openScenes()]);
}, 120_000);
afterAll(() => model?.release());

describe('lab circuit', () => {
  it('prints the circuit the engine finds for the same concept, and writes it with --out', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lab-circuit-')), 'c.json');
    const run = await lab('circuit', 'models/scenes-balanced.onnx', 'scenes-test', '--concept', 'class=bag,background=stripes', '--examples', '6', '--k', '3', '--random', '4', '--seed', '3', '--json', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const cli = JSON.parse(run.stdout) as Circuit;
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(cli);
    expect(cli.schema).toBe('lab.circuit/1');
    expect(cli.target).toEqual({ kind: 'logit', index: 8 });

    const matching = scenes.filter({ class: 'bag', background: 'stripes' });
    const split = splitConcept(matching, restOf(scenes.count, matching), 6, 6);
    expect(cli.examples).toEqual({ discovery: split.discovery, heldOut: split.heldOut });
    const load = (idx: number[]) => idx.map((i) => scenes.image(i));
    const engine = await discoverCircuit(
      runtime,
      model,
      spec({ concept: { kind: 'filter', filter: { class: 'bag', background: 'stripes' } }, examples: 6, heldOut: 6, target: { kind: 'logit', index: 8 }, k: 3, random: 4, seed: 3 }),
      {
        discovery: load(split.discovery),
        heldOut: load(split.heldOut),
        contrast: load(split.contrast),
        heldOutLabels: split.heldOut.map(() => 8),
        contrastLabels: split.contrast.map((i) => model.summary.labels!.indexOf(scenes.facets[i].class)),
        indices: { discovery: split.discovery, heldOut: split.heldOut },
      },
    );
    expect(cli.nodes).toEqual(engine.nodes);
    expect(cli.edges).toEqual(engine.edges);
    expect(cli.causal).toEqual(engine.causal);
  });

  it('exits 1 with the reason for a concept with no images and a target out of range', async () => {
    const none = await lab('circuit', 'models/scenes-balanced.onnx', 'scenes-test', '--concept', 'class=coat,color=nope');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/\[bad-request\] Unknown color/);
    const range = await lab('circuit', 'models/scenes-balanced.onnx', 'scenes-test', '--target', 'logit:12', '--random', '0');
    expect(range.code).toBe(1);
    expect(range.stderr).toMatch(/logit 12 is out of range.*0\.\.9/);
  });
});
