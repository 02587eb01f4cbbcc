import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useLab } from '../../src/store';
import { setEngine } from '../../src/store/engine';
import { exportExperiment, openExperimentFile, openExperimentUrl } from '../../src/store/experimentActions';
import { parseExperiment } from '../../src/engine/experiment/codec';
import { fakeEngine, summaryNamed } from './fakeEngine';
import type { Circuit } from '../../src/engine/circuits/types';

beforeEach(() => {
  useLab.setState(useLab.getInitialState(), true);
  // Any engine request the tests trigger (a dataset page) is answered with an error: nothing here needs one.
  setEngine(fakeEngine(() => ({ error: 'internal', message: 'not in this test' })).client);
});
afterEach(() => setEngine(null));

const rgb = { width: 4, height: 3, channels: 3 as const, data: new Uint8Array(36).map((_, i) => i * 7) };

/** A view to keep: a model from a file, the Exemplars panel with a unit open. */
function openView() {
  useLab.setState({
    summary: summaryNamed('mine.onnx'),
    source: { kind: 'file', name: 'mine.onnx' },
    status: 'ready',
    panel: 'exemplars',
    layer: 'conv1',
    unit: 3,
    datasetId: 'scenes-test',
  });
}

function viewOf() {
  const s = useLab.getState();
  return { panel: s.panel, layer: s.layer, unit: s.unit, model: s.summary?.name };
}

function lastNotice() {
  return useLab.getState().notices.at(-1);
}

function response(body: BodyInit | null, headers: Record<string, string> = {}, status = 200): Response {
  return new Response(body, { status, headers });
}

describe('exporting an experiment', () => {
  it('writes the link through the codec, the model by sha256 and the upscale images with their hashes', async () => {
    openView();
    useLab.setState({ panel: 'upscale', upInput: { name: 'photo.png', role: 'lr', image: rgb, truth: { name: 'hr.png', image: { ...rgb, width: 2, height: 6 } } } });
    const out = (await exportExperiment(useLab))!;
    expect(out.name).toMatch(/^upscale-mine-\d{4}-\d\d-\d\d\.labexp\.json$/);
    const opened = parseExperiment(out.text);
    expect(opened.file.link).toBe('#/upscale?v=1&layer=conv1&unit=3&dataset=scenes-test');
    expect(opened.file.model).toEqual({ name: 'mine.onnx', sha256: 'ab'.repeat(32) });
    expect(opened.images.map((i) => [i.role, i.name])).toEqual([
      ['upscale-lr', 'photo.png'],
      ['upscale-truth', 'hr.png'],
    ]);
    expect(Array.from(opened.images[0].image.data)).toEqual(Array.from(rgb.data));
  });
  it('says so when there is no model to name', async () => {
    expect(await exportExperiment(useLab)).toBeNull();
    expect(lastNotice()?.title).toBe('Nothing to export yet');
  });
});

