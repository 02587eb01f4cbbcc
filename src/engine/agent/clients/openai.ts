/**
 * The OpenAI-compatible backend: `POST {base}/chat/completions` as OpenAI, vLLM, Ollama
 * (`/v1`) and llama.cpp's server speak it. Native tool calls (`tools`, `tool_calls`, `role: tool`
 * results), streaming over SSE when the request has `onDelta` (content deltas passed on, the
 * deltas of each tool call's arguments joined by index), images as `image_url` parts with a
 * `data:image/png;base64,` URL when the model sees images, caption lines otherwise. A tool
 * message cannot hold images in this API, so the images of a run of tool results follow it in
 * one user message. The key goes only in the Authorization header.
 */
import type { BackendSettings, ChatMessage, ChatReply, ChatRequest, ImageResolver, ToolCall, ToolSpec } from '../types';
import { HttpChatClient } from './base';
import { hasPath, type ClientOptions } from './common';
import { AgentFault, errorMessageOf } from './faults';
import { eventJson, joinUrl, type Exchange } from './http';
import { resolveImage, toolResultText } from './images';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

type OaPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
type OaToolCall = { id: string; type: 'function'; function: { name: string; arguments: string } };
export type OaMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OaPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OaToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** `tools` of the request: each ToolSpec as a function with its JSON Schema as `parameters`. */
export function openaiTools(tools: ToolSpec[]) {
  return tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } }));
}

/** The conversation in chat-completions form. */
export function openaiMessages(messages: ChatMessage[], images: ImageResolver, seesImages: boolean): OaMessage[] {
  const out: OaMessage[] = [];
  let pendingImages: OaPart[] = []; // images of the tool results just written
  const flushImages = () => {
    if (pendingImages.length > 0) out.push({ role: 'user', content: [{ type: 'text', text: 'Images returned by the tools:' }, ...pendingImages] });
    pendingImages = [];
  };
  for (const m of messages) {
    if (m.role !== 'tool' && m.role !== 'user') flushImages();
    switch (m.role) {
      case 'system':
        out.push({ role: 'system', content: m.content });
        break;
      case 'user': {
        // the tools' images open the user's next message (templates that want roles to alternate)
        const parts: OaPart[] = pendingImages.length > 0 ? [{ type: 'text', text: 'Images returned by the tools:' }, ...pendingImages] : [];
        pendingImages = [];
        for (const p of m.content) {
          if (p.type === 'text') parts.push({ type: 'text', text: p.text });
          else parts.push(...imageParts(resolveImage(p.image, images, seesImages)));
        }
        // text alone goes as a plain string, which every compatible server takes
        const textOnly = parts.every((p) => p.type === 'text');
        out.push({ role: 'user', content: textOnly ? parts.map((p) => (p as { text: string }).text).join('\n') : parts });
        break;
      }
      case 'assistant': {
        const calls = m.toolCalls ?? [];
        out.push({
          role: 'assistant',
          content: m.content === '' && calls.length > 0 ? null : m.content,
          ...(calls.length > 0 && {
            tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
          }),
        });
        break;
      }
      case 'tool': {
        const r = m.result;
        out.push({ role: 'tool', tool_call_id: r.callId, content: toolResultText(r.text, r.images, seesImages) });
        if (seesImages) for (const ref of r.images) pendingImages.push(...imageParts(resolveImage(ref, images, true)));
        break;
      }
    }
  }
  flushImages();
  return out;
}

function imageParts(img: ReturnType<typeof resolveImage>): OaPart[] {
  if (img.kind === 'caption') return [{ type: 'text', text: img.label }];
  return [
    { type: 'text', text: img.label },
    { type: 'image_url', image_url: { url: `data:image/png;base64,${img.base64}` } },
  ];
}

function finishOf(reason: unknown, calls: number): ChatReply['finish'] {
  if (reason === 'length') return 'length';
  if (reason === 'tool_calls' || reason === 'function_call' || (calls > 0 && (reason === 'stop' || reason == null))) return 'tool_calls';
  if (reason === 'stop' || reason == null) return 'stop';
  return 'other';
}

function usageOf(u: unknown): ChatReply['usage'] {
  if (!u || typeof u !== 'object') return undefined;
  const o = u as Record<string, unknown>;
  if (typeof o.prompt_tokens !== 'number' || typeof o.completion_tokens !== 'number') return undefined;
  return { inputTokens: o.prompt_tokens, outputTokens: o.completion_tokens };
}

/** Content as servers send it: a string, null, or (some) an array of text parts. */
function contentText(c: unknown): string {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  return '';
}

/** Arguments as servers send them: a JSON string (OpenAI, vLLM) or an object (some Ollama builds). */
function argsText(a: unknown): string {
  if (typeof a === 'string') return a;
  if (a === undefined || a === null) return '';
  return JSON.stringify(a);
}

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

export class OpenAIClient extends HttpChatClient {
  readonly kind = 'openai' as const;
  readonly baseUrl: string;

