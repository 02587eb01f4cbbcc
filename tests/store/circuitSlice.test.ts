/**
 * The circuit slice over a fake engine: the spec a draft asks for, discovery with progress and
 * ETA, a failure that keeps the circuit on show, cancel, edits sent to the worker and checked,
 * circuit files, the link's circuit (and its edits) applied and discovered once the model is ready.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useLab } from '../../src/store';
import { setEngine } from '../../src/store/engine';
import { circuitLinkOf, specOfDraft } from '../../src/store/circuitSlice';
import { circuitFileText } from '../../src/store/circuitFile';
import { startCircuitSync } from '../../src/store/circuitSync';
import type { Circuit, CircuitSpec } from '../../src/engine/circuits/types';
import type { EngineRequest } from '../../src/worker/protocol';
import { cancellableEngine, summaryNamed, type CancellableHandler } from './fakeEngine';

const SUMMARY = { ...summaryNamed('m', [['conv1', 4], ['conv2', 8]]), labels: ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'] };
const fail = (code: string, message: string) => Object.assign(new Error(message), { code });
const tick = () => new Promise((r) => setTimeout(r, 5));

function circuitOf(spec: CircuitSpec): Circuit {
  return {
    schema: 'lab.circuit/1',
    model: { name: 'm', sha256: SUMMARY.sha256 },
    spec: { ...spec, target: { kind: 'logit', index: 4 }, layers: ['conv1', 'conv2'] },
    target: { kind: 'logit', index: 4 },
    layers: ['conv1', 'conv2'],
    nodes: [{ layer: 'conv2', unit: 1, score: 2, topExample: 0 }, { layer: 'conv1', unit: 3, score: 1, topExample: 1 }],
    edges: [{ from: { layer: 'conv2', unit: 1 }, to: { logit: 4 }, weight: 2 }, { from: { layer: 'conv1', unit: 3 }, to: { layer: 'conv2', unit: 1 }, weight: 1 }],
    ms: 10,
  };
}

const image = { width: 2, height: 2, channels: 3 as const, data: new Uint8Array(12) };

/** A worker with discovery (progress halfway, cancellable), edits and checks; `failNext` makes the next discovery fail. */
function worker(opts: { failNext?: boolean } = {}): CancellableHandler {
  let edits = 0;
  return async (req, signal, progress) => {
    switch (req.kind) {
      case 'discoverCircuit': {
        progress({ stage: 'circuit', fraction: 0.5, message: '', circuit: { stage: 'discovery', done: 1, total: 2 } });
        await new Promise((r) => setTimeout(r, 30));
        if (signal.aborted) throw fail('cancelled', 'Cancelled');
        if (opts.failNext) {
          opts.failNext = false;
          throw fail('bad-request', 'The concept has one image; a circuit needs at least 2.');
        }
        return { kind: 'discoverCircuit', circuit: circuitOf(req.spec), discovery: [image, image], heldOut: [image], heldOutLabels: [4], thumbs: [{ id: 'conv2#1', source: 'concept' as const, example: 0, value: 1.5, map: null }] };
      }
      case 'setEdits':
        if (req.edits.some((e) => e.kind === 'edge' && e.from.layer === e.to.layer)) throw fail('bad-request', 'The edits could not be applied: No single Conv joins conv1 to conv1.');
        edits = req.edits.length;
        return { kind: 'setEdits', count: edits, sha256: edits ? 'ef'.repeat(32) : null };
      case 'checkEdits':
        return { kind: 'checkEdits', labels: [4], base: { predicted: [4], accuracy: 1, targetLogit: 3 }, edited: edits ? { predicted: [2], accuracy: 0, targetLogit: 1 } : null, edits };
      case 'circuitLayers':
        return { kind: 'circuitLayers', modelSha256: SUMMARY.sha256, layers: ['conv2'] };
      default:
        throw fail('bad-request', `unexpected ${req.kind}`);
    }
  };
}

function engine(handler: CancellableHandler): EngineRequest[] {
  const { client, requests } = cancellableEngine(handler);
  setEngine(client);
  return requests;
}

