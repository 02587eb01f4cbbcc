/**
 * A local folder as a dataset in the tab: real PNGs of scenes in class subfolders plus one corrupt
 * file, picked through <input webkitdirectory>. The folder opens with the corrupt file listed (not
 * a crash), is indexed in the worker, and its top exemplars and content hash equal the CLI's over
 * the same folder; the link leaves the folder out (and says so); an index file the CLI wrote
 * imports, and one made with another fit mode is refused with the reason.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { encodePng } from '../src/cli/encodePng';
import { openDataset } from '../src/engine/data/datasets';
import { loadTestBanks } from '../tests/synth/banks';
import { openLab } from './helpers';

const L3 = '/stage3/block0/relu2/Relu_output_0';
const N = 60;
const run = promisify(execFile);
let dir = '';

interface LabWindow {
  __lab: { getState(): { datasetInfo: { sha256: string; count: number } | null; exIndexSource: string | null; exUnit: { top: Array<{ index: number; value: number; facets: { class: string } | null }> } | null } };
}

test.beforeAll(async () => {
  const ds = await openDataset('scenes-test', loadTestBanks(), { count: N });
  dir = join(mkdtempSync(join(tmpdir(), 'lab-folder-')), 'scenes');
  for (let i = 0; i < N; i++) {
    const { pixels, attributes } = ds.scene(i);
    const png = encodePng({ width: 64, height: 64, channels: 3, data: pixels });
    mkdirSync(join(dir, attributes.class), { recursive: true });
    writeFileSync(join(dir, attributes.class, `scene-${String(i).padStart(3, '0')}.png`), png);
  }
  mkdirSync(join(dir, 'bag'), { recursive: true });
  writeFileSync(join(dir, 'bag', 'corrupt.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0, 0, 13, 1, 2, 3]));
  writeFileSync(join(dir, 'notes.txt'), 'not an image');
});
test.afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

test('a folder with a corrupt file opens, lists the bad file, indexes like the CLI; index files import or are refused', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  await openLab(page, '#/model?v=1&model=placeholder-fmnist');
  await page.getByTestId('dataset-folder-input').setInputFiles(dir);

  await expect(page.getByTestId('dataset-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('image-dataset-summary')).toContainText(`${N} images · 1 unreadable`);
  const bad = page.getByTestId('dataset-bad-file');
  await expect(bad).toHaveCount(1);
  await expect(bad).toHaveAttribute('data-name', 'bag/corrupt.png');
  await expect(bad).toContainText(/could not be decoded/);
  await expect(page.getByTestId('image-thumb')).toHaveCount(48);
  await expect(page.getByTestId('dataset-share-note')).toContainText('cannot be part of a link');
  await expect.poll(() => page.evaluate(() => location.hash)).not.toContain('dataset=');

  // The CLI over the same folder: same identity, same top exemplars.
  const cli = JSON.parse((await run(process.execPath, ['bin/lab.mjs', 'exemplars', 'models/placeholder-fmnist.onnx', dir, '--layer', L3, '--units', '3', '--json', '--out', join(dir, '..', 'stretch.idx')], { maxBuffer: 2 ** 26 })).stdout);
  const info = await page.evaluate(() => (window as unknown as LabWindow).__lab.getState().datasetInfo!);
  expect(info.sha256).toBe(cli.dataset.sha256);
  expect(cli.dataset.unreadable).toEqual([{ name: 'bag/corrupt.png', reason: expect.stringMatching(/cannot decode/) }]);

  // Exemplars over the folder (the layer and unit by link; the folder stays open).
  await page.evaluate((l) => (location.hash = `#/exemplars?v=1&model=placeholder-fmnist&layer=${encodeURIComponent(l)}&unit=3`), L3);
  const exemplars = page.getByTestId('exemplar');
  await expect(exemplars).toHaveCount(15, { timeout: 120_000 });
  const unit = await page.evaluate(() => (window as unknown as LabWindow).__lab.getState().exUnit!);
  const want = cli.units[0].top as Array<{ index: number; value: number; label: string }>;
  expect(unit.top.map((t) => t.index)).toEqual(want.map((t) => t.index));
  unit.top.forEach((t, i) => expect(t.value).toBeCloseTo(want[i].value, 4));
  expect(unit.top.map((t) => t.facets?.class)).toEqual(want.map((t) => t.label));

  // An index file made with another fit mode is refused, saying why.
  await run(process.execPath, ['bin/lab.mjs', 'exemplars', 'models/placeholder-fmnist.onnx', dir, '--layer', L3, '--fit', 'pad', '--out', join(dir, '..', 'pad.idx')]);
  await page.getByTestId('index-import-input').setInputFiles(join(dir, '..', 'pad.idx'));
  await expect(page.getByText(/does not fit: it was made over another dataset/)).toBeVisible();

  // The CLI's own index imports: after a reload (cache cleared by a fresh folder pick) it is what the view shows.
  await page.getByTestId('index-import-input').setInputFiles(join(dir, '..', 'stretch.idx'));
  await expect(page.getByText(/Imported the index of 1 layer from stretch\.idx/)).toBeVisible();
  await expect(page.getByTestId('ex-index-status')).toHaveAttribute('data-source', 'cache');
  await expect(exemplars).toHaveCount(15);
});
