import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useLab } from '../../src/store';
import { MAX_NOTICES } from '../../src/store/noticeSlice';
import { hasEngine, setEngine, setEngineFactory } from '../../src/store/engine';
import { MAX_MODEL_BYTES } from '../../src/worker/protocol';
import { fakeEngine, fakeFile, summaryNamed } from './fakeEngine';

beforeEach(() => {
  setEngine(null);
  useLab.setState(useLab.getInitialState(), true);
});
afterEach(() => setEngine(null));

describe('notices', () => {
  it('pushes, dismisses and clears', () => {
    const { pushNotice, dismissNotice, clearNotices } = useLab.getState();
    const a = pushNotice({ level: 'info', title: 'a' });
    const b = pushNotice({ level: 'error', title: 'b', detail: 'd', hint: 'h' });
    expect(useLab.getState().notices.map((n) => n.title)).toEqual(['a', 'b']);
    expect(a).not.toBe(b);
    dismissNotice(a);
    expect(useLab.getState().notices).toEqual([{ id: b, level: 'error', title: 'b', detail: 'd', hint: 'h' }]);
    dismissNotice(12345);
    expect(useLab.getState().notices).toHaveLength(1);
    clearNotices();
    expect(useLab.getState().notices).toEqual([]);
  });

  it('shows an identical notice once and keeps at most MAX_NOTICES', () => {
    const { pushNotice } = useLab.getState();
    pushNotice({ level: 'warning', title: 'same' });
    pushNotice({ level: 'info', title: 'other' });
    pushNotice({ level: 'warning', title: 'same' });
    expect(useLab.getState().notices.map((n) => n.title)).toEqual(['other', 'same']);
    for (let i = 0; i < 20; i++) pushNotice({ level: 'info', title: `n${i}` });
    const notices = useLab.getState().notices;
    expect(notices).toHaveLength(MAX_NOTICES);
    expect(notices.at(-1)!.title).toBe('n19');
  });
});

describe('view', () => {
  it('switches panels and selects layers and units', () => {
    const s = useLab.getState();
    s.setPanel('circuits');
    expect(useLab.getState().panel).toBe('circuits');
    s.selectLayer('conv1');
    s.selectUnit(3);
    expect(useLab.getState()).toMatchObject({ layer: 'conv1', unit: 3 });
    s.selectLayer('conv1'); // same layer keeps the unit
    expect(useLab.getState().unit).toBe(3);
    s.selectLayer('conv2'); // another layer clears it
    expect(useLab.getState()).toMatchObject({ layer: 'conv2', unit: null });
  });

  it('refuses invalid units with a notice', () => {
    const s = useLab.getState();
    s.selectLayer('conv1');
    for (const bad of [-1, 1.5, Number.NaN, Infinity]) s.selectUnit(bad);
    expect(useLab.getState().unit).toBeNull();
    expect(useLab.getState().notices.length).toBeGreaterThan(0);
    expect(useLab.getState().notices.every((n) => n.level === 'warning')).toBe(true);
  });

  it('checks layers and units against the loaded model', () => {
    useLab.setState({ summary: summaryNamed('m', [['conv1', 8]]), status: 'ready' });
    const s = useLab.getState();
    s.selectLayer('nope');
    expect(useLab.getState().layer).toBeNull();
    s.selectLayer('conv1');
    s.selectUnit(8);
    expect(useLab.getState().unit).toBeNull();
    s.selectUnit(7);
    expect(useLab.getState().unit).toBe(7);
    expect(useLab.getState().notices.map((n) => n.title).join('\n')).toMatch(/no layer “nope”[\s\S]*8 channels/);
  });
});

