/**
 * The Node side of the upscale bench page: builds it (bench/upscale/vite.config.ts), serves it
 * with cross-origin isolation (WASM threads) and the given folders mounted, and opens it in
 * Debian's chromium. Used by bench/upscale.ts and bench/upscale-stages.ts.
 */
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { startServer } from '../../scripts/serve.mjs';

export interface BenchPage {
  page: Page;
  chromiumVersion: string;
  close(): Promise<void>;
}

export async function openUpscaleBenchPage(mounts: Record<string, string> = {}): Promise<BenchPage> {
  await build({ configFile: 'bench/upscale/vite.config.ts', configLoader: 'runner', logLevel: 'error' });
  const server = await startServer({ root: 'bench/out/upscale', port: 0, mounts });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  const close = async () => {
    await browser.close();
    server.close();
  };
  try {
    const page = await browser.newPage();
    await page.goto(`${base}bench/upscale/index.html`);
    return { page, chromiumVersion: browser.version(), close };
  } catch (err) {
    await close();
    throw err;
  }
}
