/**
 * Downloads model bytes from an address with a size limit, cancellation, progress, and
 * failures explained as LoadProblems (network/CORS, HTTP status, a web page instead of a model,
 * too large).
 */
import { LoadProblem } from './loadProblem';
import { sniffModelBytes } from './sniffModel';
import { formatBytes } from '../ui/format';
import { BodyTooLarge, readBody } from '../engine/data/readBody';
import { LabError } from '../engine/errors';

export interface FetchModelOptions {
  maxBytes: number;
  signal?: AbortSignal;
  onProgress?: (received: number, total: number | null) => void;
  /** Injected in tests; the global fetch otherwise. */
  fetchImpl?: typeof fetch;
}

/** What is being downloaded, for the messages: an ONNX model (sniffed) or any other file (the caller checks it). */
export interface FetchKind {
  /** "This model", "This experiment file". */
  what: string;
  /** "an ONNX model", "an experiment file". */
  noun: string;
  /** Where the same file can be opened from disk instead. */
  openHint: string;
}

const MODEL_KIND: FetchKind = { what: 'This model', noun: 'an ONNX model', openHint: 'download the file and open it with “Open .onnx…”' };

export function tooLargeProblem(what: string, bytes: number | null, maxBytes: number): LoadProblem {
  return new LoadProblem({
    level: 'error',
    title: `${what} is too large to open in a tab`,
    detail: `${bytes === null ? 'It is' : `It is ${formatBytes(bytes)};`} more than the lab's limit of ${formatBytes(maxBytes)}.`,
    hint: 'WebAssembly memory ends at 4 GB and each session holds its own copy of the weights. Run it with the command-line `lab` tool (models up to 2 GB), or export it with fp16 weights (half the size).',
  });
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (err instanceof DOMException && err.name === 'AbortError');
}

export class Cancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'Cancelled';
  }
}

export async function fetchModel(url: URL, options: FetchModelOptions): Promise<Uint8Array> {
  const shown = shownUrl(url);
  const bytes = await fetchLimited(url, options, MODEL_KIND);
  const sniff = sniffModelBytes(bytes.subarray(0, 512));
  if (!sniff.ok) {
    if (sniff.kind === 'html') throw htmlProblem(url, shown, MODEL_KIND);
    throw new LoadProblem({
      level: 'error',
      title: `This address returned ${sniff.what}`,
      detail: shown,
      hint: 'Link directly to the .onnx file itself.',
    });
  }
  return bytes;
}

/** Downloads bytes with the checks every lab download gets: reachability/CORS, HTTP status, a web page, size. */
export async function fetchLimited(url: URL, options: FetchModelOptions, kind: FetchKind): Promise<Uint8Array> {
  const { maxBytes, signal, onProgress } = options;
  const doFetch = options.fetchImpl ?? fetch;
  const shown = shownUrl(url);
  let res: Response;
  try {
    res = await doFetch(url.href, { signal, credentials: 'same-origin' });
  } catch (err) {
    if (isAbort(err, signal)) throw new Cancelled();
    throw new LoadProblem({
      level: 'error',
      title: `Could not reach ${url.host || shown}`,
      detail: `${shown}${err instanceof Error && err.message ? ` (${err.message})` : ''}`,
      hint: 'Check the address, or that the server allows cross-origin requests (CORS) — many file hosts do not; Hugging Face “resolve/main” links and GitHub raw links do.',
    });
  }
  if (!res.ok) {
    const status = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    throw new LoadProblem({
      level: 'error',
      title: `The server answered ${status}`,
      detail: shown,
      hint:
        res.status === 404
          ? 'The file is not at this address: check the path and its spelling.'
          : res.status === 401 || res.status === 403
            ? 'The file is private or needs a login; the lab cannot send credentials to other sites. Download it and open it as a file.'
            : `Try again later, or ${kind.openHint}.`,
    });
  }
  const contentType = res.headers.get('content-type') ?? '';
  if (/text\/html|application\/xhtml/i.test(contentType)) {
    void res.body?.cancel().catch(() => {});
    throw htmlProblem(url, shown, kind);
  }
  const lengthHeader = res.headers.get('content-length');
  const declared = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  // With Content-Encoding the header is the compressed size; it still bounds nothing, so only trust it plain.
  const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const total = declared !== null && !encoded ? declared : null;
  return readLimited(res, maxBytes, total, signal, onProgress, kind.what);
}

function shownUrl(url: URL): string {
  return url.href.length > 120 ? `${url.href.slice(0, 117)}…` : url.href;
}

function htmlProblem(url: URL, shown: string, kind: FetchKind): LoadProblem {
  // Single-page servers answer a missing file on their own site with the app's page.
  if (typeof location !== 'undefined' && url.origin === location.origin) {
    return new LoadProblem({
      level: 'error',
      title: `There is no ${kind === MODEL_KIND ? 'model' : 'file'} at this address on this site`,
      detail: `${shown} (the server answered with a web page)`,
      hint: kind === MODEL_KIND ? 'Check the path. Built-in models are served from models/ next to the app; is the file in the build?' : 'Check the path and its spelling.',
    });
  }
  return new LoadProblem({
    level: 'error',
    title: `This address returned a web page, not ${kind.noun}`,
    detail: shown,
    hint: `Link to the raw file: on Hugging Face use …/resolve/main/${kind === MODEL_KIND ? 'model.onnx' : '<file>'}, on GitHub the “Raw” link.`,
  });
}

async function readLimited(
  res: Response,
  maxBytes: number,
  total: number | null,
  signal: AbortSignal | undefined,
  onProgress: FetchModelOptions['onProgress'],
  what: string,
): Promise<Uint8Array> {
  try {
    return await readBody(res, { maxBytes, total, signal, onProgress });
  } catch (err) {
    if (err instanceof BodyTooLarge) throw tooLargeProblem(what, err.bytes, maxBytes);
    if (isAbort(err, signal) || (err instanceof LabError && err.code === 'cancelled')) throw new Cancelled();
    throw new LoadProblem({
      level: 'error',
      title: 'The download was interrupted',
      detail: err instanceof Error ? err.message : String(err),
      hint: 'Check the connection and try again.',
    });
  }
}