describe('opening an experiment', () => {
  it('applies a file’s link and names the model it needs when another one is open', async () => {
    openView();
    const text = (await exportExperiment(useLab))!.text.replace('ab'.repeat(32), 'cd'.repeat(32)).replace('#/exemplars?v=1&layer=conv1&unit=3', '#/exemplars?v=1&layer=conv1&unit=5');
    await openExperimentFile(useLab, new File([text], 'shared.labexp.json'));
    expect(viewOf()).toEqual({ panel: 'exemplars', layer: 'conv1', unit: 5, model: 'mine.onnx' });
    expect(lastNotice()?.title).toBe(`This experiment was made with the model “mine.onnx” (sha256 ${'cd'.repeat(6)}…), which is not the one open`);
    expect(lastNotice()?.hint).toMatch(/^Open “mine.onnx” as a file/);
  });

  it('refuses malformed, wrong-schema and oversized files with a notice and keeps the view', async () => {
    openView();
    const cases: Array<[BlobPart, RegExp]> = [
      ['{"schema":"lab.experiment/1","link":"#/model"', /not valid JSON \(it looks cut off/],
      ['{"schema":"lab.circuit/1"}', /“lab.circuit\/1” file, not an experiment/],
      ['<script>alert(1)</script>', /not valid JSON/],
    ];
    for (const [body, title] of cases) {
      await openExperimentFile(useLab, new File([body], 'x.labexp.json'));
      expect(lastNotice()?.title).toMatch(title);
      expect(viewOf()).toEqual({ panel: 'exemplars', layer: 'conv1', unit: 3, model: 'mine.onnx' });
    }
    // The size is checked before a byte is read.
    const huge = { name: 'huge.labexp.json', size: 101 * 1024 * 1024, arrayBuffer: () => Promise.reject(new Error('read')) } as unknown as File;
    await openExperimentFile(useLab, huge);
    expect(lastNotice()?.title).toMatch(/larger than the lab's limit of 100 MB/);
    expect(useLab.getState().experimentBusy).toBe(false);
  });

  it('refuses unreachable, non-CORS, HTML, non-JSON, missing and oversized exp= addresses with a notice', async () => {
    openView();
    const cases: Array<[typeof fetch, RegExp]> = [
      [() => Promise.reject(new TypeError('Failed to fetch')), /^The linked experiment: Could not reach example\.org/],
      [() => Promise.resolve(response('<html></html>', { 'content-type': 'text/html' })), /web page, not an experiment file/],
      [() => Promise.resolve(response('not json at all')), /was refused: the file is not valid JSON/],
      [() => Promise.resolve(response('gone', {}, 404)), /The server answered 404/],
      [() => Promise.resolve(response('{}', { 'content-length': String(200 * 1024 * 1024) })), /This experiment file is too large/],
    ];
    for (const [fetchImpl, title] of cases) {
      await openExperimentUrl(useLab, 'https://example.org/e.labexp.json', fetchImpl);
      expect(lastNotice()?.title).toMatch(title);
      expect(viewOf()).toEqual({ panel: 'exemplars', layer: 'conv1', unit: 3, model: 'mine.onnx' });
    }
    await openExperimentUrl(useLab, 'javascript:alert(1)', () => Promise.reject(new Error('must not fetch')));
    expect(lastNotice()?.title).toMatch(/its address “javascript:” addresses are not allowed/);
  });
});

describe('a circuit in an experiment', () => {
  it('carries the circuit with its causal results and the concept images, and opens them in the Circuits panel', async () => {
    openView();
    const summary = { ...summaryNamed('mine.onnx', [['conv1', 4], ['conv2', 8]]), labels: ['a', 'b', 'c', 'd', 'e'] };
    const circuit: Circuit = {
      schema: 'lab.circuit/1',
      model: { name: 'mine.onnx', sha256: summary.sha256 },
      spec: { concept: { kind: 'images', count: 1 }, examples: 16, heldOut: 16, target: { kind: 'logit', index: 4 }, layers: ['conv1', 'conv2'], k: 5, method: 'cla', reduce: 'mean', ablation: 'zero', random: 20, seed: 3 },
      target: { kind: 'logit', index: 4 },
      layers: ['conv1', 'conv2'],
      nodes: [{ layer: 'conv2', unit: 1, score: 2 }, { layer: 'conv1', unit: 3, score: 1 }],
      edges: [{ from: { layer: 'conv2', unit: 1 }, to: { logit: 4 }, weight: 2 }, { from: { layer: 'conv1', unit: 3 }, to: { layer: 'conv2', unit: 1 }, weight: 1 }],
      causal: {
        necessity: { effect: 0.5, randomMean: 0.1, randomSd: 0.1, z: 4, p: 0.05 },
        sufficiency: { effect: 0.4, randomMean: 0.1, randomSd: 0.1, z: 3, p: 0.05 },
        specificity: { effect: 0.01, randomMean: 0.01, randomSd: 0.01, z: 0, p: 0.5 },
      },
      ms: 10,
    };
    useLab.setState({ summary, panel: 'circuits', circuit, circuitUploads: [{ name: 'red.png', image: rgb }] });
    const out = (await exportExperiment(useLab))!;
    const opened = parseExperiment(out.text);
    expect(opened.file.circuit?.value).toEqual(circuit);
    expect(opened.images.map((i) => [i.role, i.name])).toEqual([['concept', 'red.png']]);

    useLab.setState({ circuit: null, circuitUploads: [] });
    await openExperimentFile(useLab, new File([out.text], 'c.labexp.json'));
    expect(useLab.getState().circuit?.causal).toEqual(circuit.causal);
    expect(useLab.getState().circuitUploads.map((u) => u.name)).toEqual(['red.png']);
    expect(useLab.getState().panel).toBe('circuits');
  });
});

describe('an agent transcript in an experiment', () => {
  it('carries the shown transcript, never the key, and opens it in the Agent panel', async () => {
    openView();
    const KEY = 'sk-live-SECRET-abcdef0123456789';
    const transcript = {
      schema: 'lab.agent-transcript/1' as const,
      model: { name: 'mine.onnx', sha256: 'ab'.repeat(32) },
      settings: { subject: { kind: 'unit' as const, layer: 'conv1', unit: 3 }, backend: { kind: 'offline' as const, seesImages: true }, rounds: 3, seed: 1 },
      events: [{ type: 'final' as const, round: 1, description: 'fires on red', label: 'red' }],
      images: [],
      result: { description: 'fires on red', label: 'red', rounds: 1, toolCalls: 0, ms: 5 },
    };
    expect(useLab.getState().importAgentTranscript(JSON.stringify(transcript))).toBe(true);
    useLab.setState({ panel: 'agent', agentKey: KEY });
    const out = (await exportExperiment(useLab))!;
    expect(out.text).not.toContain(KEY);
    expect(out.file.transcript?.value.result?.label).toBe('red');

    useLab.setState({ agentRun: null });
    await openExperimentFile(useLab, new File([out.text], 'a.labexp.json'));
    expect(useLab.getState().agentRun?.source).toBe('imported');
    expect(useLab.getState().agentRun?.result?.label ?? useLab.getState().agentRun?.transcript?.result?.label).toBe('red');
  });
});
