/**
 * Tool calls for models without native ones: the tools are described in the system prompt, the
 * model answers with fenced JSON `{"tool": name, "arguments": {...}}`, and this wrapper turns the
 * conversation into plain text both ways around any client (the inner client is asked with no
 * `tools`). Parsing is lenient about what models do write: ```json / ``` / ~~~ fences, an
 * unclosed last fence, bare objects and <tool_call> tags, `name`/`parameters`/`args` for
 * `tool`/`arguments`, arguments as a JSON string, a list of calls, trailing commas and curly
 * quotes. A block that names a tool but stays unparseable is a 'bad-tool-json' fault with the raw
 * text (unless the reply was cut at the length limit, where the loop asks the model to go on).
 */
import type { ChatClient, ChatMessage, ChatReply, ChatRequest, ContentPart, ToolCall, ToolSpec } from '../types';
import { AgentFault } from './faults';

/** The system-prompt section that teaches the format and lists the tools with their schemas. */
export function toolsPrompt(tools: ToolSpec[]): string {
  const lines = [
    'You can call tools. To call one, write a fenced JSON block and nothing after it:',
    '```json',
    '{"tool": "<tool name>", "arguments": { ... }}',
    '```',
    'Write one block per call (several blocks for several calls). The results come back in the next message.',
    '',
    'Tools:',
  ];
  for (const t of tools) {
    lines.push(`- ${t.name}: ${t.description}`, `  arguments (JSON Schema): ${JSON.stringify(t.parameters)}`);
  }
  return lines.join('\n');
}

function fenced(call: ToolCall): string {
  let args: unknown;
  try {
    args = JSON.parse(call.arguments || '{}');
  } catch {
    args = call.arguments;
  }
  return ['```json', JSON.stringify({ tool: call.name, arguments: args }), '```'].join('\n');
}

/** The conversation with tool calls and results as text: no 'tool' role, no native toolCalls. */
export function toTextMessages(messages: ChatMessage[], tools: ToolSpec[]): ChatMessage[] {
  const prompt = toolsPrompt(tools);
  const out: ChatMessage[] = [];
  let prompted = false;
  for (const m of messages) {
    if (m.role === 'system') {
      out.push({ role: 'system', content: prompted ? m.content : `${m.content}\n\n${prompt}` });
      prompted = true;
    } else if (m.role === 'assistant') {
      const calls = m.toolCalls ?? [];
      out.push({ role: 'assistant', content: [m.content, ...calls.map(fenced)].filter((s) => s.trim() !== '').join('\n\n') });
    } else {
      // tool results and the user's words become one user message (roles alternate)
      const parts: ContentPart[] =
        m.role === 'user'
          ? m.content
          : [
              { type: 'text', text: `Result of ${m.result.name} (call ${m.result.callId}${m.result.ok ? '' : ', failed'}):\n${m.result.text}` },
              ...m.result.images.map((image): ContentPart => ({ type: 'image', image })),
            ];
      const last = out[out.length - 1];
      if (last && last.role === 'user') last.content = [...last.content, ...parts];
      else out.push({ role: 'user', content: [...parts] });
    }
  }
  if (!prompted && tools.length > 0) out.unshift({ role: 'system', content: prompt });
  return out;
}

/** A region of the reply that held a candidate call. */
interface Candidate {
  start: number;
  end: number;
  body: string;
  /** The text was cut inside it (unclosed fence, unbalanced braces). */
  open: boolean;
}

