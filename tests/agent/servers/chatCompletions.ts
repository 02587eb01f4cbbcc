/** The chat-completions dialect of the scripted server (OpenAI, vLLM, Ollama, llama.cpp subset). */
import { argsText, pieces, sse, type Speaker } from './speaker';
import type { RecordedImage, ReplyStep } from './types';

const created = 1_700_000_000;

function usage(step: ReplyStep) {
  const u = step.reply !== 'empty' ? step.usage : undefined;
  return u ? { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output } : undefined;
}

function finish(step: ReplyStep): string {
  if (step.reply === 'empty') return 'stop';
  return step.finish ?? (step.reply === 'tools' ? 'tool_calls' : 'stop');
}

function callsOf(step: ReplyStep) {
  if (step.reply !== 'tools') return [];
  return step.calls.map((c, i) => ({ id: c.id ?? `call_${i}`, type: 'function', function: { name: c.name, arguments: argsText(c.arguments) } }));
}

export const chatCompletions: Speaker = {
  chatPath: '/v1/chat/completions',
  modelsPath: '/v1/models',
  contextOverflowMessage:
    "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion).",
  keyOf(headers) {
    const auth = headers.authorization;
    return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
  },
  reply(step, model) {
    const text = step.reply === 'empty' ? '' : step.text ?? '';
    const calls = callsOf(step);
    return {
      id: 'chatcmpl-scripted',
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text === '' && calls.length > 0 ? null : text, ...(calls.length > 0 && { tool_calls: calls }) },
          finish_reason: finish(step),
        },
      ],
      ...(usage(step) && { usage: usage(step) }),
    };
  },
  stream(step, model, size) {
    const base = { id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created, model };
    const frames = [sse({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })];
    const text = step.reply === 'empty' ? '' : step.text ?? '';
    if (text) for (const p of pieces(text, size)) frames.push(sse({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] }));
    callsOf(step).forEach((c, index) => {
      // the first delta names the call, the others carry pieces of its arguments (as OpenAI streams)
      frames.push(sse({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.function.name, arguments: '' } }] }, finish_reason: null }] }));
      for (const p of pieces(c.function.arguments, size)) {
        frames.push(sse({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: p } }] }, finish_reason: null }] }));
      }
    });
    frames.push(sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finish(step) }] }));
    if (usage(step)) frames.push(sse({ ...base, choices: [], usage: usage(step) }));
    frames.push(sse('[DONE]'));
    return frames;
  },
  error(kind, message) {
    const type = { auth: 'invalid_request_error', rate: 'rate_limit_exceeded', server: 'server_error', context: 'invalid_request_error', bad: 'invalid_request_error' }[kind];
    const code = { auth: 'invalid_api_key', rate: 'rate_limit_exceeded', server: null, context: 'context_length_exceeded', bad: null }[kind];
    return { error: { message, type, param: null, code } };
  },
  images(body) {
    const out: RecordedImage[] = [];
    const messages = (body as { messages?: unknown })?.messages;
    if (!Array.isArray(messages)) return out;
    for (const m of messages as Array<{ content?: unknown }>) {
      if (!Array.isArray(m.content)) continue;
      for (const p of m.content as Array<{ type?: string; image_url?: { url?: string } }>) {
        const match = p.type === 'image_url' ? /^data:([^;]+);base64,(.*)$/s.exec(p.image_url?.url ?? '') : null;
        if (match) out.push({ mediaType: match[1], base64: match[2], where: 'message' });
      }
    }
    return out;
  },
  models(ids) {
    return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created, owned_by: 'scripted' })) };
  },
};
