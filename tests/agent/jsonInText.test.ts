/** The JSON-in-text fallback: the parser on what models write, and the wrapper end to end against a real server. */
import { afterEach, describe, expect, it } from 'vitest';
import { AgentFault, createClient, parseToolCalls } from '../../src/engine/agent/clients';
import { toTextMessages, toolsPrompt } from '../../src/engine/agent/clients/jsonInText';
import { BLUE, conversation, EXEMPLARS, RED, store } from './helpers';
import { startScriptedServer, type Dialect, type ScriptedServer } from './servers/scripted';

function faultOf(f: () => unknown): AgentFault {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(AgentFault);
    return err as AgentFault;
  }
  throw new Error('expected a fault');
}

describe('parseToolCalls', () => {
  it('reads a ```json fence and keeps the prose around it', () => {
    const r = parseToolCalls('I will look at exemplars.\n```json\n{"tool": "dataset_exemplars", "arguments": {"k": 8}}\n```\n', 'jt1_');
    expect(r.text).toBe('I will look at exemplars.');
    expect(r.toolCalls).toEqual([{ id: 'jt1_0', name: 'dataset_exemplars', arguments: '{"k":8}' }]);
    expect(r.cut).toBe(false);
  });

  it('reads several fences, bare fences, ~~~ fences and alternative key names', () => {
    const text = [
      'Two calls:',
      '```',
      '{"name": "a", "parameters": {"x": 1}}',
      '```',
      '~~~json',
      '{"tool_name": "b", "args": "{\\"y\\": [1, 2]}"}',
      '~~~',
      'done.',
    ].join('\n');
    const r = parseToolCalls(text);
    expect(r.toolCalls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ['a', { x: 1 }],
      ['b', { y: [1, 2] }],
    ]);
    expect(r.text).toBe('Two calls:\n\ndone.');
  });

  it('reads a list of calls, an OpenAI-shaped object and a call without arguments', () => {
    const r = parseToolCalls('```json\n[{"tool": "a", "arguments": {}}, {"type": "function", "function": {"name": "b", "arguments": {"z": true}}}, {"tool": "c"}]\n```');
    expect(r.toolCalls.map((c) => [c.name, c.arguments])).toEqual([
      ['a', '{}'],
      ['b', '{"z":true}'],
      ['c', '{}'],
    ]);
  });

  it('reads a bare object and <tool_call> tags when there is no fence', () => {
    const r = parseToolCalls('Sure. <tool_call>{"tool": "describe", "arguments": {"image": "img-2", "note": "a } brace"}}</tool_call>');
    expect(r.toolCalls).toEqual([{ id: 'jt_0', name: 'describe', arguments: '{"image":"img-2","note":"a } brace"}' }]);
    expect(r.text).toBe('Sure.');
  });

  it('reads a closing fence on the JSON line and a call on the opening fence line', () => {
    expect(parseToolCalls('```json\n{"tool": "a", "arguments": {"k": 1}}```\nThen I wait.')).toMatchObject({
      text: 'Then I wait.',
      toolCalls: [{ name: 'a', arguments: '{"k":1}' }],
    });
    expect(parseToolCalls('```json {"tool": "b", "arguments": {}} ```').toolCalls).toMatchObject([{ name: 'b', arguments: '{}' }]);
  });

  it('forgives trailing commas and curly quotes', () => {
    const r = parseToolCalls('```json\n{\u201ctool\u201d: \u201ca\u201d, "arguments": {"k": 2,},}\n```');
    expect(r.toolCalls).toEqual([{ id: 'jt_0', name: 'a', arguments: '{"k":2}' }]);
  });

  it('leaves prose with braces and non-call JSON alone', () => {
    const r = parseToolCalls('The set {red, blue} and ```json\n{"result": 3}\n``` are not calls.');
    expect(r.toolCalls).toEqual([]);
    expect(r.text).toContain('{red, blue}');
  });

  it('a broken call is bad-tool-json carrying the raw text', () => {
    const raw = '{"tool": "a", "arguments": {"k": 2 "layer": "conv1"}}';
    const f = faultOf(() => parseToolCalls(`Calling:\n\`\`\`json\n${raw}\n\`\`\`\n`));
    expect(f.code).toBe('bad-tool-json');
    expect(f.raw).toBe(raw);
    expect(faultOf(() => parseToolCalls('```json\n{"tool": "a", "arguments": [1, 2]}\n```')).toolName).toBe('a');
  });

  it('an unclosed last fence (reply cut) is reported as cut, not run', () => {
    const r = parseToolCalls('Calling:\n```json\n{"tool": "a", "arguments": {"k": ');
    expect(r).toEqual({ text: 'Calling:', toolCalls: [], cut: true });
    // an unclosed fence whose JSON is complete still counts
    expect(parseToolCalls('```json\n{"tool": "a", "arguments": {"k": 1}}').toolCalls).toHaveLength(1);
  });
});

