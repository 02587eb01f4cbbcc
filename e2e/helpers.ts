/** Shared steps for the e2e specs. */
import { expect, type Locator, type Page } from '@playwright/test';

/** Opens the app at a hash and waits until the model is loaded. */
export async function openLab(page: Page, hash = ''): Promise<void> {
  await page.goto(`./${hash}`);
  await expect(page.getByTestId('model-status')).toHaveText(/ready/i, { timeout: 90_000 });
}

interface LabWindow {
  __lab: { getState(): { prediction: { logits: number[] } | null; running: boolean } };
}

/** The logits of the finished prediction, read from the store (exposed as window.__lab). */
export async function lastLogits(page: Page): Promise<number[]> {
  await expect(page.getByTestId('prediction-top')).toBeVisible();
  const handle = await page.waitForFunction(() => {
    const s = (window as unknown as LabWindow).__lab.getState();
    return s.prediction && !s.running ? s.prediction.logits : null;
  });
  return (await handle.jsonValue()) as number[];
}

export function maxRelDiff(a: number[], b: number[]): number {
  let diff = 0;
  let scale = 0;
  a.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(v - b[i]));
    scale = Math.max(scale, Math.abs(v));
  });
  return diff / (scale || 1);
}

/** The name of the built-in model the lab opens on (as the summary shows it). */
export const DEFAULT_MODEL = /scenes-balanced/i;

/** Pixels of a canvas that are not grey: a heatmap overlay changed the bare image there. */
export function colouredPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) n++;
    return n;
  });
}
