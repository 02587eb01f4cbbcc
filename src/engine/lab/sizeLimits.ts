/**
 * How large a model the lab opens, and the message past it. Protobuf caps one message at 2 GiB,
 * so a self-contained model (and the self-contained form the engine builds of an external-data
 * model) stays below that: the CLI's limit. A tab runs onnxruntime-web in 32-bit WebAssembly,
 * whose memory ends at 4 GiB, and every session holds its own copy of the weights there (the
 * plain session, a probe session, and while one is created the model bytes themselves): see
 * bench/RESULTS.md "Large models" for what a tab held, measured.
 */
import { LabError } from '../errors';

/** Protobuf's limit on one message: the most any runtime here can parse. */
export const MAX_MODEL_BYTES = 2 * 1024 ** 3 - 1;

/** The most a tab opens: two sessions' weights and the bytes of a third fit in 4 GiB. */
export const MAX_TAB_MODEL_BYTES = 1024 ** 3;

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

/** The error for a model of `bytes` (graph and external data together) past `limit`. */
export function tooLargeError(what: string, bytes: number, limit: number): LabError {
  if (limit >= MAX_MODEL_BYTES) {
    return new LabError('too-large', `${what} is ${mb(bytes)}; ONNX models end at 2 GB (protobuf's limit), the most onnxruntime can read. Export it with fp16 weights (half the size) or a smaller input size.`);
  }
  return new LabError(
    'too-large',
    `${what} is ${mb(bytes)}; a tab opens models up to ${mb(limit)} (WebAssembly memory ends at 4 GB and each session holds its own copy of the weights). Run it with the \`lab\` command (up to 2 GB), or export it with fp16 weights (half the size).`,
  );
}

export function checkModelSize(what: string, bytes: number, limit: number): void {
  if (bytes > limit) throw tooLargeError(what, bytes, limit);
}
