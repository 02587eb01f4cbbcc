/** The dataset slice over a fake engine, and the dataset part of the URL sync. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useLab } from '../../src/store';
import { setEngine, setEngineFactory } from '../../src/store/engine';
import { DATASET_PAGE_SIZE, sceneLabel } from '../../src/store/datasetSlice';
import { startUrlSync, type UrlWindow } from '../../src/store/urlSync';
import type { DatasetFilter, DatasetInfo, DatasetItem, FacetCounts } from '../../src/engine/data/datasets';
import type { EngineRequest } from '../../src/worker/protocol';
import { fakeEngine, summaryNamed, type Answer } from './fakeEngine';
import { DEFAULT_BUILTIN_ID } from '../../src/store/builtins';

const INFO: DatasetInfo = {
  kind: 'scenes', id: 'scenes-test', title: 'Scenes', description: '', count: 200, width: 64, height: 64,
  classes: [], colors: [], textures: [], backgroundKinds: [],
  sha256: 'cd'.repeat(32), seed: 1, split: 'test', variant: 'balanced', generatorVersion: 1, openMs: 10,
};
const counts: FacetCounts = { class: [1], color: [1], texture: [1], background: [1] };

function item(index: number): DatasetItem {
  return {
    index,
    attributes: { class: 'sneaker', classIndex: 7 } as DatasetItem['attributes'],
    image: { width: 64, height: 64, channels: 3, data: new Uint8Array(64 * 64 * 3) },
  };
}

/** A fake dataset of 200 scenes; a filter on class keeps every 10th scene. */
function datasetEngine(extra?: (req: EngineRequest) => Answer | undefined) {
  return fakeEngine((req) => {
    const other = extra?.(req);
    if (other) return other;
    if (req.kind === 'openDataset') return req.id === 'scenes-test' ? { kind: 'openDataset', info: INFO } : { error: 'bad-request', message: 'no such dataset' };
    if (req.kind === 'datasetPage') {
      const all = Array.from({ length: 200 }, (_, i) => i).filter((i) => !req.filter.class || i % 10 === 0);
      const items = all.slice(req.offset, req.offset + req.limit).map(item);
      return { kind: 'datasetPage', total: all.length, offset: req.offset, items, counts };
    }
    if (req.kind === 'predict') return { kind: 'predict', prediction: { probabilities: [1], top: [], logits: [1], ms: 1 } };
    return { kind: 'configure', ok: true };
  });
}

beforeEach(() => {
  setEngine(null);
  useLab.setState(useLab.getInitialState(), true);
});
afterEach(() => {
  setEngine(null);
  vi.unstubAllGlobals();
});

