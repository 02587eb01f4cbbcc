/**
 * The Anthropic Messages backend: `POST {base}/v1/messages` with `x-api-key` and
 * `anthropic-version`. System messages become the top-level `system`; tools go with their
 * schema as `input_schema`; tool calls come back as `tool_use` blocks and results go as
 * `tool_result` blocks (which, unlike OpenAI's tool messages, may hold images); consecutive
 * messages of one role are merged since the API wants user and assistant to alternate.
 * Streaming (when the request has `onDelta`) reads the SSE events message_start,
 * content_block_start/delta/stop, message_delta and error.
 */
import type { BackendSettings, ChatMessage, ChatReply, ChatRequest, ImageResolver, ToolCall, ToolSpec } from '../types';
import { HttpChatClient } from './base';
import { hasPath, parseArguments, type ClientOptions } from './common';
import { AgentFault } from './faults';
import { eventJson, joinUrl, type Exchange } from './http';
import { resolveImage, toolResultText, type ResolvedImage } from './images';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_VERSION = '2023-06-01';
/** The API requires max_tokens; this is used when the settings give none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

type TextBlock = { type: 'text'; text: string };
type ImageBlock = { type: 'image'; source: { type: 'base64'; media_type: 'image/png'; data: string } };
type Block =
  | TextBlock
  | ImageBlock
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: Array<TextBlock | ImageBlock>; is_error?: boolean };
export type AnMessage = { role: 'user' | 'assistant'; content: Block[] };

export function anthropicTools(tools: ToolSpec[]) {
  return tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters }));
}

function imageBlocks(img: ResolvedImage): Array<TextBlock | ImageBlock> {
  const label: TextBlock = { type: 'text', text: img.label };
  if (img.kind === 'caption') return [label];
  return [label, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: img.base64 } }];
}

/** The conversation in Messages form: `system` apart, roles alternating. */
export function anthropicMessages(
  messages: ChatMessage[],
  images: ImageResolver,
  seesImages: boolean,
): { system: string | undefined; messages: AnMessage[] } {
  const system: string[] = [];
  const out: AnMessage[] = [];
  const push = (role: AnMessage['role'], content: Block[]) => {
    if (content.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...content);
    else out.push({ role, content });
  };
  for (const m of messages) {
    switch (m.role) {
      case 'system':
        system.push(m.content);
        break;
      case 'user':
        push(
          'user',
          // the API rejects empty text blocks
          m.content.flatMap((p) => (p.type === 'text' ? (p.text ? [{ type: 'text' as const, text: p.text }] : []) : imageBlocks(resolveImage(p.image, images, seesImages)))),
        );
        break;
      case 'assistant': {
        const blocks: Block[] = m.content.trim() ? [{ type: 'text', text: m.content }] : [];
        for (const c of m.toolCalls ?? []) blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: parseArguments(c.arguments) ?? {} });
        push('assistant', blocks);
        break;
      }
      case 'tool': {
        const r = m.result;
        const content: Array<TextBlock | ImageBlock> = [{ type: 'text', text: toolResultText(r.text, r.images, seesImages) || '(no output)' }];
        if (seesImages) for (const ref of r.images) content.push(...imageBlocks(resolveImage(ref, images, true)));
        push('user', [{ type: 'tool_result', tool_use_id: r.callId, content, ...(!r.ok && { is_error: true }) }]);
        break;
      }
    }
  }
  return { system: system.length > 0 ? system.join('\n\n') : undefined, messages: out };
}

function finishOf(reason: unknown): ChatReply['finish'] {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'max_tokens') return 'length';
  return 'other';
}

/** Anthropic's error event types, mapped like their HTTP statuses. */
function streamFault(error: unknown, where: string): AgentFault {
  const e = (error ?? {}) as { type?: unknown; message?: unknown };
  const message = `${where} failed mid-stream: ${typeof e.message === 'string' ? e.message : 'unknown error'}`;
  if (e.type === 'rate_limit_error') return new AgentFault('rate-limited', message);
  if (e.type === 'overloaded_error' || e.type === 'api_error') return new AgentFault('server', message);
  return new AgentFault('bad-response', message);
}

export class AnthropicClient extends HttpChatClient {
  readonly kind = 'anthropic' as const;
  readonly baseUrl: string;

