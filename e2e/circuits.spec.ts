/**
 * Circuits in the tab (WASM), kept lean: a link opens a circuit of the built-in model (concept
 * class=coat), the graph is drawn with a node per unit; ablating a unit from the graph changes the
 * model's predictions on the held-out coats and goes into the link; the graph exports as SVG and
 * PNG, and the exported lab.circuit/1 file opens again as the same circuit; reopening the link
 * recomputes the same circuit.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { openLab } from './helpers';

const HASH = '#/circuits?v=1&model=scenes-balanced&concept=class%3Acoat&k=3&examples=8&random=0';

interface CircuitState {
  circuitStatus: string;
  circuitSource: string | null;
  circuit: { schema: string; nodes: Array<{ layer: string; unit: number; score: number }>; target: unknown } | null;
  circuitEditsState: string;
  circuitCheck: { base: { targetLogit: number | null }; edited: { targetLogit: number | null } | null } | null;
}
interface LabWindow {
  __lab: { getState(): CircuitState };
}
const state = (page: Page) => page.evaluate(() => (window as unknown as LabWindow).__lab.getState() as unknown as CircuitState);

test.setTimeout(5 * 60_000);

test('a linked circuit: graph, ablation changes predictions, export round-trips, the link recomputes it', async ({ page }) => {
  await openLab(page, HASH);
  const graph = page.getByTestId('circuit-graph');
  await expect(graph).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('circuit-summary')).toContainText('logit 4 (coat)');
  const first = await state(page);
  const nodes = first.circuit!.nodes;
  expect(nodes.length).toBeGreaterThanOrEqual(3 * 2);
  await expect(page.locator('.circuit-node')).toHaveCount(nodes.length + 1);
  await expect(page.locator('.circuit-node img').first()).toBeVisible();
  await expect(page.getByTestId('circuit-examples')).toHaveAttribute('data-heldout', '8');
  await expect.poll(async () => (await state(page)).circuitCheck?.base.targetLogit ?? null).not.toBeNull();

  // Ablate the last layer's strongest unit from the graph.
  const lastLayer = nodes[0].layer;
  const top = nodes.filter((n) => n.layer === lastLayer).sort((a, b) => b.score - a.score)[0];
  const id = `${top.layer}#${top.unit}`;
  await page.getByTestId(`circuit-ablate-${id}`).click({ timeout: 20_000 });
  await expect(page.getByTestId(`circuit-node-${id}`)).toHaveAttribute('data-ablated', 'true');
  await expect(page.getByTestId('model-edited')).toBeVisible();
  await expect.poll(async () => (await state(page)).circuitCheck?.edited?.targetLogit ?? null).not.toBeNull();
  const checked = (await state(page)).circuitCheck!;
  expect(checked.edited!.targetLogit!).toBeLessThan(checked.base.targetLogit!);
  await expect(page.getByTestId('check-edited-logit')).toBeVisible();
  expect(decodeURIComponent(page.url())).toContain(`edits=${id}*0`);

  // Export the circuit and open the file again.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('circuit-export-json').click()]);
  const file = await download.path();
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  expect(exported.schema).toBe('lab.circuit/1');
  expect(exported.nodes).toEqual(nodes);
  // The graph as SVG (a node per unit) and as PNG.
  const [svg] = await Promise.all([page.waitForEvent('download'), page.getByTestId('circuit-export-svg').click()]);
  expect((readFileSync(await svg.path(), 'utf8').match(/<rect width="72"/g) ?? []).length).toBe(nodes.length + 1);
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('circuit-export-png').click()]);
  expect(readFileSync(await png.path()).subarray(1, 4).toString()).toBe('PNG');
  await page.getByTestId('circuit-open-input').setInputFiles({ name: 'circuit.json', mimeType: 'application/json', buffer: readFileSync(file) });
  await expect.poll(async () => (await state(page)).circuitSource).toBe('file');
  expect((await state(page)).circuit!.nodes).toEqual(nodes);
  await expect(page.locator('.circuit-node')).toHaveCount(nodes.length + 1);

  // The link (with its edit) opened afresh recomputes the same circuit, the edit applied.
  const link = page.url();
  await page.goto('about:blank');
  await openLab(page, link.slice(link.indexOf('#')));
  await expect.poll(async () => (await state(page)).circuitStatus, { timeout: 120_000 }).toBe('ready');
  expect((await state(page)).circuit!.nodes).toEqual(nodes);
  await expect(page.getByTestId(`circuit-node-${id}`)).toHaveAttribute('data-ablated', 'true');
  await expect.poll(async () => (await state(page)).circuitEditsState).toBe('applied');
});