beforeEach(() => {
  setEngine(null);
  useLab.setState(useLab.getInitialState(), true);
  useLab.setState({ summary: SUMMARY, status: 'ready', datasetId: 'scenes-test', datasetStatus: 'ready', panel: 'circuits' });
});
afterEach(() => setEngine(null));

describe('circuit slice', () => {
  it('plans the spec of a draft: engine default layers, the rest as contrast, a default target; unknown layers refused', () => {
    const planned = specOfDraft(useLab.getState());
    if ('problem' in planned) throw new Error(planned.problem);
    expect(planned.autoTarget).toBe(true);
    expect(planned.spec).toMatchObject({ layers: [], contrast: { kind: 'rest' }, k: 5, examples: 16, heldOut: 16, random: 20, method: 'cla', reduce: 'mean', seed: 0 });
    useLab.getState().setCircuitDraft({ layers: ['conv1', 'nope'], target: { kind: 'logit', index: 2 } });
    expect(specOfDraft(useLab.getState())).toEqual({ problem: 'There is no layer “nope” in m; pick layers the model lists.' });
    expect(circuitLinkOf(useLab.getState())).toEqual({ layers: ['conv1', 'nope'], target: { kind: 'logit', index: 2 } });
    useLab.setState(useLab.getInitialState(), true);
    expect(circuitLinkOf(useLab.getState())).toBeUndefined();
  });

  it('discovers with progress and ETA, shows thumbnails and the held-out check; a failure keeps the circuit', async () => {
    const handler = { failNext: false };
    const requests = engine(worker(handler));
    useLab.getState().setCircuitDraft({ concept: { kind: 'filter', filter: { class: 'coat' } }, k: 3 });
    const stages: string[] = [];
    const unsub = useLab.subscribe((s) => s.circuitProgress && stages.push(`${s.circuitProgress.stage} ${s.circuitProgress.done}/${s.circuitProgress.total}`));
    await useLab.getState().discoverCircuit();
    unsub();
    expect(stages).toContain('discovery 1/2');
    expect(requests[0]).toMatchObject({ kind: 'discoverCircuit', datasetId: 'scenes-test', autoTarget: true, spec: { concept: { kind: 'filter', filter: { class: 'coat' } }, k: 3 } });
    const s = useLab.getState();
    expect(s.circuitStatus).toBe('ready');
    expect(s.circuit?.nodes).toHaveLength(2);
    expect(Object.keys(s.circuitExamples!.thumbs)).toEqual(['conv2#1']);
    expect(s.circuitCheck?.base.accuracy).toBe(1);

    handler.failNext = true;
    await useLab.getState().discoverCircuit();
    expect(useLab.getState()).toMatchObject({ circuitStatus: 'error', circuitError: expect.stringMatching(/one image/) });
    expect(useLab.getState().circuit?.nodes).toHaveLength(2);
    expect(useLab.getState().notices.at(-1)?.title).toMatch(/one image/);
  });

  it('cancels a discovery in flight', async () => {
    engine(worker());
    const run = useLab.getState().discoverCircuit();
    await tick();
    useLab.getState().cancelCircuit();
    await run;
    expect(useLab.getState()).toMatchObject({ circuitStatus: 'cancelled', circuit: null, circuitError: null });
  });

  it('sends ablations and pruned edges to the worker and checks them on the held-out examples', async () => {
    const requests = engine(worker());
    await useLab.getState().discoverCircuit();
    await useLab.getState().toggleUnitAblation({ layer: 'conv2', unit: 1 });
    expect(requests.filter((r) => r.kind === 'setEdits').at(-1)).toEqual({ kind: 'setEdits', edits: [{ kind: 'unit', layer: 'conv2', unit: 1, scale: 0 }] });
    expect(useLab.getState()).toMatchObject({ circuitEditsState: 'applied', circuitEditedSha: 'ef'.repeat(32) });
    expect(useLab.getState().circuitCheck?.edited?.targetLogit).toBe(1);
    await useLab.getState().toggleEdgePrune({ layer: 'conv1', unit: 3 }, { layer: 'conv2', unit: 1 });
    expect(useLab.getState().circuitEdits).toEqual([
      { kind: 'unit', layer: 'conv2', unit: 1, scale: 0 },
      { kind: 'edge', from: { layer: 'conv1', unit: 3 }, to: { layer: 'conv2', unit: 1 } },
    ]);
    expect(circuitLinkOf(useLab.getState())?.edits).toHaveLength(2);
    // An edge no single Conv joins is refused with its reason, and the edits in force stay.
    await useLab.getState().toggleEdgePrune({ layer: 'conv1', unit: 0 }, { layer: 'conv1', unit: 1 });
    expect(useLab.getState().notices.at(-1)?.title).toMatch(/No single Conv joins/);
    expect(useLab.getState().circuitEdits).toHaveLength(2);
    expect(useLab.getState().circuitEditsState).toBe('applied');
    await useLab.getState().toggleUnitAblation({ layer: 'conv2', unit: 1 });
    await useLab.getState().toggleEdgePrune({ layer: 'conv1', unit: 3 }, { layer: 'conv2', unit: 1 });
    expect(useLab.getState()).toMatchObject({ circuitEdits: [], circuitEditsState: 'none', circuitEditedSha: null });
    expect(useLab.getState().circuitCheck?.edited).toBeNull();
  });

  it('opens circuit files, refusing what is not one with a notice', async () => {
    engine(worker());
    await useLab.getState().importCircuitFile(new Blob(['{"schema":"other"}']), 'x.json');
    expect(useLab.getState().notices.at(-1)?.title).toBe('x.json is not a circuit file: its schema is "other", not "lab.circuit/1"');
    await useLab.getState().importCircuitFile(new Blob(['not json']), 'y.json');
    expect(useLab.getState().notices.at(-1)?.title).toMatch(/not JSON/);
    expect(useLab.getState().circuit).toBeNull();
    const spec = specOfDraft(useLab.getState());
    if ('problem' in spec) throw new Error(spec.problem);
    const c = circuitOf({ ...spec.spec, k: 7, seed: 9 });
    await useLab.getState().importCircuitFile(new Blob([circuitFileText(c)]), 'c.json');
    expect(useLab.getState()).toMatchObject({ circuitSource: 'file', circuitExamples: null, circuit: c });
    expect(useLab.getState().circuitDraft).toMatchObject({ k: 7, seed: 9, layers: ['conv1', 'conv2'], target: { kind: 'logit', index: 4 } });
  });

  it('applies a link’s circuit and edits, discovers once the model is ready, and re-sends edits on each load', async () => {
    const requests = engine(worker());
    useLab.setState({ summary: null, status: 'loading' });
    const stop = startCircuitSync(useLab);
    useLab.getState().applyCircuitLink({ concept: { kind: 'filter', filter: { class: 'coat' } }, k: 3, edits: [{ kind: 'unit', layer: 'conv1', unit: 0, scale: 0 }] }, true);
    expect(useLab.getState()).toMatchObject({ circuitPendingRun: true, circuitDraft: { k: 3 } });
    await tick();
    expect(requests).toEqual([]);
    useLab.setState({ summary: SUMMARY, status: 'ready' });
    await new Promise((r) => setTimeout(r, 120));
    expect(requests.map((r) => r.kind)).toEqual(expect.arrayContaining(['setEdits', 'circuitLayers', 'discoverCircuit', 'checkEdits']));
    expect(useLab.getState()).toMatchObject({ circuitStatus: 'ready', circuitPendingRun: false, circuitDefaultLayers: { layers: ['conv2'] } });
    // A reload of the same model (a backend change) gets the edits again; another model drops them.
    const before = requests.filter((r) => r.kind === 'setEdits').length;
    useLab.setState({ summary: { ...SUMMARY } });
    await tick();
    expect(requests.filter((r) => r.kind === 'setEdits').length).toBe(before + 1);
    useLab.setState({ summary: { ...SUMMARY, sha256: '12'.repeat(32) } });
    await tick();
    expect(useLab.getState()).toMatchObject({ circuitEdits: [], circuit: null });
    stop();
  });
});
