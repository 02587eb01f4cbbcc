/**
 * The Agent panel end to end, on one page (the worker keeps the dataset and the layer's index
 * between the steps): the offline agent describes a unit of the built-in model (its label saved
 * and shown in Exemplars), the transcript exports, imports, replays and re-runs; then a scripted
 * OpenAI-compatible server (real HTTP, from Node) drives a run with tool calls and images through
 * a 429 and a 500, Stop pauses a hanging run, and the key never reaches the URL, the exported
 * transcript or localStorage unless the researcher opts in.
 */
import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { startScriptedServer, type ScriptedServer } from '../tests/agent/servers/scripted';
import { openLab } from './helpers';

const LAYER_LABEL = 'stage3.block2.relu2';
const UNIT = 1;
const KEY = 'sk-e2e-SECRET-4f9a';

interface LabWindow {
  __lab: {
    getState(): {
      summary: { layers: Array<{ label: string; tensor: string }> } | null;
      selectLayer(t: string): void;
      selectUnit(u: number): void;
      agentRun: { phase: string } | null;
    };
  };
}

test.describe.serial('agent panel', () => {
  let page: Page;
  let server: ScriptedServer | null = null;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    await openLab(page, '#/agent?v=1');
    await page.evaluate(
      ([label, unit]) => {
        const s = (window as unknown as LabWindow).__lab.getState();
        const tensor = s.summary!.layers.find((l) => l.label === label)!.tensor;
        s.selectLayer(tensor);
        (window as unknown as LabWindow).__lab.getState().selectUnit(unit as number);
      },
      [LAYER_LABEL, UNIT] as const,
    );
  });

  test.afterAll(async () => {
    await server?.close();
    await page?.close();
  });

  test('the offline agent describes a unit; label saved, transcript exported, replayed and re-run', async () => {
    // the first dataset_exemplars indexes the layer over the 10,000 scenes (~1 min in a quiet tab)
    test.setTimeout(900_000);
    await page.getByTestId('agent-start').click();
    await expect(page.getByTestId('agent-final')).toBeVisible({ timeout: 780_000 });
    const label = (await page.getByTestId('agent-final-label').textContent())?.trim() ?? '';
    expect(label.length).toBeGreaterThan(0);
    await expect(page.getByTestId('agent-tool').first()).toBeVisible();
    expect(await page.getByTestId('agent-image').count()).toBeGreaterThan(5);
    await expect(page.getByTestId('agent-hypotheses')).toBeVisible();
    await expect(page.getByTestId('agent-phase')).toHaveText('done');

    // export: a lab.agent-transcript/1 file with the run's events and images
    const download = page.waitForEvent('download');
    await page.getByTestId('agent-export').click();
    const file = await (await download).path();
    const text = await readFile(file, 'utf8');
    const doc = JSON.parse(text) as { schema: string; events: Array<{ type: string }>; images: unknown[]; result?: { label: string } };
    expect(doc.schema).toBe('lab.agent-transcript/1');
    expect(doc.result?.label).toBe(label);
    expect(doc.images.length).toBeGreaterThan(5);

    // save the label; Exemplars shows it on the unit (the agent's index is the panel's: no re-indexing)
    await page.getByTestId('agent-save-label').click();
    await page.getByTestId('agent-open-exemplars').click();
    await expect(page.getByTestId('unit-saved-label')).toHaveText(label, { timeout: 120_000 });

    // import: the transcript replays without a backend; its tool calls re-run to the same results
    await page.getByTestId('tab-agent').click();
    await page.getByTestId('agent-import-file').setInputFiles(file);
    await expect(page.getByTestId('agent-phase')).toHaveText('imported (done)');
    await expect(page.getByTestId('agent-final-label')).toHaveText(label);
    await page.getByTestId('agent-rerun-calls').click();
    const rerun = page.getByTestId('agent-rerun');
    await expect(rerun).toBeVisible({ timeout: 120_000 });
    const total = Number(await rerun.getAttribute('data-total'));
    expect(total).toBe(doc.events.filter((e) => e.type === 'tool').length);
    expect(Number(await rerun.getAttribute('data-same'))).toBe(total);
  });

  test('a scripted OpenAI-compatible server drives a run through a 429 and a 500; Stop pauses; the key stays out', async () => {
    test.setTimeout(240_000);
    server = await startScriptedServer({
      dialect: 'chat-completions',
      apiKey: KEY,
      models: ['scripted-vlm', 'other-model'],
      script: [
        { reply: 'status', status: 429, headers: { 'retry-after': '0.2' } },
        { reply: 'tools', text: 'I will draw a test scene first.', calls: [{ name: 'text2image', arguments: { prompts: ['red striped bag on grass'] } }] },
        { reply: 'status', status: 500, message: 'upstream failed' },
        { reply: 'tools', text: '[HYPOTHESES]\n1. red items\n2. grass backgrounds', calls: [{ name: 'call_unit', arguments: { images: ['img-1'] } }] },
        { reply: 'text', text: '[DESCRIPTION] The unit responds to red striped items on grass.\n[LABEL] red stripes' },
        { reply: 'hang' },
      ],
    });
    await page.getByTestId('agent-backend-kind').selectOption('openai');
    await page.getByTestId('agent-base-url').fill(server.baseUrl);
    await page.getByTestId('agent-key').fill(KEY);
    await page.getByTestId('agent-sees-images').check();
    await page.getByTestId('agent-test-connection').click();
    await expect(page.getByTestId('agent-connection')).toHaveText('✓ 2 model(s)');
    await page.getByTestId('agent-model').fill('scripted-vlm');

    await page.getByTestId('agent-start').click();
    await expect(page.getByTestId('agent-final-label')).toHaveText('red stripes', { timeout: 120_000 });
    const faults = await page.getByTestId('agent-fault').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    expect(faults).toContain('rate-limited');
    expect(faults).toContain('server');
    await expect(page.getByTestId('agent-tool')).toHaveCount(2);
    await expect(page.getByTestId('agent-hypotheses')).toContainText('red items');
    // the model saw the images: call_unit's masked image went back as an image part
    const chats = server.chatRequests();
    expect(chats.some((r) => r.images.length > 0)).toBe(true);
    expect(chats.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);

    // the key is in none of: the link, the exported transcript, localStorage
    expect(page.url()).not.toContain(KEY);
    expect(page.url()).toContain('abackend=openai');
    expect(page.url()).toContain('amodel=scripted-vlm');
    const download = page.waitForEvent('download');
    await page.getByTestId('agent-export').click();
    const text = await readFile(await (await download).path(), 'utf8');
    expect(text).toContain('red stripes');
    expect(text).not.toContain(KEY);
    const stored = await page.evaluate(() => Object.keys(localStorage).map((k) => localStorage.getItem(k) ?? '').join('\n'));
    expect(stored).not.toContain(KEY);

    // Stop: a run whose server never answers pauses at once and can be resumed later
    await page.getByTestId('agent-start').click();
    await expect(page.getByTestId('agent-phase')).toHaveText('running');
    await expect.poll(() => server!.chatRequests().length, { timeout: 30_000 }).toBeGreaterThan(chats.length);
    await page.getByTestId('agent-stop').click();
    await expect(page.getByTestId('agent-phase')).toHaveText('paused', { timeout: 30_000 });
    await expect(page.getByTestId('agent-paused')).toContainText('Stopped');
    await expect(page.getByTestId('agent-resume')).toBeEnabled();

    // opting in remembers the key in this browser
    await page.getByTestId('agent-remember-key').check();
    expect(await page.evaluate(() => localStorage.getItem('lab.agent.apiKey'))).toBe(KEY);
    await page.getByTestId('agent-remember-key').uncheck();
    expect(await page.evaluate(() => localStorage.getItem('lab.agent.apiKey'))).toBeNull();
  });
});