describe('toTextMessages', () => {
  it('puts the tools in the system prompt and calls and results in the text', () => {
    const out = toTextMessages(conversation(), [EXEMPLARS]);
    expect(out.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    const system = out[0] as { content: string };
    expect(system.content.startsWith('You are an interpretability agent.')).toBe(true);
    expect(system.content).toContain(toolsPrompt([EXEMPLARS]));
    expect(system.content).toContain(JSON.stringify(EXEMPLARS.parameters));
    expect((out[2] as { content: string }).content).toBe('Let me look.\n\n```json\n{"tool":"dataset_exemplars","arguments":{"k":2}}\n```');
    const results = (out[3] as { content: Array<{ type: string }> }).content;
    expect(results[0]).toEqual({ type: 'text', text: 'Result of dataset_exemplars (call call_a):\nTop activations: 3.1, 2.7' });
    expect(results[1]).toEqual({ type: 'image', image: { id: 'img-2', caption: 'a blue square' } });
    expect(results[2]).toEqual({ type: 'text', text: 'Go on.' });
  });
});

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.each<[('openai' | 'anthropic'), Dialect]>([
  ['openai', 'chat-completions'],
  ['anthropic', 'messages'],
])('%s in json-in-text mode', (kind, dialect) => {
  it('sends no native tools, and turns fenced JSON in the reply into tool calls', async () => {
    const text = 'Next I check exemplars.\n```json\n{"tool": "dataset_exemplars", "arguments": {"k": 5}}\n```';
    server = await startScriptedServer({ dialect, script: [{ reply: 'text', text }, { reply: 'text', text }] });
    const client = createClient({ kind, baseUrl: server.baseUrl, model: 'm', seesImages: true, toolMode: 'json-in-text' });
    const images = store(RED, BLUE);
    const reply = await client.chat({ messages: conversation(), tools: [EXEMPLARS], images });
    expect(reply).toMatchObject({ text: 'Next I check exemplars.', finish: 'tool_calls', toolCalls: [{ id: 'jt1_0', name: 'dataset_exemplars', arguments: '{"k":5}' }] });
    const deltas: string[] = [];
    const streamed = await client.chat({ messages: conversation(), tools: [EXEMPLARS], images, onDelta: (d) => deltas.push(d) });
    expect(streamed.toolCalls).toEqual(reply.toolCalls);
    expect(deltas.join('')).toBe(text);

    const body = server.chatRequests()[0].body as { tools?: unknown; messages: unknown[]; system?: string };
    expect(body.tools).toBeUndefined();
    const all = JSON.stringify(body);
    expect(all).not.toContain('tool_calls');
    expect(all).not.toContain('tool_use');
    expect(all).toContain('dataset_exemplars');
    // the tool result's image still arrives as pixels
    expect(server.chatRequests()[0].images.map((i) => i.base64)).toEqual([RED.png, BLUE.png]);
  });
  it('a fence cut at the length limit comes back as finish "length"; a broken closed one is bad-tool-json', async () => {
    server = await startScriptedServer({
      dialect,
      script: [
        { reply: 'text', text: 'Calling:\n```json\n{"tool": "dataset_exemplars", "arguments": {"k":', finish: 'length' },
        { reply: 'text', text: '```json\n{"tool": "dataset_exemplars", "arguments": {"k" 5}}\n```' },
      ],
    });
    const client = createClient({ kind, baseUrl: server.baseUrl, model: 'm', seesImages: false, toolMode: 'json-in-text' });
    const images = store(RED, BLUE);
    expect(await client.chat({ messages: conversation(), tools: [EXEMPLARS], images })).toMatchObject({ text: 'Calling:', toolCalls: [], finish: 'length' });
    await expect(client.chat({ messages: conversation(), tools: [EXEMPLARS], images })).rejects.toMatchObject({
      code: 'bad-tool-json',
      raw: '{"tool": "dataset_exemplars", "arguments": {"k" 5}}',
      reply: { finish: 'stop' },
    });
  });
});