/** A fence, its language, its body, and its closing fence ('' when the text ends first); the closing may follow the body on its line. */
const FENCE = /(```+|~~~+)[ \t]*([\w-]*)[^\n]*\n([\s\S]*?)(\n?[ \t]*\1[ \t]*(?=\n|$)|$)/g;
const CALL_LANGS = ['json', 'json5', 'tool', 'tool_call', 'tool_code', 'javascript', 'js'];

function fencedBlocks(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.matchAll(FENCE)) {
    const lang = m[2].toLowerCase();
    if (lang && !CALL_LANGS.includes(lang)) continue;
    out.push({ start: m.index, end: m.index + m[0].length, body: m[3], open: m[4] === '' });
  }
  return out;
}

/** Balanced top-level {...} spans outside strings (for calls written without a fence). */
function bareObjects(text: string): Candidate[] {
  const out: Candidate[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"' && depth > 0) inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) out.push({ start, end: i + 1, body: text.slice(start, i + 1), open: false });
    }
  }
  if (depth > 0 && start >= 0) out.push({ start, end: text.length, body: text.slice(start), open: true });
  return out;
}

/** JSON.parse, then again after the usual slips: curly quotes, trailing commas, comments. */
function lenientParse(body: string): unknown {
  const trimmed = body.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    const repaired = trimmed
      .replace(/[\u201c\u201d]/g, '"')
      .replace(/^\s*\/\/.*$/gm, '')
      .replace(/,\s*([}\]])/g, '$1');
    return JSON.parse(repaired); // throws when still broken
  }
}

const NAME_KEYS = ['tool', 'name', 'tool_name', 'function'];
const ARG_KEYS = ['arguments', 'parameters', 'args', 'input'];

/** One call out of a parsed value, or undefined when the value is not a call. */
function asCalls(value: unknown): Array<{ name: string; args: unknown }> | undefined {
  if (Array.isArray(value)) {
    const calls = value.map(asCalls);
    return calls.every((c) => c !== undefined) && calls.length > 0 ? calls.flat() : undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const o = value as Record<string, unknown>;
  if (Array.isArray(o.tool_calls)) return asCalls(o.tool_calls);
  if (o.function && typeof o.function === 'object') return asCalls(o.function); // {"type":"function","function":{...}}
  const nameKey = NAME_KEYS.find((k) => typeof o[k] === 'string');
  if (!nameKey) return undefined;
  const argKey = ARG_KEYS.find((k) => k in o);
  let args: unknown = argKey ? o[argKey] : {};
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args);
    } catch {
      // left as text: the caller reports it as bad-tool-json
    }
  }
  return [{ name: o[nameKey] as string, args }];
}

/** Text that looks like an attempt at a call (so failing to parse it is a fault, not prose). */
const LOOKS_LIKE_CALL = /"(tool|name|tool_name)"\s*:/;

export interface ParsedText {
  /** The reply without the call blocks. */
  text: string;
  toolCalls: ToolCall[];
  /** A call cut at the end of the reply (only reported, never run). */
  cut: boolean;
}

/** The calls in a reply. `idPrefix` makes ids unique across the run ("jt3_" → jt3_0, jt3_1). */
export function parseToolCalls(reply: string, idPrefix = 'jt_'): ParsedText {
  const fenced = fencedBlocks(reply).filter((c) => LOOKS_LIKE_CALL.test(c.body) || /^\s*[[{]/.test(c.body));
  const found = callsIn(reply, fenced, idPrefix);
  // calls written without a fence (or on the fence's own line): balanced objects anywhere
  if (found.toolCalls.length > 0 || found.cut) return found;
  return callsIn(reply, bareObjects(reply).filter((c) => LOOKS_LIKE_CALL.test(c.body)), idPrefix);
}

function callsIn(reply: string, candidates: Candidate[], idPrefix: string): ParsedText {
  const toolCalls: ToolCall[] = [];
  const used: Candidate[] = [];
  let cut = false;
  for (const c of candidates) {
    let calls: Array<{ name: string; args: unknown }> | undefined;
    try {
      calls = asCalls(lenientParse(c.body));
    } catch {
      if (c.open) {
        cut = true;
        used.push(c);
        continue;
      }
      if (!LOOKS_LIKE_CALL.test(c.body)) continue;
      throw new AgentFault('bad-tool-json', 'The model wrote a tool call that is not valid JSON', { raw: c.body.trim() });
    }
    if (!calls) continue;
    for (const call of calls) {
      if (!call.args || typeof call.args !== 'object' || Array.isArray(call.args)) {
        throw new AgentFault('bad-tool-json', `The model wrote arguments for ${call.name} that are not a JSON object`, {
          raw: typeof call.args === 'string' ? call.args : c.body.trim(),
          toolName: call.name,
        });
      }
      toolCalls.push({ id: `${idPrefix}${toolCalls.length}`, name: call.name, arguments: JSON.stringify(call.args) });
    }
    used.push(c);
  }
  let text = '';
  let at = 0;
  for (const c of used.sort((a, b) => a.start - b.start)) {
    text += reply.slice(at, c.start);
    at = c.end;
  }
  text += reply.slice(at);
  text = text.replace(/<\/?tool_call>/g, '').replace(/\n{3,}/g, '\n\n').trim();
  return { text, toolCalls, cut };
}

/** Wraps a client so that its model calls tools through fenced JSON in its text. */
export function withJsonInText(inner: ChatClient): ChatClient {
  return {
    kind: inner.kind,
    ...(inner.listModels && { listModels: (signal?: AbortSignal) => inner.listModels!(signal) }),
    async chat(request: ChatRequest): Promise<ChatReply> {
      const turn = request.messages.filter((m) => m.role === 'assistant').length;
      const reply = await inner.chat({ ...request, messages: toTextMessages(request.messages, request.tools), tools: [] });
      let parsed: ParsedText;
      try {
        parsed = parseToolCalls(reply.text, `jt${turn}_`);
      } catch (err) {
        if (!(err instanceof AgentFault)) throw err;
        if (reply.finish === 'length') return { ...reply, toolCalls: [] };
        throw new AgentFault(err.code, err.message, { raw: err.raw, toolName: err.toolName, reply });
      }
      const finish = reply.finish === 'length' || parsed.cut ? 'length' : parsed.toolCalls.length > 0 ? 'tool_calls' : reply.finish;
      return { ...reply, text: parsed.text, toolCalls: parsed.toolCalls, finish };
    },
  };
}
