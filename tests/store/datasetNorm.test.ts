/**
 * The mean/std override of an open image dataset, through the store and the real worker handlers
 * (onnxruntime-node, the built-in placeholder model, real scene PNGs decoded by the Node decoder):
 * applying one fits the folder again with the override (same identity as the CLI's with --mean/--std),
 * the exemplar index is built afresh under a new key and ranks with the new normalisation, the
 * model's own values count as no override, bad values send nothing, and a reset finds the first
 * index in the cache again.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageBytes } from '../../src/cli/decode';
import { encodePng } from '../../src/cli/encodePng';
import { openImageDataset } from '../../src/cli/exemplarsDataset';
import { openDataset } from '../../src/engine/data/datasets';
import type { ImageDatasetInfo } from '../../src/engine/data/imageDataset';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { useLab } from '../../src/store';
import { setEngine } from '../../src/store/engine';
import { memoryCache, setExemplarCache } from '../../src/store/exemplarCache';
import { wantedIndexKey } from '../../src/store/exemplarSlice';
import type { NormOverride } from '../../src/store/normOverride';
import { encodeHash } from '../../src/store/url';
import { urlStateOf } from '../../src/store/urlSync';
import { EngineHandlers } from '../../src/worker/handlers';
import type { EngineRequest } from '../../src/worker/protocol';
import { REPO_ROOT } from '../setup/fixturePaths';
import { loadTestBanks } from '../synth/banks';
import { cancellableEngine } from './fakeEngine';

const L3 = '/stage3/block0/relu2/Relu_output_0';
const N = 12;
const OVERRIDE: NormOverride = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
let dir = '';
let files: Array<{ path: string; file: Blob }> = [];
let requests: EngineRequest[] = [];

const info = () => useLab.getState().datasetInfo as ImageDatasetInfo;
const opens = () => requests.filter((r) => r.kind === 'openImages').length;

/** Indexes the selected layer (cache first) and shows unit 3, as the Exemplars panel does. */
async function unitTop(): Promise<Array<{ index: number; value: number }>> {
  await useLab.getState().syncExemplars();
  await useLab.getState().syncExemplars();
  const ex = useLab.getState().exUnit!;
  expect(ex.datasetSha256).toBe(info().sha256);
  return ex.top.map((t) => ({ index: t.index, value: t.value }));
}

beforeAll(async () => {
  const scenes = await openDataset('scenes-test', loadTestBanks(), { count: N });
  dir = join(mkdtempSync(join(tmpdir(), 'lab-norm-')), 'scenes');
  files = [];
  for (let i = 0; i < N; i++) {
    const { pixels, attributes } = scenes.scene(i);
    const png = encodePng({ width: 64, height: 64, channels: 3, data: pixels });
    const path = `${attributes.class}/scene-${String(i).padStart(2, '0')}.png`;
    mkdirSync(join(dir, attributes.class), { recursive: true });
    writeFileSync(join(dir, path), png);
    files.push({ path, file: new Blob([new Uint8Array(png)]) });
  }
  const handlers = new EngineHandlers(nodeRuntime(), { decodeImage: async (b, name) => decodeImageBytes(b, name) });
  const engine = cancellableEngine((req, signal, progress) => handlers.handle(req, signal, progress));
  requests = engine.requests;
  setEngine(engine.client);
  setExemplarCache(memoryCache());
  useLab.setState({ notices: [], backendPreference: 'wasm', datasetNorm: null, datasetFit: 'stretch' });
  const bytes = readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx'));
  await useLab.getState().loadFile({ name: 'placeholder-fmnist.onnx', size: bytes.length, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) });
  expect(useLab.getState().summary).not.toBeNull();
}, 120_000);

afterAll(() => {
  setEngine(null);
  setExemplarCache(null);
  if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
});

