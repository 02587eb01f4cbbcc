/** The Anthropic Messages client against a real local Messages server: request shapes, replies, streaming, images. */
import { describe, expect, it } from 'vitest';
import { ANTHROPIC_VERSION } from '../../src/engine/agent/clients/anthropic';
import { createClient } from '../../src/engine/agent/clients';
import type { BackendSettings, ChatMessage } from '../../src/engine/agent/types';
import { BLUE, conversation, EXEMPLARS, KEY, RED, store, useBackend } from './helpers';
import type { ScriptStep } from './servers/scripted';

const backend = useBackend('anthropic');
const setup = (script: ScriptStep[], settings: Partial<BackendSettings> = {}) =>
  backend({ script, settings: { model: 'claude-test', ...settings }, server: { models: ['claude-test-1', 'claude-test-2'] } });

const images = store(RED, BLUE);

describe('Anthropic Messages client', () => {
  it('sends system apart, tools with input_schema, tool_use and tool_result blocks with images', async () => {
    const { server, client } = await setup([{ reply: 'text', text: 'Red detector.', usage: { input: 300, output: 4 } }], { temperature: 0, maxTokens: 512 });
    const reply = await client.chat({ messages: conversation(), tools: [EXEMPLARS], images });
    expect(reply).toEqual({ text: 'Red detector.', toolCalls: [], finish: 'stop', usage: { inputTokens: 300, outputTokens: 4 } });

    const [req] = server.chatRequests();
    expect(req.path).toBe('/v1/messages');
    expect(req.headers['x-api-key']).toBe(KEY);
    expect(req.headers['anthropic-version']).toBe(ANTHROPIC_VERSION);
    expect(req.headers.authorization).toBeUndefined();
    const body = req.body as Record<string, unknown>;
    expect(body.model).toBe('claude-test');
    expect(body.max_tokens).toBe(512);
    expect(body.temperature).toBe(0);
    expect(body.system).toBe('You are an interpretability agent.');
    expect(body.tools).toEqual([{ name: EXEMPLARS.name, description: EXEMPLARS.description, input_schema: EXEMPLARS.parameters }]);
    const image = (png: string) => ({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } });
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Describe unit 7.' }, { type: 'text', text: '[image img-1]' }, image(RED.png)] },
      { role: 'assistant', content: [{ type: 'text', text: 'Let me look.' }, { type: 'tool_use', id: 'call_a', name: 'dataset_exemplars', input: { k: 2 } }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_a', content: [{ type: 'text', text: 'Top activations: 3.1, 2.7' }, { type: 'text', text: '[image img-2]' }, image(BLUE.png)] },
          { type: 'text', text: 'Go on.' },
        ],
      },
    ]);
    expect(req.images.map((i) => [i.where, i.base64])).toEqual([
      ['message', RED.png],
      ['tool_result', BLUE.png],
    ]);
  });

  it('marks failed tool results and sends captions to a model without eyes', async () => {
    const { server, client } = await setup([{ reply: 'text', text: 'ok' }], { seesImages: false });
    const messages: ChatMessage[] = [
      ...conversation().slice(0, 3),
      { role: 'tool', result: { callId: 'call_a', name: 'dataset_exemplars', ok: false, text: 'k must be at most 32', images: [] } },
    ];
    await client.chat({ messages, tools: [EXEMPLARS], images });
    const [req] = server.chatRequests();
    expect(req.images).toEqual([]);
    const msgs = (req.body as { messages: Array<{ content: unknown[] }> }).messages;
    expect(msgs[0].content).toEqual([{ type: 'text', text: 'Describe unit 7.' }, { type: 'text', text: '[image img-1: a red square]' }]);
    expect(msgs[2].content).toEqual([{ type: 'tool_result', tool_use_id: 'call_a', content: [{ type: 'text', text: 'k must be at most 32' }], is_error: true }]);
    expect((req.body as Record<string, unknown>).max_tokens).toBe(4096); // required by the API: a default
  });

  it('returns tool_use blocks as tool calls', async () => {
    const { client } = await setup([{ reply: 'tools', text: 'Looking.', calls: [{ id: 'toolu_9', name: 'dataset_exemplars', arguments: { k: 3 } }] }]);
    const reply = await client.chat({ messages: conversation(), tools: [EXEMPLARS], images });
    expect(reply).toMatchObject({ text: 'Looking.', finish: 'tool_calls', toolCalls: [{ id: 'toolu_9', name: 'dataset_exemplars', arguments: '{"k":3}' }] });
  });

  it('streams text_delta events and joins input_json_delta pieces', async () => {
    const text = 'Two calls follow; the second checks the background.';
    const a = { k: 16, filter: { background: 'grass', note: 'a "quoted" }{ piece' } };
    const { server, client } = await setup([
      { reply: 'tools', text, calls: [{ id: 'tu1', name: 'dataset_exemplars', arguments: a }, { id: 'tu2', name: 'dataset_exemplars', arguments: { k: 2 } }], usage: { input: 90, output: 33 } },
    ]);
    const deltas: string[] = [];
    const reply = await client.chat({ messages: conversation(), tools: [EXEMPLARS], images, onDelta: (d) => deltas.push(d) });
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join('')).toBe(text);
    expect(reply.text).toBe(text);
    expect(reply.finish).toBe('tool_calls');
    expect(reply.toolCalls.map((c) => [c.id, JSON.parse(c.arguments)])).toEqual([
      ['tu1', a],
      ['tu2', { k: 2 }],
    ]);
    expect(reply.usage).toEqual({ inputTokens: 90, outputTokens: 33 });
    expect((server.chatRequests()[0].body as Record<string, unknown>).stream).toBe(true);
  });

  it('reports max_tokens as finish "length", streamed and not', async () => {
    const { client } = await setup([
      { reply: 'text', text: 'The unit resp', finish: 'length' },
      { reply: 'text', text: 'The unit resp', finish: 'length' },
    ]);
    expect((await client.chat({ messages: conversation(), tools: [], images })).finish).toBe('length');
    const streamed = await client.chat({ messages: conversation(), tools: [], images, onDelta: () => {} });
    expect(streamed).toMatchObject({ text: 'The unit resp', finish: 'length' });
  });

  it('lists models from /v1/models; a base URL ending in /v1 works too', async () => {
    const { server } = await setup([{ reply: 'text', text: 'hi' }]);
    const client = createClient({ kind: 'anthropic', baseUrl: `${server.url}/v1/`, apiKey: KEY, seesImages: true });
    expect(await client.listModels!()).toEqual(['claude-test-1', 'claude-test-2']);
    expect(server.requests[0].path).toBe('/v1/models?limit=1000');
    await client.chat({ messages: conversation(), tools: [], images });
    expect((server.chatRequests()[0].body as Record<string, unknown>).model).toBe('claude-test-1');
  });
});
