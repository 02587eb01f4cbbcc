/**
 * Gradient graphs on WebGPU (SwiftShader in headless chromium): the attribution map of one image
 * for a unit, computed by a gradient session on WebGPU, equals the one computed on WASM (the same
 * image, the same backward graph) to float32 precision, and the panel says which backend ran it.
 */
import { expect, test, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';
import { openLab } from './helpers';

test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } });

const LAYER = '/stage3/block0/relu2/Relu_output_0';

interface Attr {
  backend: string;
  value: number;
  map: number[];
}

/**
 * Gradient × input of a fixed 64×64 image through the try-it path, on `backend`: for unit 3 of a
 * middle layer (its spatial sum), then for logit 7 (through the pooling and Gemm backward rules).
 */
async function attributions(page: Page, backend: 'webgpu' | 'wasm'): Promise<Attr[]> {
  await openLab(page, `#/model?v=1&model=placeholder-fmnist&layer=${encodeURIComponent(LAYER)}&unit=3&backend=${backend}`);
  return page.evaluate(async () => {
    interface State {
      summary: unknown;
      attr: { result: { backend: string; value: number; map: { data: Float32Array } } } | null;
      tryExemplarImage(image: { width: number; height: number; channels: number; data: Uint8Array }, name: string): Promise<void>;
      setAttribution(settings: object): void;
      syncAttribution(): Promise<void>;
    }
    const lab = (window as unknown as { __lab: { getState(): State } }).__lab;
    const wait = async (ok: () => boolean) => {
      for (let i = 0; i < 6000 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await wait(() => lab.getState().summary !== null);
    const data = new Uint8Array(64 * 64 * 3).map((_, i) => (i * 37 + ((i / 192) | 0) * 11) % 256);
    await lab.getState().tryExemplarImage({ width: 64, height: 64, channels: 3, data }, 'pattern');
    const out = [];
    for (const target of [{ kind: 'unit' }, { kind: 'logit', index: 7 }]) {
      lab.getState().setAttribution({ method: 'grad-input', target, image: { kind: 'try' } });
      await lab.getState().syncAttribution();
      const attr = lab.getState().attr;
      if (!attr) throw new Error(`no attribution for ${JSON.stringify(target)}`);
      out.push({ backend: attr.result.backend, value: attr.result.value, map: Array.from(attr.result.map.data) });
    }
    return out;
  });
}

test('gradient × input (unit and logit targets) on WebGPU equals WASM within float32 precision, and runs on WebGPU', async ({ browser }) => {
  test.setTimeout(10 * 60_000);
  const gpuPage = await browser.newPage();
  const gpuAll = await attributions(gpuPage, 'webgpu');
  await gpuPage.close();
  const cpuPage = await browser.newPage();
  const cpuAll = await attributions(cpuPage, 'wasm');
  await cpuPage.close();
  expect(gpuAll).toHaveLength(2);
  for (const [i, gpu] of gpuAll.entries()) {
    const cpu = cpuAll[i];
    expect(gpu.backend).toBe('webgpu');
    expect(cpu.backend).toBe('wasm');
    expect(gpu.map.length).toBe(64 * 64);
    const scale = Math.max(...cpu.map.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    const worst = Math.max(...gpu.map.map((v, j) => Math.abs(v - cpu.map[j])));
    console.log(`[e2e] attribution ${i === 0 ? 'unit' : 'logit'} WebGPU vs WASM: value ${gpu.value} vs ${cpu.value}; max |Δ| ${worst} of scale ${scale}`);
    expect(Math.abs(gpu.value - cpu.value)).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu.value)));
    expect(worst / scale).toBeLessThan(1e-4);
  }
  // the unit and the logit are different targets: different maps
  expect(gpuAll[0].map).not.toEqual(gpuAll[1].map);
});
