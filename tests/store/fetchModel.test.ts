import { describe, expect, it } from 'vitest';
import { fetchModel, Cancelled } from '../../src/store/fetchModel';
import { LoadProblem } from '../../src/store/loadProblem';
import { resolveModelUrl } from '../../src/store/modelUrl';

const URL_ = new URL('https://models.example/m.onnx');
const onnxBytes = new Uint8Array([0x08, 0x07, 0x12, 0x04, 1, 2, 3, 4]);

function respond(body: BodyInit | null, init: ResponseInit = {}): typeof fetch {
  return (async () => new Response(body, init)) as typeof fetch;
}

async function problemOf(p: Promise<unknown>): Promise<LoadProblem> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LoadProblem) return err;
    throw err;
  }
  throw new Error('expected a LoadProblem');
}

describe('fetchModel', () => {
  it('returns the bytes and reports progress', async () => {
    const seen: number[] = [];
    const bytes = await fetchModel(URL_, {
      maxBytes: 100,
      fetchImpl: respond(onnxBytes, { headers: { 'content-length': '8' } }),
      onProgress: (r) => seen.push(r),
    });
    expect(Array.from(bytes)).toEqual(Array.from(onnxBytes));
    expect(seen.at(-1)).toBe(8);
  });

  it('explains network and CORS failures', async () => {
    const fetchImpl = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    const p = await problemOf(fetchModel(URL_, { maxBytes: 100, fetchImpl }));
    expect(p.notice.title).toBe('Could not reach models.example');
    expect(p.notice.hint).toMatch(/check the address, or that the server allows cross-origin requests/i);
  });

  it('explains HTTP errors', async () => {
    const p = await problemOf(fetchModel(URL_, { maxBytes: 100, fetchImpl: respond('no', { status: 404, statusText: 'Not Found' }) }));
    expect(p.notice.title).toBe('The server answered 404 Not Found');
  });

  it('recognises an HTML page by its content type or its bytes', async () => {
    const a = await problemOf(fetchModel(URL_, { maxBytes: 1e6, fetchImpl: respond('<p>', { headers: { 'content-type': 'text/html; charset=utf-8' } }) }));
    expect(a.notice.title).toMatch(/web page/);
    const b = await problemOf(fetchModel(URL_, { maxBytes: 1e6, fetchImpl: respond('\n  <!DOCTYPE html><html>', { headers: { 'content-type': 'application/octet-stream' } }) }));
    expect(b.notice.title).toMatch(/web page/);
  });

  it('refuses by Content-Length before reading, and while streaming', async () => {
    const a = await problemOf(fetchModel(URL_, { maxBytes: 4, fetchImpl: respond(onnxBytes, { headers: { 'content-length': '8' } }) }));
    expect(a.notice.title).toMatch(/too large/);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(onnxBytes);
        c.enqueue(onnxBytes);
        c.close();
      },
    });
    const b = await problemOf(fetchModel(URL_, { maxBytes: 12, fetchImpl: respond(stream) }));
    expect(b.notice.title).toMatch(/too large/);
  });

  it('turns an abort into Cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const fetchImpl = (async (_: unknown, init?: RequestInit) => {
      if (init?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
      return new Response(onnxBytes);
    }) as typeof fetch;
    await expect(fetchModel(URL_, { maxBytes: 100, fetchImpl, signal: controller.signal })).rejects.toBeInstanceOf(Cancelled);
  });
});

describe('model addresses', () => {
  const base = 'https://lab.example/app/index.html';
  it('accepts http(s) and relative addresses', () => {
    expect(resolveModelUrl('models/a.onnx', base).href).toBe('https://lab.example/app/models/a.onnx');
    expect(resolveModelUrl('/a.onnx', base).href).toBe('https://lab.example/a.onnx');
    expect(resolveModelUrl('HTTP://x.org/a.onnx', base).href).toBe('http://x.org/a.onnx');
  });
  it('refuses other schemes and smuggled ones', () => {
    for (const bad of ['javascript:alert(1)', 'data:,x', 'file:///etc/passwd', 'blob:https://x/1', 'java\nscript:x', ' javascript:x', '', 'ftp://x/a.onnx']) {
      expect(() => resolveModelUrl(bad, base), JSON.stringify(bad)).toThrow();
    }
  });
});
