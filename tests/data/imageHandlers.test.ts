/**
 * Image datasets through the worker's handlers under Node (the Node decoder stands in for the
 * browser's): a folder of real scene PNGs plus a corrupt file opens with the bad file listed, is
 * indexed and gives unit exemplars labelled by folder; a manifest served over HTTP opens the same
 * images with the same content; an index of the folder survives export/import and refuses another dataset.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageBytes } from '../../src/cli/decode';
import { openDataset, type SceneDataset } from '../../src/engine/data/datasets';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { EngineHandlers } from '../../src/worker/handlers';
import type { EngineRequest, EngineResponseBody } from '../../src/worker/protocol';
import { REPO_ROOT } from '../setup/fixturePaths';
import { loadTestBanks } from '../synth/banks';

const L3 = '/stage3/block0/relu2/Relu_output_0';
const N = 24;
const signal = new AbortController().signal;
const none = () => undefined;
const handlers = new EngineHandlers(nodeRuntime(), { decodeImage: async (b, name) => decodeImageBytes(b, name) });
const ask = async <K extends EngineRequest['kind']>(req: Extract<EngineRequest, { kind: K }>) =>
  (await handlers.handle(req, signal, none)) as Extract<EngineResponseBody, { kind: K }>;

let scenes: SceneDataset;
const files = new Map<string, Uint8Array>();
let server: Server;
let base = '';

function scenePng(i: number): Uint8Array {
  const { pixels } = scenes.scene(i);
  const p = new PNG({ width: 64, height: 64 });
  for (let j = 0; j < 64 * 64; j++) {
    p.data.set(pixels.subarray(j * 3, j * 3 + 3), j * 4);
    p.data[j * 4 + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(p));
}

beforeAll(async () => {
  scenes = await openDataset('scenes-test', loadTestBanks(), { count: N });
  for (let i = 0; i < N; i++) files.set(`${scenes.scene(i).attributes.class}/${String(i).padStart(2, '0')}.png`, scenePng(i));
  files.set('bag/zz-corrupt.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 1, 2, 3]));
  await ask({ kind: 'loadModel', name: 'placeholder', bytes: new Uint8Array(readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx'))) });
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/data\//, '');
    if (path === 'manifest.json') {
      // One listed image the server does not have (a 404).
      const images = [...files.keys(), 'zz/missing-on-server.png'].sort().map((name) => ({ url: name, label: name.split('/')[0] }));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ images }));
      return;
    }
    const body = files.get(path);
    if (!body) res.writeHead(404).end();
    else res.writeHead(200, { 'Content-Type': 'image/png' }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data/`;
});
afterAll(async () => {
  await handlers.handle({ kind: 'releaseModel' }, signal, none);
  server.close();
});

const PREP = { size: [64, 64] as [number, number], fit: 'stretch' as const };
const folder = () => ({ kind: 'folder' as const, name: 'scenes', files: [...files].map(([path, bytes]) => ({ path, file: new Blob([bytes as Uint8Array<ArrayBuffer>]) })) });

describe('image datasets in the worker', () => {
  it('a folder opens with its bad file listed, indexes, and labels exemplars by folder', async () => {
    const { info } = await ask({ kind: 'openImages', id: 'folder:scenes', source: folder(), prep: PREP });
    expect(info).toMatchObject({ kind: 'images', count: N, files: N + 1, width: 64, height: 64, origin: 'folder' });
    expect(info.bad).toEqual([{ name: 'bag/zz-corrupt.png', reason: expect.stringMatching(/cannot decode/) }]);
    expect(info.labels).toEqual([...new Set(Array.from({ length: N }, (_, i) => scenes.scene(i).attributes.class))].sort());

    const page = await ask({ kind: 'imagePage', id: 'folder:scenes', offset: 0, limit: 4 });
    expect(page.total).toBe(N);
    expect(page.items[0].name).toBe([...files.keys()].sort()[0]);
    // PNG is lossless and the size matches: the pixels are the scene's.
    const first = Number(page.items[0].name.split('/')[1].slice(0, 2));
    expect(Array.from(page.items[0].image.data)).toEqual(Array.from(scenes.scene(first).pixels));

    const indexed = await ask({ kind: 'indexExemplars', datasetId: 'folder:scenes', layers: [L3], k: 5 });
    expect(indexed).toMatchObject({ datasetSha256: info.sha256, skipped: [], instant: false });
    expect(indexed.layers[0]).toMatchObject({ count: N, done: N });
    const { exemplars } = await ask({ kind: 'unitExemplars', datasetId: 'folder:scenes', layer: L3, unit: 3, k: 5 });
    expect(exemplars.top).toHaveLength(5);
    expect(exemplars.top[0].map?.dims).toEqual([16, 16]);
    expect(exemplars.top.every((t) => t.facets!.class.length > 0 && t.facets!.bbox === null)).toBe(true);
    expect(exemplars.iou).toBeNull();
    expect(exemplars.concepts.every((c) => c.key === 'class' && c.value !== '')).toBe(true);
    const grid = await ask({ kind: 'unitGrid', datasetId: 'folder:scenes', layer: L3 });
    expect(grid.units).toHaveLength(64);
  });

  it('a manifest over HTTP opens the same images, with a 404 listed as unreadable', async () => {
    const id = `${base}manifest.json`;
    const { info } = await ask({ kind: 'openImages', id, source: { kind: 'manifest', url: id }, prep: PREP });
    expect(info.origin).toBe('manifest');
    expect(info.count).toBe(N);
    expect(info.bad.map((b) => b.name)).toEqual(['bag/zz-corrupt.png', 'zz/missing-on-server.png']);
    expect(info.bad[1].reason).toMatch(/answered 404/);
    const body = await ask({ kind: 'indexExemplars', datasetId: id, layers: [L3], k: 5 });
    expect(body.layers[0].done).toBe(N);
  });

  it('a manifest that is not one is refused with the reason', async () => {
    await expect(ask({ kind: 'openImages', id: `${base}nope.json`, source: { kind: 'manifest', url: `${base}nope.json` }, prep: PREP })).rejects.toThrow(/answered 404/);
  });

  it('fitting again (source null) changes the identity; an exported index is refused by another dataset', async () => {
    const before = (await ask({ kind: 'exportIndex', datasetId: 'folder:scenes', layer: L3 })).datasetSha256;
    const { info } = await ask({ kind: 'openImages', id: 'folder:scenes', source: null, prep: { ...PREP, fit: 'pad' } });
    expect(info.sha256).not.toBe(before);
    const exported = await ask({ kind: 'indexExemplars', datasetId: 'folder:scenes', layers: [L3], k: 5 });
    expect(exported.datasetSha256).toBe(info.sha256);
    const snap = (await ask({ kind: 'exportIndex', datasetId: 'folder:scenes', layer: L3 })).index;
    await expect(ask({ kind: 'importIndex', datasetId: 'folder:scenes', modelSha256: exported.modelSha256, datasetSha256: before, index: snap })).rejects.toThrow(/another dataset/);
    await expect(ask({ kind: 'openImages', id: 'folder:gone', source: null, prep: PREP })).rejects.toThrow(/No image dataset/);
  });
});
