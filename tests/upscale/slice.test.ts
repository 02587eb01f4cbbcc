/**
 * The upscale slice over the real worker handlers (onnxruntime-node, the FREDSR model) behind an
 * in-process worker; only the network is stood in for (models/ served from the repository):
 * which built-ins exist, opening, an upscale with metrics, reopening in a replaced engine, a
 * refused upscaler that leaves FREDSR open, and links.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { useLab } from '../../src/store';
import { setEngine } from '../../src/store/engine';
import { EngineHandlers } from '../../src/worker/handlers';
import type { EngineRequest } from '../../src/worker/protocol';
import { cancellableEngine } from '../store/fakeEngine';
import { REPO_ROOT } from '../setup/fixturePaths';
import { photoCrop } from './photo';

/** A fresh engine: real handlers answering over a message-like channel, recording requests. */
function realEngine(): EngineRequest[] {
  const handlers = new EngineHandlers(nodeRuntime());
  const { client, requests } = cancellableEngine((req, signal, progress) => handlers.handle(req, signal, progress));
  setEngine(client);
  return requests;
}

/** models/ of the repository at http://localhost/models/ (HEAD and GET); anything else is a 404. */
async function serveModels(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const file = join(REPO_ROOT, decodeURIComponent(url.pathname));
  if (!url.pathname.startsWith('/models/') || !existsSync(file)) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  const bytes = readFileSync(file);
  const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) };
  return new Response(init?.method === 'HEAD' ? null : bytes, { status: 200, headers });
}

const classifier = () => {
  const bytes = readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx'));
  return { name: 'placeholder-fmnist.onnx', size: bytes.length, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) };
};

beforeAll(() => {
  vi.stubGlobal('fetch', serveModels);
});
afterAll(() => {
  vi.unstubAllGlobals();
  setEngine(null);
});
beforeEach(() => {
  useLab.setState({ notices: [], backendPreference: 'wasm' });
});

describe('upscale slice', () => {
  it('lists the built-ins the server has, opens FREDSR, and upscales an HR image with metrics', async () => {
    const requests = realEngine();
    expect(await useLab.getState().ensureUpscaler()).toBe(true);
    const s = useLab.getState();
    expect(s.upAvailable).toContain('fredsr');
    expect(s.upAvailable!.every((id) => existsSync(join(REPO_ROOT, 'models', `${id}.onnx`)))).toBe(true);
    expect(s.upStatus).toBe('ready');
    expect(s.upInfo).toMatchObject({ name: 'fredsr.onnx', scale: 3 });
    expect(requests.map((r) => r.kind)).toEqual(['configure', 'openUpscaler']);

    await useLab.getState().setUpscaleInput(photoCrop(96, 72), 'hr.png', 'hr');
    const { upResult, upRunning } = useLab.getState();
    expect(upRunning).toBe(false);
    expect([upResult!.input.width, upResult!.output.width, upResult!.output.height]).toEqual([32, 96, 72]);
    expect(upResult!.metrics!.psnr).toBeGreaterThan(15);
    // Opened once: a second ensure is free.
    expect(await useLab.getState().ensureUpscaler()).toBe(true);
    expect(requests.filter((r) => r.kind === 'openUpscaler')).toHaveLength(1);
  });

  it('after the engine is replaced (a backend switch), the next upscale opens the upscaler there first', async () => {
    const requests = realEngine();
    await useLab.getState().runUpscale();
    expect(requests.map((r) => r.kind)).toEqual(['configure', 'openUpscaler', 'upscale']);
    expect(useLab.getState().upResult!.output.width).toBe(96);
  });

  it('a classifier offered as an upscaler is refused with a notice, and FREDSR stays open', async () => {
    await useLab.getState().openUpscalerFile(classifier());
    const s = useLab.getState();
    expect(s.notices.at(-1)?.detail ?? s.notices.at(-1)?.title).toMatch(/\[N,3,sH,sW\].*logits/);
    expect(s.upStatus).toBe('ready');
    expect(s.upChoice).toBe('fredsr');
    expect(s.upInfo?.name).toBe('fredsr.onnx');
  });

  it('a link sets the mode and the webcam size, and switches to another built-in (or keeps FREDSR when it is not there)', async () => {
    useLab.getState().applyUpscaleView({ upscaler: null, mode: 'webcam', size: '640x360' });
    expect(useLab.getState()).toMatchObject({ upMode: 'webcam', upWebcamSize: '640x360', upChoice: 'fredsr' });
    const other = useLab.getState().upAvailable!.find((id) => id !== 'fredsr');
    if (other) {
      useLab.getState().applyUpscaleView({ upscaler: other, mode: 'image', size: '320x180' });
      await vi.waitFor(() => expect(useLab.getState().upInfo?.name).toBe(`${other}.onnx`), { timeout: 60_000 });
    } else {
      // Only FREDSR ships so far: asking for a missing one fails with a notice and keeps FREDSR.
      useLab.getState().applyUpscaleView({ upscaler: 'espcn', mode: 'image', size: '320x180' });
      expect(useLab.getState().upStatus).toBe('ready');
      expect(useLab.getState().upChoice).toBe('fredsr');
      expect(useLab.getState().notices.at(-1)?.title).toMatch(/espcn/);
    }
  });
});