  constructor(settings: BackendSettings, options: ClientOptions = {}) {
    const given = settings.baseUrl?.trim() || OPENAI_BASE_URL;
    const base = hasPath(given) ? given.replace(/\/+$/, '') : joinUrl(given, 'v1');
    super(settings, options, `the OpenAI-compatible server at ${base}`);
    this.baseUrl = base;
  }

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { accept: json ? 'application/json' : 'text/event-stream' };
    if (json) h['content-type'] = 'application/json';
    if (this.settings.apiKey) h.authorization = `Bearer ${this.settings.apiKey}`;
    return h;
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const json = (await this.getJson(joinUrl(this.baseUrl, 'models'), this.headers(true), signal)) as { data?: unknown; models?: unknown };
    const list = Array.isArray(json.data) ? json.data : Array.isArray(json.models) ? json.models : undefined;
    if (!list) throw new AgentFault('bad-response', `${this.where} sent a model list without "data"`);
    return list
      .map((m: unknown) => (m && typeof m === 'object' ? (m as { id?: unknown; name?: unknown }).id ?? (m as { name?: unknown }).name : undefined))
      .filter((id): id is string => typeof id === 'string');
  }

  async chat(request: ChatRequest): Promise<ChatReply> {
    const s = this.settings;
    const stream = request.onDelta !== undefined;
    const body: Record<string, unknown> = {
      model: await this.modelName(request.signal),
      messages: openaiMessages(request.messages, request.images, s.seesImages),
      ...(request.tools.length > 0 && { tools: openaiTools(request.tools) }),
      ...(s.temperature !== undefined && { temperature: s.temperature }),
      // OpenAI's own newer models take only max_completion_tokens; compatible servers know max_tokens
      ...(s.maxTokens !== undefined && { [this.baseUrl.includes('api.openai.com') ? 'max_completion_tokens' : 'max_tokens']: s.maxTokens }),
      ...(stream && { stream: true, stream_options: { include_usage: true } }),
    };
    return this.turn(
      request,
      joinUrl(this.baseUrl, 'chat/completions'),
      this.headers(!stream),
      body,
      (json) => this.parseReply(json),
      (ex, res, onDelta) => this.readStream(ex, res, onDelta),
    );
  }

  private parseReply(json: unknown): ChatReply {
    const o = (json ?? {}) as { choices?: unknown; usage?: unknown };
    const choice = Array.isArray(o.choices) ? (o.choices[0] as { message?: unknown; finish_reason?: unknown } | undefined) : undefined;
    if (!choice || !choice.message || typeof choice.message !== 'object') {
      throw new AgentFault('bad-response', `${this.where} sent a reply without choices[0].message`);
    }
    const msg = choice.message as { content?: unknown; tool_calls?: unknown };
    const raw = Array.isArray(msg.tool_calls) ? (msg.tool_calls as Array<{ id?: unknown; function?: { name?: unknown; arguments?: unknown } }>) : [];
    const toolCalls: ToolCall[] = raw.map((c, i) => ({
      id: typeof c.id === 'string' && c.id ? c.id : `call_${i}`,
      name: typeof c.function?.name === 'string' ? c.function.name : '',
      arguments: argsText(c.function?.arguments),
    }));
    return { text: contentText(msg.content), toolCalls, finish: finishOf(choice.finish_reason, toolCalls.length), usage: usageOf(o.usage) };
  }

  private async readStream(ex: Exchange, res: Response, onDelta: (text: string) => void): Promise<ChatReply> {
    let text = '';
    let finish: unknown = null;
    let usage: ChatReply['usage'];
    const calls = new Map<number, PartialCall>();
    for await (const event of ex.events(res)) {
      if (event.data.trim() === '[DONE]') break;
      const chunk = eventJson(event, this.where) as { choices?: unknown; usage?: unknown; error?: unknown };
      if (chunk.error) throw new AgentFault('server', `${this.where} failed mid-stream: ${errorMessageOf(JSON.stringify(chunk))}`);
      usage = usageOf(chunk.usage) ?? usage;
      const choice = Array.isArray(chunk.choices) ? (chunk.choices[0] as { delta?: unknown; finish_reason?: unknown } | undefined) : undefined;
      if (!choice) continue;
      if (choice.finish_reason != null) finish = choice.finish_reason;
      const delta = (choice.delta ?? {}) as { content?: unknown; tool_calls?: unknown };
      const piece = contentText(delta.content);
      if (piece) {
        text += piece;
        onDelta(piece);
      }
      if (Array.isArray(delta.tool_calls)) {
        for (const d of delta.tool_calls as Array<{ index?: unknown; id?: unknown; function?: { name?: unknown; arguments?: unknown } }>) {
          const index = typeof d.index === 'number' ? d.index : calls.size;
          const call = calls.get(index) ?? { id: '', name: '', arguments: '' };
          if (typeof d.id === 'string' && d.id) call.id = d.id;
          if (typeof d.function?.name === 'string') call.name += d.function.name;
          call.arguments += argsText(d.function?.arguments);
          calls.set(index, call);
        }
      }
    }
    const toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([i, c]) => ({ id: c.id || `call_${i}`, name: c.name, arguments: c.arguments }));
    return { text, toolCalls, finish: finishOf(finish, toolCalls.length), usage };
  }
}
