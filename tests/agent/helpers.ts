/** Shared bits of the backend tests: a tiny real PNG, an image store, a tool spec, a conversation, a server and client per test. */
import { PNG } from 'pngjs';
import { afterEach } from 'vitest';
import { createClient, type ClientOptions } from '../../src/engine/agent/clients';
import type { BackendSettings, ChatClient, ChatMessage, ImageResolver, StoredImage, ToolSpec } from '../../src/engine/agent/types';
import { startScriptedServer, type ScriptedServer, type ScriptedServerOptions, type ScriptStep } from './servers/scripted';

export function pngBase64(r: number, g: number, b: number): string {
  const png = new PNG({ width: 2, height: 2 });
  for (let i = 0; i < 4; i++) png.data.set([r, g, b, 255], i * 4);
  return PNG.sync.write(png).toString('base64');
}

export const RED: StoredImage = { id: 'img-1', width: 2, height: 2, png: pngBase64(255, 0, 0) };
export const BLUE: StoredImage = { id: 'img-2', width: 2, height: 2, png: pngBase64(0, 0, 255) };

export function store(...images: StoredImage[]): ImageResolver {
  const map = new Map(images.map((i) => [i.id, i]));
  return { get: (id) => map.get(id) };
}

export const EXEMPLARS: ToolSpec = {
  name: 'dataset_exemplars',
  description: 'The k images of the dataset that most activate the unit.',
  parameters: {
    type: 'object',
    properties: { k: { type: 'integer', minimum: 1, maximum: 32 } },
    required: ['k'],
    additionalProperties: false,
  },
  version: 1,
};

/** system, user (text + image), assistant tool call, tool result with an image, user follow-up. */
export function conversation(): ChatMessage[] {
  return [
    { role: 'system', content: 'You are an interpretability agent.' },
    { role: 'user', content: [{ type: 'text', text: 'Describe unit 7.' }, { type: 'image', image: { id: 'img-1', caption: 'a red square' } }] },
    { role: 'assistant', content: 'Let me look.', toolCalls: [{ id: 'call_a', name: 'dataset_exemplars', arguments: '{"k":2}' }] },
    {
      role: 'tool',
      result: { callId: 'call_a', name: 'dataset_exemplars', ok: true, text: 'Top activations: 3.1, 2.7', images: [{ id: 'img-2', caption: 'a blue square' }] },
    },
    { role: 'user', content: [{ type: 'text', text: 'Go on.' }] },
  ];
}

export const KEY = 'sk-test-SECRET-0123456789abcdef';

/** The dialect each backend kind speaks. */
export const DIALECT = { openai: 'chat-completions', anthropic: 'messages' } as const;

export interface BackendSetup {
  script: ScriptStep[];
  settings?: Partial<BackendSettings>;
  client?: ClientOptions;
  server?: Partial<ScriptedServerOptions>;
}

/**
 * A scripted server and a client of `kind` on it (the key KEY on both sides), the server closed
 * after each test of the file that calls this at its top.
 */
export function useBackend(kind: 'openai' | 'anthropic') {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return async (setup: BackendSetup): Promise<{ server: ScriptedServer; client: ChatClient }> => {
    server = await startScriptedServer({ dialect: DIALECT[kind], apiKey: KEY, script: setup.script, ...setup.server });
    const client = createClient({ kind, baseUrl: server.baseUrl, apiKey: KEY, model: 'm', seesImages: true, ...setup.settings }, setup.client);
    return { server, client };
  };
}
