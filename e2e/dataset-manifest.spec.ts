/**
 * A URL manifest as a dataset: a manifest and PNG scenes served by a real HTTP server on another
 * origin (CORS and CORP headers, as a static host would send them), one listed image missing. A
 * link naming the manifest opens it, the missing image is listed, and the layer is indexed into
 * exemplars; the link keeps the manifest's address.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { encodePng } from '../src/cli/encodePng';
import { openDataset } from '../src/engine/data/datasets';
import { loadTestBanks } from '../tests/synth/banks';

const L3 = '/stage3/block0/relu2/Relu_output_0';
const N = 40;
let server: Server;
let manifestUrl = '';
const files = new Map<string, Buffer>();

test.beforeAll(async () => {
  const ds = await openDataset('scenes-test', loadTestBanks(), { count: N });
  const images: Array<{ url: string; label: string }> = [];
  for (let i = 0; i < N; i++) {
    const { pixels, attributes } = ds.scene(i);
    const png = encodePng({ width: 64, height: 64, channels: 3, data: pixels });
    files.set(`img/${i}.png`, Buffer.from(png));
    images.push({ url: `img/${i}.png`, label: attributes.class });
  }
  images.push({ url: 'img/missing.png', label: 'bag' });
  files.set('manifest.json', Buffer.from(JSON.stringify({ images })));
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/sets\//, '');
    const body = files.get(path);
    const headers = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
    if (!body) res.writeHead(404, headers).end('not found');
    else res.writeHead(200, { ...headers, 'Content-Type': path.endsWith('.json') ? 'application/json' : 'image/png' }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  manifestUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sets/manifest.json`;
});
test.afterAll(() => server.close());

test('a link to a manifest on another server opens it, lists the missing image and indexes exemplars', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const hash = `#/exemplars?v=1&model=placeholder-fmnist&dataset=${encodeURIComponent(manifestUrl)}&layer=${encodeURIComponent(L3)}&unit=5`;
  await page.goto(`./${hash}`);
  await expect(page.getByTestId('exemplar')).toHaveCount(15, { timeout: 180_000 });
  const state = await page.evaluate(() => {
    const s = (window as unknown as { __lab: { getState(): { datasetInfo: { kind: string; count: number; files: number; bad: Array<{ name: string; reason: string }> }; exUnit: { unit: number; top: Array<{ facets: { class: string } }> } } } }).__lab.getState();
    return { info: s.datasetInfo, unit: s.exUnit.unit, labels: s.exUnit.top.map((t) => t.facets.class) };
  });
  expect(state.info).toMatchObject({ kind: 'images', count: N, files: N + 1 });
  expect(state.info.bad).toEqual([{ name: 'img/missing.png', reason: expect.stringMatching(/answered 404/) }]);
  expect(state.unit).toBe(5);
  expect(state.labels.every((l) => l.length > 0)).toBe(true);
  await expect.poll(() => page.evaluate(() => decodeURIComponent(location.hash))).toContain(`dataset=${manifestUrl}`);

  // The Model panel lists the unreadable image and says the link holds the manifest.
  await page.evaluate(() => (location.hash = location.hash.replace('#/exemplars', '#/model')));
  await expect(page.getByTestId('dataset-bad-file')).toHaveAttribute('data-name', 'img/missing.png');
  await expect(page.getByTestId('dataset-share-note')).toContainText('holds this manifest');
});
