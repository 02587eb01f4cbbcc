/** What a dialect of the scripted server must say: its paths, its auth, its reply, stream and error shapes. */
import type { RecordedImage, ReplyStep } from './types';

export type ErrorKind = 'auth' | 'rate' | 'server' | 'context' | 'bad';

export interface Speaker {
  chatPath: string;
  modelsPath: string;
  /** The key the request carries, in this dialect's header. */
  keyOf(headers: Record<string, string>): string | undefined;
  reply(step: ReplyStep, model: string): unknown;
  /** The SSE frames of a streamed reply, each written separately. */
  stream(step: ReplyStep, model: string, chunkSize: number): string[];
  error(kind: ErrorKind, message: string): unknown;
  contextOverflowMessage: string;
  images(body: unknown): RecordedImage[];
  models(ids: string[]): unknown;
}

/** `text` in pieces of `size` characters (at least one piece, possibly empty). */
export function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

export function argsText(args: string | Record<string, unknown>): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
}

export function sse(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

export function errorKindOf(status: number): ErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate';
  if (status >= 500) return 'server';
  return 'bad';
}
