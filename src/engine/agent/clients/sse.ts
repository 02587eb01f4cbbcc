/**
 * A reader of server-sent events (the `text/event-stream` format both providers stream in):
 * lines up to a blank line make one event; `data:` lines join with newlines, `event:` names it,
 * lines starting with ':' are comments (keep-alives).
 */

export interface SseEvent {
  /** The `event:` name; 'message' when the server gave none. */
  event: string;
  data: string;
}

export async function* sseEvents(body: ReadableStream<Uint8Array>, onChunk?: () => void): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  const flush = (): SseEvent | undefined => {
    const out = data.length > 0 ? { event, data: data.join('\n') } : undefined;
    event = 'message';
    data = [];
    return out;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onChunk?.();
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        // a lone '\r' at the end may be the first half of '\r\n': wait for the next chunk
        if (newline === buffer.length - 1 && buffer[newline] === '\r') break;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          const out = flush();
          if (out) yield out;
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? '' : line.slice(colon + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'data') data.push(value);
          else if (field === 'event') event = value;
        }
      }
    }
    buffer += decoder.decode();
    if (buffer.startsWith('data:')) data.push(buffer.slice(5).replace(/^ /, ''));
    const last = flush();
    if (last) yield last;
  } finally {
    reader.releaseLock();
  }
}