describe('dataset slice', () => {
  it('opens a dataset, then fetches its first page with the assets address', async () => {
    const { client, requests } = datasetEngine();
    setEngine(client);
    await useLab.getState().openDataset('scenes-test');
    const s = useLab.getState();
    expect(requests.map((r) => r.kind)).toEqual(['openDataset', 'datasetPage']);
    expect(requests[0]).toMatchObject({ id: 'scenes-test', assets: 'http://localhost/assets/' });
    expect(requests[1]).toMatchObject({ id: 'scenes-test', filter: {}, offset: 0, limit: DATASET_PAGE_SIZE });
    expect(s).toMatchObject({ datasetStatus: 'ready', datasetInfo: INFO, datasetProgress: null, datasetId: 'scenes-test' });
    expect(s.datasetPage?.total).toBe(200);
    expect(s.datasetPage?.items.map((i) => i.index)).toEqual(Array.from({ length: 48 }, (_, i) => i));
  });

  it('a filter goes back to page 1; pages snap to page starts; a page past the end moves to the last', async () => {
    const { client, requests } = datasetEngine();
    setEngine(client);
    await useLab.getState().openDataset('scenes-test');
    await useLab.getState().setDatasetPage(100); // inside page 3
    expect(useLab.getState().datasetOffset).toBe(96);
    expect(useLab.getState().datasetPage?.items[0].index).toBe(96);
    await useLab.getState().setDatasetFilter({ class: 'sneaker' });
    expect(useLab.getState()).toMatchObject({ datasetOffset: 0, datasetFilter: { class: 'sneaker' } });
    expect(useLab.getState().datasetPage?.total).toBe(20);
    // the same view again asks nothing
    const n = requests.length;
    await useLab.getState().setDatasetFilter({ class: 'sneaker', color: undefined });
    expect(requests.length).toBe(n);
    await useLab.getState().setDatasetView({ datasetOffset: 480 });
    expect(useLab.getState().datasetOffset).toBe(0); // 20 scenes: one page
    expect(requests.at(-1)).toMatchObject({ kind: 'datasetPage', offset: 0 });
  });

  it('refuses unknown filter values and datasets with a notice, asking the engine nothing', async () => {
    const { client, requests } = datasetEngine();
    setEngine(client);
    await useLab.getState().openDataset('scenes-test');
    const n = requests.length;
    await useLab.getState().setDatasetFilter({ class: 'shoe' } as unknown as DatasetFilter);
    await useLab.getState().openDataset('imagenet');
    expect(requests.length).toBe(n);
    expect(useLab.getState().datasetFilter).toEqual({});
    expect(useLab.getState().notices.map((x) => x.title).join('\n')).toMatch(/Unknown class “shoe”[\s\S]*no built-in dataset “imagenet”/);
  });

  it('before the dataset is open a filter is only stored; opening shows it', async () => {
    const { client, requests } = datasetEngine();
    setEngine(client);
    useLab.getState().applyDatasetView({ datasetId: 'scenes-test' });
    await useLab.getState().setDatasetFilter({ class: 'bag' });
    expect(requests).toHaveLength(0);
    await useLab.getState().openDataset('scenes-test');
    expect(requests.at(-1)).toMatchObject({ kind: 'datasetPage', filter: { class: 'bag' } });
  });

  it('an engine failure while opening sets the error status and a notice', async () => {
    const { client } = datasetEngine((req) => (req.kind === 'openDataset' ? { error: 'internal', message: 'assets answered 404' } : undefined));
    setEngine(client);
    await useLab.getState().openDataset('scenes-test');
    expect(useLab.getState()).toMatchObject({ datasetStatus: 'error', datasetPage: null });
    expect(useLab.getState().notices[0]).toMatchObject({ level: 'error', detail: 'assets answered 404' });
  });

  it('generates again in a fresh worker when the engine is replaced while generating', async () => {
    const engines: Array<ReturnType<typeof fakeEngine>> = [];
    setEngineFactory(() => {
      const e = engines.length === 0 ? fakeEngine(() => new Promise<Answer>(() => undefined)) : datasetEngine();
      engines.push(e);
      return e.client;
    });
    try {
      const opening = useLab.getState().openDataset('scenes-test');
      await vi.waitFor(() => expect(engines[0]?.requests).toHaveLength(1));
      setEngine(null); // a backend change terminates the worker
      await opening;
      expect(engines[1].requests.map((r) => r.kind)).toEqual(['openDataset', 'datasetPage']);
      expect(useLab.getState()).toMatchObject({ datasetStatus: 'ready', notices: [] });
    } finally {
      setEngineFactory(null);
    }
  });

  it('predictScene classifies the scene with its class as the true label (the model’s own label name)', async () => {
    const { client, requests } = datasetEngine();
    setEngine(client);
    await useLab.getState().openDataset('scenes-test');
    useLab.setState({ summary: { ...summaryNamed('m'), labels: ['t-shirt/top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'Sneaker!', 'bag', 'ankle boot'] }, status: 'ready' });
    const it0 = useLab.getState().datasetPage!.items[3];
    await useLab.getState().predictScene(it0);
    expect(requests.at(-1)).toMatchObject({ kind: 'predict', image: { width: 64, height: 64, channels: 3 } });
    expect(useLab.getState()).toMatchObject({ trueLabel: 'Sneaker!', predictInput: { kind: 'scene', dataset: 'scenes-test', index: 3, label: 'Sneaker!' } });
    expect(sceneLabel(9, null)).toBe('ankle-boot');
    expect(sceneLabel(9, ['a', 'b'])).toBe('ankle-boot');
  });
});

describe('URL sync of the dataset', () => {
  function fakeWindow(hash: string) {
    const listeners: Array<() => void> = [];
    const win: UrlWindow & { fire(): void } = {
      location: { hash },
      history: {
        state: null,
        replaceState(_d, _u, url) {
          win.location.hash = url ?? '';
        },
      },
      addEventListener: (_t, l) => listeners.push(l),
      removeEventListener: () => undefined,
      fire: () => listeners.forEach((l) => l()),
    };
    return win;
  }

  it('at startup: keeps the link’s filter in the hash, opens a built-in dataset while the model loads, shows the linked page', async () => {
    vi.stubGlobal('fetch', async () => new Response(new Uint8Array([0x08, 0x07, 0x12, 0x00])));
    const { client, requests } = datasetEngine((req) =>
      req.kind === 'loadModel' ? { kind: 'loadModel', summary: summaryNamed(req.name), backend: { name: 'wasm', threads: 1, fallbackReason: null } } : undefined,
    );
    setEngine(client);
    const win = fakeWindow('#/model?v=1&dclass=sneaker&dpage=1');
    const stop = startUrlSync(useLab, win);
    // written at once, before anything is loaded
    expect(win.location.hash).toBe(`#/model?v=1&model=${DEFAULT_BUILTIN_ID}&dataset=scenes-test&dclass=sneaker`);
    await vi.waitFor(() => expect(useLab.getState().datasetPage).not.toBeNull());
    const kinds = requests.map((r) => r.kind);
    // a built-in dataset does not wait for the model: it is asked for before the model load
    expect([...kinds].sort()).toEqual(['configure', 'datasetPage', 'loadModel', 'openDataset']);
    expect(kinds.indexOf('openDataset')).toBeLessThan(kinds.indexOf('loadModel'));
    expect(kinds.indexOf('openDataset')).toBeLessThan(kinds.indexOf('datasetPage'));
    expect(requests.find((r) => r.kind === 'datasetPage')).toMatchObject({ filter: { class: 'sneaker' }, offset: 0 });

    // a hash change to another filter and page
    win.location.hash = '#/model?v=1&dataset=scenes-test&dclass=sneaker&dpage=2';
    win.fire();
    await vi.waitFor(() => expect(useLab.getState().datasetOffset).toBe(0));
    // page 2 of 20 scenes does not exist: it moved back to page 1 and the hash says so
    await vi.waitFor(() => expect(win.location.hash).toBe(`#/model?v=1&model=${DEFAULT_BUILTIN_ID}&dataset=scenes-test&dclass=sneaker`));
    win.location.hash = '#/model?v=1&dataset=scenes-test&dpage=3';
    win.fire();
    await vi.waitFor(() => expect(useLab.getState().datasetPage?.offset).toBe(96));
    expect(useLab.getState().datasetFilter).toEqual({});
    expect(win.location.hash).toBe(`#/model?v=1&model=${DEFAULT_BUILTIN_ID}&dataset=scenes-test&dpage=3`);
    stop();
  });
});
