/** The OpenAI-compatible client against a real local chat-completions server: request shapes, replies, streaming, images. */
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/engine/agent/clients';
import type { BackendSettings } from '../../src/engine/agent/types';
import { BLUE, conversation, EXEMPLARS, KEY, RED, store, useBackend } from './helpers';
import type { ScriptStep } from './servers/scripted';

const backend = useBackend('openai');
const setup = (script: ScriptStep[], settings: Partial<BackendSettings> = {}) =>
  backend({ script, settings: { model: 'gpt-test', ...settings }, server: { models: ['llama-3-8b', 'qwen2.5-vl'] } });

const images = store(RED, BLUE);

describe('OpenAI-compatible client', () => {
  it('sends the conversation, tools and settings in the chat-completions shape', async () => {
    const { server, client } = await setup([{ reply: 'text', text: 'It detects red.', usage: { input: 120, output: 5 } }], { temperature: 0.3, maxTokens: 256 });
    const reply = await client.chat({ messages: conversation(), tools: [EXEMPLARS], images });
    expect(reply).toEqual({ text: 'It detects red.', toolCalls: [], finish: 'stop', usage: { inputTokens: 120, outputTokens: 5 } });

    const [req] = server.chatRequests();
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    const body = req.body as Record<string, unknown>;
    expect(body.model).toBe('gpt-test');
    expect(body.temperature).toBe(0.3);
    expect(body.max_tokens).toBe(256);
    expect(body.stream).toBeUndefined();
    expect(body.tools).toEqual([{ type: 'function', function: { name: EXEMPLARS.name, description: EXEMPLARS.description, parameters: EXEMPLARS.parameters } }]);
    const msgs = body.messages as Array<Record<string, unknown>>;
    expect(msgs.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
    expect(msgs[0]).toEqual({ role: 'system', content: 'You are an interpretability agent.' });
    expect(msgs[1].content).toEqual([
      { type: 'text', text: 'Describe unit 7.' },
      { type: 'text', text: '[image img-1]' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${RED.png}` } },
    ]);
    expect(msgs[2]).toEqual({ role: 'assistant', content: 'Let me look.', tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'dataset_exemplars', arguments: '{"k":2}' } }] });
    expect(msgs[3]).toEqual({ role: 'tool', tool_call_id: 'call_a', content: 'Top activations: 3.1, 2.7' });
    // the tool's image follows the tool message, in the next user message (tool messages hold text only)
    expect(msgs[4].content).toEqual([
      { type: 'text', text: 'Images returned by the tools:' },
      { type: 'text', text: '[image img-2]' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${BLUE.png}` } },
      { type: 'text', text: 'Go on.' },
    ]);
    expect(req.images.map((i) => [i.mediaType, i.base64])).toEqual([
      ['image/png', RED.png],
      ['image/png', BLUE.png],
    ]);
  });

  it('sends captions instead of pixels to a model that does not see images', async () => {
    const { server, client } = await setup([{ reply: 'text', text: 'ok' }], { seesImages: false });
    await client.chat({ messages: conversation(), tools: [EXEMPLARS], images });
    const [req] = server.chatRequests();
    expect(req.images).toEqual([]);
    const msgs = (req.body as { messages: Array<{ role: string; content: unknown }> }).messages;
    expect(msgs.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
    expect(msgs[1].content).toBe('Describe unit 7.\n[image img-1: a red square]');
    expect(msgs[4].content).toBe('Go on.');
    expect(msgs[3].content).toBe('Top activations: 3.1, 2.7\n[image img-2: a blue square]');
  });

  it('sends the images of the last tool results in a user message of their own', async () => {
    const { server, client } = await setup([{ reply: 'text', text: 'ok' }]);
    await client.chat({ messages: conversation().slice(0, 4), tools: [EXEMPLARS], images });
    const msgs = (server.chatRequests()[0].body as { messages: Array<{ role: string; content: unknown }> }).messages;
    expect(msgs.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
    expect(msgs[4].content).toEqual([
      { type: 'text', text: 'Images returned by the tools:' },
      { type: 'text', text: '[image img-2]' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${BLUE.png}` } },
    ]);
  });

  it('returns native tool calls (several, with their ids)', async () => {
    const { client } = await setup([
      { reply: 'tools', calls: [{ id: 'call_1', name: 'dataset_exemplars', arguments: { k: 4 } }, { id: 'call_2', name: 'describe', arguments: '{"image":"img-2"}' }] },
    ]);
    const reply = await client.chat({ messages: conversation(), tools: [EXEMPLARS], images });
    expect(reply.finish).toBe('tool_calls');
    expect(reply.text).toBe('');
    expect(reply.toolCalls).toEqual([
      { id: 'call_1', name: 'dataset_exemplars', arguments: '{"k":4}' },
      { id: 'call_2', name: 'describe', arguments: '{"image":"img-2"}' },
    ]);
  });

  it('streams text deltas and reassembles tool-call arguments split across chunks', async () => {
    const text = 'I will fetch the exemplars first, then compare backgrounds.';
    const args = { k: 12, note: 'split "quoted" text, ünïcode and {braces}' };
    const { server, client } = await setup([
      { reply: 'tools', text, calls: [{ id: 'c1', name: 'dataset_exemplars', arguments: args }, { id: 'c2', name: 'dataset_exemplars', arguments: { k: 1 } }], usage: { input: 40, output: 30 } },
    ]);
    const deltas: string[] = [];
    const reply = await client.chat({ messages: conversation(), tools: [EXEMPLARS], images, onDelta: (d) => deltas.push(d) });
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join('')).toBe(text);
    expect(reply.text).toBe(text);
    expect(reply.finish).toBe('tool_calls');
    expect(reply.toolCalls.map((c) => [c.id, c.name, JSON.parse(c.arguments)])).toEqual([
      ['c1', 'dataset_exemplars', args],
      ['c2', 'dataset_exemplars', { k: 1 }],
    ]);
    expect(reply.usage).toEqual({ inputTokens: 40, outputTokens: 30 });
    const body = server.chatRequests()[0].body as Record<string, unknown>;
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(server.chatRequests()[0].headers.accept).toBe('text/event-stream');
  });

  it('lists models from /v1/models and asks the first one when no model is set', async () => {
    const { server, client } = await setup([{ reply: 'text', text: 'hi' }], { model: undefined });
    expect(await client.listModels!()).toEqual(['llama-3-8b', 'qwen2.5-vl']);
    await client.chat({ messages: conversation(), tools: [], images });
    const chat = server.chatRequests()[0].body as Record<string, unknown>;
    expect(chat.model).toBe('llama-3-8b');
    expect(chat.tools).toBeUndefined(); // no empty tools array (some servers reject it)
    expect(server.requests[0].path).toBe('/v1/models');
  });

  it('adds /v1 to a server root (Ollama, llama.cpp given as http://host:port)', async () => {
    const { server } = await setup([{ reply: 'text', text: 'root ok' }]);
    const client = createClient({ kind: 'openai', baseUrl: server.url, apiKey: KEY, model: 'm', seesImages: false });
    const reply = await client.chat({ messages: conversation(), tools: [], images });
    expect(reply.text).toBe('root ok');
    expect(server.chatRequests()).toHaveLength(1);
  });
});
