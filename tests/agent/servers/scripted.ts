/**
 * A real local model server for the agent's tests (node:http on 127.0.0.1, a free port), in one
 * of two dialects: 'chat-completions' (OpenAI-compatible: POST /v1/chat/completions,
 * GET /v1/models) or 'messages' (Anthropic: POST /v1/messages, GET /v1/models). It answers each
 * chat request with the next step of its script and records every request.
 *
 *   const server = await startScriptedServer({
 *     dialect: 'chat-completions',
 *     apiKey: 'sk-test-123456789',             // optional: other keys get 401 (echoing the key, as a worst case)
 *     script: [
 *       { reply: 'status', status: 429, headers: { 'retry-after': '0.2' } },
 *       { reply: 'tools', calls: [{ name: 'dataset_exemplars', arguments: { k: 8 } }] },
 *       { reply: 'text', text: 'The unit detects red stripes.' },
 *     ],
 *     then: { reply: 'text', text: 'done' },   // optional: the answer once the script is used up (else 500)
 *   });
 *   const client = createClient({ kind: 'openai', baseUrl: server.baseUrl, apiKey: 'sk-test-123456789', model: 'm', seesImages: true });
 *   …
 *   server.chatRequests()[0].body   // the JSON the client sent; .images: the image parts that arrived
 *   await server.close();
 *
 * Replies ('text', 'tools', 'empty') stream as SSE when the request says `stream: true`
 * (text and tool-call arguments in pieces of `chunkSize` characters, each frame its own write),
 * else come as one JSON. Faults: 'status' (any HTTP error in the dialect's error shape, with
 * headers such as retry-after), 'context-overflow', 'reset' (socket destroyed), 'hang' (no
 * answer; or a stream that stalls after some frames), 'reset-mid-stream', 'raw' (any body).
 * `refusedUrl()` gives a URL on which nothing listens. `push()` appends steps during a test.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { chatCompletions } from './chatCompletions';
import { messages } from './messages';
import { errorKindOf, type Speaker } from './speaker';
import type { RecordedRequest, ReplyStep, ScriptStep } from './types';

export type * from './types';

export type Dialect = 'chat-completions' | 'messages';

export interface ScriptedServerOptions {
  dialect: Dialect;
  /** Answers to the chat requests, in order. */
  script?: ScriptStep[];
  /** The answer once the script is used up; without it such a request gets a 500 "script exhausted". */
  then?: ScriptStep;
  /** When set, chat and model requests without this key get a 401. */
  apiKey?: string;
  /** What GET /v1/models lists. */
  models?: string[];
  /** Characters per streamed piece (default 5). */
  chunkSize?: number;
  /** Pause between streamed frames, ms (default 0). */
  frameDelayMs?: number;
  /** CORS headers and preflight answers for calls from a page (default true). */
  cors?: boolean;
}

export interface ScriptedServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The base URL a client takes: url + '/v1' for chat-completions, url for messages. */
  baseUrl: string;
  /** Every request, in order of arrival. */
  requests: RecordedRequest[];
  /** The requests to the chat endpoint only. */
  chatRequests(): RecordedRequest[];
  push(...steps: ScriptStep[]): void;
  close(): Promise<void>;
}

const SPEAKERS: Record<Dialect, Speaker> = { 'chat-completions': chatCompletions, messages };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const speaker = SPEAKERS[options.dialect];
  const script = [...(options.script ?? [])];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const chunkSize = options.chunkSize ?? 5;

  async function writeStream(res: ServerResponse, frames: string[], stopAfter: number | undefined, then: 'hang' | 'reset'): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    for (let i = 0; i < frames.length; i++) {
      if (stopAfter !== undefined && i >= stopAfter) {
        if (then === 'reset') res.socket?.destroy();
        return; // 'hang': leave it open until the client gives up or the server closes
      }
      if (res.destroyed) return;
      // wait until the frame left, so a reset after it really comes mid-stream
      await new Promise<void>((resolve) => res.write(frames[i], () => resolve()));
      if (options.frameDelayMs) await wait(options.frameDelayMs);
    }
    res.end();
  }

  async function answer(step: ScriptStep, body: unknown, res: ServerResponse): Promise<void> {
    const stream = (body as { stream?: unknown } | undefined)?.stream === true;
    const model = String((body as { model?: unknown } | undefined)?.model ?? 'scripted');
    switch (step.reply) {
      case 'text':
      case 'tools':
      case 'empty':
        if (stream) return writeStream(res, speaker.stream(step, model, chunkSize), undefined, 'hang');
        return sendJson(res, 200, speaker.reply(step, model));
      case 'status':
        return sendJson(res, step.status, speaker.error(errorKindOf(step.status), step.message ?? `scripted HTTP ${step.status}`), step.headers);
      case 'context-overflow':
        return sendJson(res, 400, speaker.error('context', speaker.contextOverflowMessage));
      case 'reset':
        res.socket?.destroy();
        return;
      case 'hang':
        if (step.step) return writeStream(res, speaker.stream(step.step, model, chunkSize), step.afterFrames ?? 1, 'hang');
        return;
      case 'reset-mid-stream':
        return writeStream(res, speaker.stream(step.step, model, chunkSize), step.afterFrames, 'reset');
      case 'raw':
        res.writeHead(step.status ?? 200, { 'content-type': step.contentType ?? 'application/json' });
        res.end(step.body);
        return;
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      let body: unknown;
      try {
        body = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        body = text;
      }
      const headers = headersOf(req);
      const path = req.url ?? '/';
      requests.push({ method: req.method ?? '', path, headers, body, images: speaker.images(body), at: performance.now() });
      if (options.cors !== false) {
        // the tab (e2e) calls from another origin; Authorization and x-api-key must be named, '*' does not cover them
        res.setHeader('access-control-allow-origin', '*');
        if (req.method === 'OPTIONS') {
          res.writeHead(204, {
            'access-control-allow-methods': 'GET, POST, OPTIONS',
            'access-control-allow-headers': headers['access-control-request-headers'] ?? 'authorization, content-type',
            'access-control-max-age': '600',
          });
          return res.end();
        }
      }
      const route = path.split('?')[0];
      if (options.apiKey !== undefined) {
        const key = speaker.keyOf(headers);
        if (key !== options.apiKey) {
          // real servers echo (part of) the key they got; this one echoes all of it, the worst case
          return sendJson(res, 401, speaker.error('auth', `Incorrect API key provided: ${key ?? '(none)'}.`));
        }
      }
      if (req.method === 'GET' && route === speaker.modelsPath) return sendJson(res, 200, speaker.models(options.models ?? ['scripted-model']));
      if (req.method !== 'POST' || route !== speaker.chatPath) return sendJson(res, 404, speaker.error('bad', `no route ${req.method} ${route}`));
      const step = script.shift() ?? options.then;
      if (!step) return sendJson(res, 500, speaker.error('server', 'script exhausted'));
      await answer(step, body, res);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(err) } });
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseUrl: options.dialect === 'chat-completions' ? `${url}/v1` : url,
    requests,
    chatRequests: () => requests.filter((r) => r.method === 'POST' && r.path.split('?')[0] === speaker.chatPath),
    push: (...steps) => void script.push(...steps),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A URL on which nothing listens (a port just freed), for 'connection refused'. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Steps that are replies (not faults), for tests that build scripts programmatically. */
export function isReply(step: ScriptStep): step is ReplyStep {
  return step.reply === 'text' || step.reply === 'tools' || step.reply === 'empty';
}
