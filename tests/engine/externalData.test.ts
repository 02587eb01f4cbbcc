/**
 * External data in the tab's load path (the worker's handlers under Node): the data file picked
 * with the model, found beside the model's address (streamed over HTTP), or missing, truncated
 * or too large — each a clear error that keeps the model loaded before.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { EngineHandlers } from '../../src/worker/handlers';
import type { Progress } from '../../src/worker/protocol';
import type { RawImage } from '../../src/engine/types';
import { fixturePath } from '../setup/fixturePaths';
import { failure } from './helpers';
import { decodeModel } from '../../src/engine/onnx/model';
import { externalDataFiles, resolveExternalData } from '../../src/engine/onnx/externalData';

const signal = new AbortController().signal;
const graph = new Uint8Array(readFileSync(fixturePath('external/resnet18.onnx')));
const data = new Uint8Array(readFileSync(fixturePath('external/resnet18.onnx.data')));
const image: RawImage = { width: 40, height: 30, channels: 3, data: Uint8Array.from({ length: 40 * 30 * 3 }, (_, i) => (i * 7) % 256) };
const dataFile = (bytes: Uint8Array, name = 'resnet18.onnx.data') => new File([bytes as Uint8Array<ArrayBuffer>], name);

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/m/resnet18.onnx.data') {
      res.writeHead(200, { 'content-length': String(data.byteLength), 'content-type': 'application/octet-stream' });
      res.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/m/resnet18.onnx`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe('weights by reference', () => {
  it('decoding and resolving external data copy no weights: tensors view the file bytes', async () => {
    const whole = new Uint8Array(readFileSync(fixturePath('resnet18.onnx')));
    const big = decodeModel(whole).graph.initializer.filter((t) => (t.rawData?.byteLength ?? 0) > 1024);
    expect(big.length).toBeGreaterThan(20);
    expect(big.every((t) => t.rawData!.buffer === whole.buffer)).toBe(true);

    const model = decodeModel(graph);
    expect(externalDataFiles(model)).toEqual(['resnet18.onnx.data']);
    expect(await resolveExternalData(model, async () => data)).toBe(data.byteLength);
    const external = model.graph.initializer.filter((t) => (t.rawData?.byteLength ?? 0) > 1024);
    expect(external.length).toBe(big.length);
    expect(external.every((t) => t.rawData!.buffer === data.buffer)).toBe(true);
    expect(externalDataFiles(model)).toEqual([]);
  });
});

describe('external data in the worker', () => {
  const handlers = new EngineHandlers(nodeRuntime());
  afterAll(() => handlers.handle({ kind: 'releaseModel' }, signal, () => undefined));

  it('opens from a multi-file pick and predicts as the self-contained model does', async () => {
    const whole = new EngineHandlers(nodeRuntime());
    await whole.handle({ kind: 'loadModel', name: 'r18', bytes: new Uint8Array(readFileSync(fixturePath('resnet18.onnx'))) }, signal, () => undefined);
    const expected = await whole.handle({ kind: 'predict', image }, signal, () => undefined);
    await whole.handle({ kind: 'releaseModel' }, signal, () => undefined);

    const stages: string[] = [];
    const loaded = await handlers.handle({ kind: 'loadModel', name: 'resnet18.onnx', bytes: graph.slice(), data: { files: [dataFile(data)] } }, signal, (p) => stages.push(p.stage));
    if (loaded.kind !== 'loadModel') throw new Error('wrong body');
    expect(stages).toContain('data');
    expect(loaded.summary.bytes).toBe(graph.byteLength + data.byteLength);
    expect(loaded.summary.layers.length).toBe(48);
    const got = await handlers.handle({ kind: 'predict', image }, signal, () => undefined);
    if (got.kind !== 'predict' || expected.kind !== 'predict') throw new Error('wrong body');
    expect(got.prediction.logits).toEqual(expected.prediction.logits);
  });

  it('fetches the data file beside the model address, with download progress', async () => {
    const progress: Progress[] = [];
    const loaded = await handlers.handle({ kind: 'loadModel', name: 'resnet18.onnx', bytes: graph.slice(), data: { baseUrl: base } }, signal, (p) => progress.push(p));
    expect(loaded.kind).toBe('loadModel');
    const downloads = progress.filter((p) => p.stage === 'download');
    expect(downloads.at(-1)).toMatchObject({ fraction: 1 });
    expect(downloads.at(-1)!.message).toMatch(/resnet18\.onnx\.data: 45 MB of 45 MB/);
  });

  it('names a missing or truncated data file, and keeps the loaded model', async () => {
    const missing = await failure(handlers.handle({ kind: 'loadModel', name: 'resnet18.onnx', bytes: graph.slice() }, signal, () => undefined));
    expect(missing).toMatch(/^bad-model: .*“resnet18\.onnx\.data”.*Open it together with the model/);
    const elsewhere = await failure(handlers.handle({ kind: 'loadModel', name: 'resnet18.onnx', bytes: graph.slice(), data: { baseUrl: base.replace('/m/', '/x/') } }, signal, () => undefined));
    expect(elsewhere).toMatch(/^bad-model: .*answered 404/);
    const cut = await failure(
      handlers.handle({ kind: 'loadModel', name: 'resnet18.onnx', bytes: graph.slice(), data: { files: [dataFile(data.subarray(0, data.byteLength - 100))] } }, signal, () => undefined),
    );
    expect(cut).toMatch(/^bad-model: Tensor “.*” lies at bytes \d+–\d+ of “resnet18\.onnx\.data”, which has \d+: the data file is truncated/);
    // The model loaded before still answers.
    expect((await handlers.handle({ kind: 'predict', image }, signal, () => undefined)).kind).toBe('predict');
  });

  it('counts the data file in the size limit, with the number and what to do', async () => {
    const small = new EngineHandlers(nodeRuntime(), { maxModelBytes: 20 * 2 ** 20 });
    const err = await failure(small.handle({ kind: 'loadModel', name: 'resnet18.onnx', bytes: graph.slice(), data: { files: [dataFile(data)] } }, signal, () => undefined));
    expect(err).toMatch(/^too-large: “resnet18\.onnx” with its external data is 45 MB; a tab opens models up to 20 MB .*`lab` command.*fp16/);
  });
});
