/** The Anthropic Messages dialect of the scripted server (the subset the agent uses). */
import { argsText, pieces, sse, type Speaker } from './speaker';
import type { RecordedImage, ReplyStep } from './types';

function stopReason(step: ReplyStep): string {
  if (step.reply === 'empty') return 'end_turn';
  if (step.finish === 'length') return 'max_tokens';
  return step.reply === 'tools' ? 'tool_use' : 'end_turn';
}

function usage(step: ReplyStep) {
  const u = step.reply !== 'empty' ? step.usage : undefined;
  return u ? { input_tokens: u.input, output_tokens: u.output } : { input_tokens: 0, output_tokens: 0 };
}

/** tool_use input must be an object; a broken-JSON script string can only be sent streamed, so a whole reply wraps it. */
function inputOf(args: string | Record<string, unknown>): unknown {
  if (typeof args !== 'string') return args;
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return args;
  }
}

function blocks(step: ReplyStep): unknown[] {
  if (step.reply === 'empty') return [];
  const out: unknown[] = step.text ? [{ type: 'text', text: step.text }] : [];
  if (step.reply === 'tools') step.calls.forEach((c, i) => out.push({ type: 'tool_use', id: c.id ?? `toolu_${i}`, name: c.name, input: inputOf(c.arguments) }));
  return out;
}

function collect(content: unknown, where: RecordedImage['where'], out: RecordedImage[]): void {
  if (!Array.isArray(content)) return;
  for (const b of content as Array<{ type?: string; source?: { media_type?: string; data?: string }; content?: unknown }>) {
    if (b.type === 'image' && b.source?.data) out.push({ mediaType: b.source.media_type ?? '', base64: b.source.data, where });
    if (b.type === 'tool_result') collect(b.content, 'tool_result', out);
  }
}

export const messages: Speaker = {
  chatPath: '/v1/messages',
  modelsPath: '/v1/models',
  contextOverflowMessage: 'prompt is too long: 210000 tokens > 200000 maximum',
  keyOf(headers) {
    return headers['x-api-key'];
  },
  reply(step, model) {
    return { id: 'msg_scripted', type: 'message', role: 'assistant', model, content: blocks(step), stop_reason: stopReason(step), stop_sequence: null, usage: usage(step) };
  },
  stream(step, model, size) {
    const u = usage(step);
    const frames = [
      sse({ type: 'message_start', message: { id: 'msg_scripted', type: 'message', role: 'assistant', model, content: [], stop_reason: null, usage: { input_tokens: u.input_tokens, output_tokens: 1 } } }, 'message_start'),
      sse({ type: 'ping' }, 'ping'),
    ];
    let index = 0;
    const text = step.reply === 'empty' ? '' : step.text ?? '';
    if (text) {
      frames.push(sse({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }, 'content_block_start'));
      for (const p of pieces(text, size)) frames.push(sse({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: p } }, 'content_block_delta'));
      frames.push(sse({ type: 'content_block_stop', index }, 'content_block_stop'));
      index++;
    }
    if (step.reply === 'tools') {
      step.calls.forEach((c, i) => {
        frames.push(sse({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: c.id ?? `toolu_${i}`, name: c.name, input: {} } }, 'content_block_start'));
        for (const p of pieces(argsText(c.arguments), size)) {
          frames.push(sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: p } }, 'content_block_delta'));
        }
        frames.push(sse({ type: 'content_block_stop', index }, 'content_block_stop'));
        index++;
      });
    }
    frames.push(sse({ type: 'message_delta', delta: { stop_reason: stopReason(step), stop_sequence: null }, usage: { output_tokens: u.output_tokens } }, 'message_delta'));
    frames.push(sse({ type: 'message_stop' }, 'message_stop'));
    return frames;
  },
  error(kind, message) {
    const type = { auth: 'authentication_error', rate: 'rate_limit_error', server: 'api_error', context: 'invalid_request_error', bad: 'invalid_request_error' }[kind];
    return { type: 'error', error: { type, message } };
  },
  images(body) {
    const out: RecordedImage[] = [];
    const list = (body as { messages?: unknown })?.messages;
    if (Array.isArray(list)) for (const m of list as Array<{ content?: unknown }>) collect(m.content, 'message', out);
    return out;
  },
  models(ids) {
    return { data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })), has_more: false, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null };
  },
};