  constructor(settings: BackendSettings, options: ClientOptions = {}) {
    const given = (settings.baseUrl?.trim() || ANTHROPIC_BASE_URL).replace(/\/+$/, '');
    hasPath(given); // validates the URL
    // the endpoints carry /v1 themselves; a base URL that already ends in it is accepted too
    const base = given.replace(/\/v1$/, '');
    super(settings, options, `the Anthropic API at ${base}`);
    this.baseUrl = base;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = {
      'content-type': 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
      // needed for CORS when the tab calls the API directly (the key is the user's own)
      'anthropic-dangerous-direct-browser-access': 'true',
    };
    if (this.settings.apiKey) h['x-api-key'] = this.settings.apiKey;
    return h;
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const json = (await this.getJson(joinUrl(this.baseUrl, 'v1/models?limit=1000'), this.headers(), signal)) as { data?: unknown };
    if (!Array.isArray(json.data)) throw new AgentFault('bad-response', `${this.where} sent a model list without "data"`);
    return json.data.map((m: unknown) => (m as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string');
  }

  async chat(request: ChatRequest): Promise<ChatReply> {
    const s = this.settings;
    const conv = anthropicMessages(request.messages, request.images, s.seesImages);
    const body: Record<string, unknown> = {
      model: await this.modelName(request.signal),
      max_tokens: s.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
      ...(conv.system !== undefined && { system: conv.system }),
      messages: conv.messages,
      ...(request.tools.length > 0 && { tools: anthropicTools(request.tools) }),
      ...(s.temperature !== undefined && { temperature: s.temperature }),
      ...(request.onDelta !== undefined && { stream: true }),
    };
    return this.turn(
      request,
      joinUrl(this.baseUrl, 'v1/messages'),
      this.headers(),
      body,
      (json) => this.parseReply(json),
      (ex, res, onDelta) => this.readStream(ex, res, onDelta),
    );
  }

  private parseReply(json: unknown): ChatReply {
    const o = (json ?? {}) as { content?: unknown; stop_reason?: unknown; usage?: { input_tokens?: unknown; output_tokens?: unknown } };
    if (!Array.isArray(o.content)) throw new AgentFault('bad-response', `${this.where} sent a reply without "content"`);
    let text = '';
    const toolCalls: ToolCall[] = [];
    for (const b of o.content as Array<{ type?: unknown; text?: unknown; id?: unknown; name?: unknown; input?: unknown }>) {
      if (b.type === 'text' && typeof b.text === 'string') text += b.text;
      else if (b.type === 'tool_use') {
        toolCalls.push({ id: String(b.id ?? `toolu_${toolCalls.length}`), name: String(b.name ?? ''), arguments: typeof b.input === 'string' ? b.input : JSON.stringify(b.input ?? {}) });
      }
    }
    const u = o.usage;
    const usage = typeof u?.input_tokens === 'number' && typeof u.output_tokens === 'number' ? { inputTokens: u.input_tokens, outputTokens: u.output_tokens } : undefined;
    return { text, toolCalls, finish: finishOf(o.stop_reason), usage };
  }

  private async readStream(ex: Exchange, res: Response, onDelta: (text: string) => void): Promise<ChatReply> {
    let text = '';
    let stop: unknown;
    let inputTokens = 0;
    let outputTokens = 0;
    let sawUsage = false;
    const blocks = new Map<number, { kind: 'text' } | { kind: 'tool'; id: string; name: string; json: string; input: string }>();
    for await (const event of ex.events(res)) {
      const e = eventJson(event, this.where) as {
        type?: unknown;
        index?: unknown;
        message?: { usage?: { input_tokens?: unknown; output_tokens?: unknown } };
        content_block?: { type?: unknown; id?: unknown; name?: unknown; input?: unknown; text?: unknown };
        delta?: { type?: unknown; text?: unknown; partial_json?: unknown; stop_reason?: unknown };
        usage?: { input_tokens?: unknown; output_tokens?: unknown };
        error?: unknown;
      };
      const index = typeof e.index === 'number' ? e.index : -1;
      switch (e.type) {
        case 'message_start': {
          const u = e.message?.usage;
          if (typeof u?.input_tokens === 'number') {
            inputTokens = u.input_tokens;
            sawUsage = true;
          }
          if (typeof u?.output_tokens === 'number') outputTokens = u.output_tokens;
          break;
        }
        case 'content_block_start': {
          const b = e.content_block ?? {};
          if (b.type === 'tool_use') {
            blocks.set(index, { kind: 'tool', id: String(b.id ?? `toolu_${index}`), name: String(b.name ?? ''), json: '', input: JSON.stringify(b.input ?? {}) });
          } else {
            blocks.set(index, { kind: 'text' });
            if (typeof b.text === 'string' && b.text) {
              text += b.text;
              onDelta(b.text);
            }
          }
          break;
        }
        case 'content_block_delta': {
          const d = e.delta ?? {};
          const block = blocks.get(index);
          if (d.type === 'text_delta' && typeof d.text === 'string') {
            text += d.text;
            onDelta(d.text);
          } else if (d.type === 'input_json_delta' && typeof d.partial_json === 'string' && block?.kind === 'tool') {
            block.json += d.partial_json;
          }
          break;
        }
        case 'message_delta': {
          if (e.delta?.stop_reason !== undefined) stop = e.delta.stop_reason;
          if (typeof e.usage?.output_tokens === 'number') {
            outputTokens = e.usage.output_tokens;
            sawUsage = true;
          }
          if (typeof e.usage?.input_tokens === 'number') inputTokens = e.usage.input_tokens;
          break;
        }
        case 'error':
          throw streamFault(e.error, this.where);
        default:
          break; // ping, content_block_stop, message_stop, and event types added later
      }
      if (e.type === 'message_stop') break;
    }
    const toolCalls: ToolCall[] = [];
    for (const [, b] of [...blocks.entries()].sort((x, y) => x[0] - y[0])) {
      if (b.kind === 'tool') toolCalls.push({ id: b.id, name: b.name, arguments: b.json !== '' ? b.json : b.input });
    }
    return { text, toolCalls, finish: finishOf(stop), usage: sawUsage ? { inputTokens, outputTokens } : undefined };
  }
}
