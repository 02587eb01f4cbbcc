/** The Node side of browser benchmarks: the built app served as tests serve it, and the bench page in a fresh chromium. */
import type { Server } from 'node:http';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../playwright.config';
import { startServer } from '../scripts/serve.mjs';

/** Serves the build in `root` (cross-origin isolated) with the fixtures and models mounted; resolves with its base URL. */
export async function serveBench(root = 'dist'): Promise<{ baseUrl: string; server: Server }> {
  const server = (await startServer({ root, port: 0, mounts: { '/fixtures/': 'tests/.fixtures', '/models/': 'models' } })) as Server;
  return { baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

/** Opens bench/browser/index.html in a fresh headless chromium, runs `fn` on it, closes the browser. */
export async function onBenchPage<T>(baseUrl: string, fn: (page: Page) => Promise<T>): Promise<T> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}bench/browser/index.html`);
    return await fn(page);
  } finally {
    await browser.close();
  }
}
