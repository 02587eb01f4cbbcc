/** Shared steps for the e2e specs. */
import { expect, type Page } from '@playwright/test';

/** Opens the app at a hash and waits until the model is loaded. */
export async function openLab(page: Page, hash = ''): Promise<void> {
  await page.goto(`./${hash}`);
  await expect(page.getByTestId('model-status')).toHaveText(/ready/i, { timeout: 90_000 });
}

/** The logits of the last prediction, read from the store (exposed as window.__lab). */
export async function lastLogits(page: Page): Promise<number[]> {
  await expect(page.getByTestId('prediction-top')).toBeVisible();
  return page.evaluate(() => {
    const lab = (window as unknown as { __lab: { getState(): { prediction: { logits: number[] } | null } } }).__lab;
    return lab.getState().prediction?.logits ?? [];
  });
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