describe('mean/std override of an image dataset', () => {
  it('refits with the override, indexes afresh under a new key, and a reset reuses the first index', async () => {
    await useLab.getState().openImageFolder('scenes', files);
    expect(useLab.getState().datasetStatus).toBe('ready');
    const plain = info();
    expect(plain.prep.mean).toBeUndefined();
    useLab.getState().selectLayer(L3);
    useLab.getState().selectUnit(3);
    const keyPlain = wantedIndexKey(useLab.getState());
    const topPlain = await unitTop();
    expect(useLab.getState().exIndexSource).toBe('indexed');

    // Apply an override: one more openImages, carrying it; a new identity and index key.
    const before = opens();
    await useLab.getState().setDatasetNorm(OVERRIDE);
    expect(opens()).toBe(before + 1);
    expect(requests.filter((r) => r.kind === 'openImages').at(-1)).toMatchObject({ source: null, prep: { mean: OVERRIDE.mean, std: OVERRIDE.std, fit: 'stretch' } });
    const over = info();
    expect(over.prep).toMatchObject(OVERRIDE);
    expect(over.contentSha256).toBe(plain.contentSha256);
    expect(over.sha256).not.toBe(plain.sha256);
    // The CLI (lab exemplars --mean/--std) gives the same identity, so index files move between them.
    const cli = await openImageDataset(dir, { size: [64, 64], fit: 'stretch', mean: OVERRIDE.mean, std: OVERRIDE.std });
    expect(over.sha256).toBe(cli.info.sha256);
    const keyOver = wantedIndexKey(useLab.getState());
    expect(keyOver).not.toBe(keyPlain);
    expect(keyOver).toContain(over.sha256);
    // The index is built again (not taken from the cache), and the normalisation changes the ranking values.
    const topOver = await unitTop();
    expect(useLab.getState().exIndexSource).toBe('indexed');
    expect(topOver.map((t) => t.value)).not.toEqual(topPlain.map((t) => t.value));
    // A try-it image is normalised like the dataset's: the best exemplar's own image gives its value.
    const best = useLab.getState().exUnit!.top[0];
    await useLab.getState().tryExemplarImage(best.image, 'best exemplar');
    expect(requests.filter((r) => r.kind === 'run').at(-1)).toMatchObject({ preprocess: { mean: OVERRIDE.mean, std: OVERRIDE.std, source: 'override' } });
    expect(useLab.getState().exTry?.value).toBeCloseTo(best.value, 4);
    // The link holds it.
    expect(encodeHash(urlStateOf(useLab.getState()))).toContain('&norm=0.5,0.5,0.5;0.25,0.25,0.25');

    // Invalid values send nothing and say why.
    const n = opens();
    await useLab.getState().setDatasetNorm({ mean: [0, 0, 0], std: [0.2, 0, 0.2] });
    expect(opens()).toBe(n);
    expect(useLab.getState().notices.at(-1)?.title).toMatch(/mean\/std override is not valid/);
    expect(useLab.getState().datasetNorm).toEqual(OVERRIDE);

    // The model's own values are no override: the first identity, and its index comes from the cache.
    const model = useLab.getState().summary!.preprocess;
    await useLab.getState().setDatasetNorm({ mean: [...model.mean], std: [...model.std] });
    expect(useLab.getState().datasetNorm).toBeNull();
    expect(info().sha256).toBe(plain.sha256);
    expect(info().prep.mean).toBeUndefined();
    expect(wantedIndexKey(useLab.getState())).toBe(keyPlain);
    expect(await unitTop()).toEqual(topPlain);
    expect(useLab.getState().exIndexSource).toBe('cache');
    expect(encodeHash(urlStateOf(useLab.getState()))).not.toContain('norm=');

    // Asking for what is already in use does not open the folder again.
    const m = opens();
    await useLab.getState().setDatasetNorm(null);
    await useLab.getState().setDatasetNorm({ mean: [...model.mean], std: [...model.std] });
    expect(opens()).toBe(m);
  }, 180_000);
});