describe('model loading', () => {
  it('refuses a file over MAX_MODEL_BYTES before reading it, without touching the engine', async () => {
    const previous = summaryNamed('previous.onnx');
    useLab.setState({ summary: previous, status: 'ready', source: { kind: 'builtin', id: 'placeholder-fmnist' } });
    const file = fakeFile('huge.onnx', MAX_MODEL_BYTES + 1);
    await useLab.getState().loadFile(file);
    const s = useLab.getState();
    expect(file.reads).toBe(0);
    expect(hasEngine()).toBe(false);
    expect(s.summary).toBe(previous);
    expect(s.status).toBe('ready');
    expect(s.source).toEqual({ kind: 'builtin', id: 'placeholder-fmnist' });
    expect(s.notices).toHaveLength(1);
    const n = s.notices[0];
    expect(n.level).toBe('error');
    expect(n.title).toMatch(/huge\.onnx/);
    expect(n.detail).toMatch(/1 GB/);
    expect(n.hint).toMatch(/`lab`.*2 GB.*fp16/);
  });

  it('counts external data files in the limit, and opens one model of a multi-file pick', async () => {
    useLab.setState({ summary: null, status: 'idle', source: null });
    const model = fakeFile('vit.onnx', 2 ** 20);
    const data = fakeFile('vit.onnx.data', MAX_MODEL_BYTES);
    await useLab.getState().loadFiles([data, model] as unknown as File[]);
    expect(model.reads).toBe(0);
    expect(hasEngine()).toBe(false);
    expect(useLab.getState().notices.at(-1)!.title).toMatch(/vit\.onnx” with its 1 other file/);
    await useLab.getState().loadFiles([fakeFile('a.onnx', 10), fakeFile('b.onnx', 10)] as unknown as File[]);
    expect(useLab.getState().notices.at(-1)!.title).toMatch(/2 \.onnx files/);
  });

  it('refuses a javascript: address without touching the engine', async () => {
    await useLab.getState().loadUrl('javascript:alert(1)');
    expect(hasEngine()).toBe(false);
    expect(useLab.getState().status).toBe('idle');
    expect(useLab.getState().notices[0].detail).toMatch(/not allowed/);
  });

  it('loads a file through the engine (configure, then loadModel)', async () => {
    const { client, requests } = fakeEngine((req) => {
      if (req.kind === 'configure') return { kind: 'configure', ok: true };
      if (req.kind === 'loadModel') return { kind: 'loadModel', summary: summaryNamed(req.name), backend: { name: 'wasm', threads: 2, fallbackReason: null } };
      return { error: 'internal', message: 'unexpected' };
    });
    setEngine(client);
    await useLab.getState().loadFile(fakeFile('tiny.onnx', 4));
    const s = useLab.getState();
    expect(requests.map((r) => r.kind)).toEqual(['configure', 'loadModel']);
    expect(requests[0]).toMatchObject({ prefer: ['wasm'] }); // no WebGPU under Node
    expect(s.status).toBe('ready');
    expect(s.summary?.name).toBe('tiny.onnx');
    expect(s.source).toEqual({ kind: 'file', name: 'tiny.onnx' });
    expect(s.backend).toEqual({ name: 'wasm', threads: 2, fallbackReason: null });
    expect(s.progress).toBeNull();
  });

  it('keeps the previous model when a load fails, and explains the engine error', async () => {
    let fail = false;
    const { client } = fakeEngine((req) => {
      if (req.kind === 'configure') return { kind: 'configure', ok: true };
      if (req.kind === 'loadModel') {
        return fail
          ? { error: 'no-image-input', message: 'input "x" is [1, 10]' }
          : { kind: 'loadModel', summary: summaryNamed(req.name), backend: { name: 'wasm', threads: 1, fallbackReason: null } };
      }
      return { error: 'internal', message: 'unexpected' };
    });
    setEngine(client);
    await useLab.getState().loadFile(fakeFile('good.onnx', 4));
    const good = useLab.getState().summary;
    fail = true;
    await useLab.getState().loadFile(fakeFile('bad.onnx', 4));
    const s = useLab.getState();
    expect(s.summary).toBe(good);
    expect(s.source).toEqual({ kind: 'file', name: 'good.onnx' });
    expect(s.status).toBe('ready');
    expect(s.loadError).toMatch(/no image input/);
    expect(s.notices.at(-1)).toMatchObject({ level: 'error', detail: 'input "x" is [1, 10]' });
    expect(s.notices.at(-1)!.hint).toMatch(/NCHW[\s\S]*good\.onnx is still loaded/);
  });

  it('names a PyTorch checkpoint before sending it to the engine', async () => {
    const { client, requests } = fakeEngine(() => ({ kind: 'configure', ok: true }));
    setEngine(client);
    await useLab.getState().loadFile(fakeFile('model.pt', 8, new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0])));
    expect(requests).toHaveLength(0);
    expect(useLab.getState().status).toBe('error');
    expect(useLab.getState().notices[0].title).toMatch(/zip/);
  });

  it('clears a selected layer the new model lacks', async () => {
    const { client } = fakeEngine((req) =>
      req.kind === 'loadModel'
        ? { kind: 'loadModel', summary: summaryNamed(req.name, [['other', 4]]), backend: { name: 'wasm', threads: 1, fallbackReason: null } }
        : { kind: 'configure', ok: true },
    );
    setEngine(client);
    useLab.getState().applyView({ layer: 'conv1', unit: 2 });
    await useLab.getState().loadFile(fakeFile('m.onnx', 4));
    expect(useLab.getState()).toMatchObject({ layer: null, unit: null });
    expect(useLab.getState().notices[0].title).toMatch(/no layer “conv1”/);
  });

  it('backend preference change starts a fresh engine, configures it and reloads the current model', async () => {
    const engines: Array<ReturnType<typeof fakeEngine>> = [];
    setEngineFactory(() => {
      const engine = fakeEngine((req) =>
        req.kind === 'loadModel'
          ? { kind: 'loadModel', summary: summaryNamed(req.name), backend: { name: 'webgpu', threads: 1, fallbackReason: null } }
          : { kind: 'configure', ok: true },
      );
      engines.push(engine);
      return engine.client;
    });
    try {
      await useLab.getState().loadFile(fakeFile('m.onnx', 4));
      await useLab.getState().setBackendPreference('webgpu');
      // onnxruntime-web fixes its build at first use, so the second backend gets its own worker.
      expect(engines.map((e) => e.requests.map((r) => r.kind))).toEqual([['configure', 'loadModel'], ['configure', 'loadModel']]);
      expect(engines[1].requests[0]).toMatchObject({ prefer: ['webgpu', 'wasm'] });
      expect(useLab.getState().backend?.name).toBe('webgpu');
    } finally {
      setEngineFactory(null);
    }
  });

  it('predictImage asks for a model first, then reports the engine result', async () => {
    await useLab.getState().predictImage({ width: 1, height: 1, channels: 3, data: new Uint8Array(3) });
    expect(useLab.getState().notices[0].title).toMatch(/Load a model/);
    const prediction = { probabilities: [1], top: [{ index: 0, label: 'T-shirt', probability: 1 }], logits: [3], ms: 1.5 };
    const { client } = fakeEngine((req) => (req.kind === 'predict' ? { kind: 'predict', prediction } : { kind: 'configure', ok: true }));
    setEngine(client);
    useLab.setState({ summary: summaryNamed('m'), status: 'ready' });
    await useLab.getState().predictImage({ width: 1, height: 1, channels: 3, data: new Uint8Array(3) }, 'Shirt');
    expect(useLab.getState()).toMatchObject({ prediction, running: false, trueLabel: 'Shirt' });
  });
});
