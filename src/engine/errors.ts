/** The engine's one error type: a code the UI and CLI map to guidance, and a message for people. */
export type LabErrorCode =
  | 'bad-model' // not an ONNX protobuf, truncated, or structurally invalid
  | 'no-image-input' // the model has no NCHW 3-channel float input
  | 'unsupported-op' // an op the runtime or surgery cannot handle (named in the message)
  | 'too-large' // beyond the size the lab accepts
  | 'bad-image' // an image that cannot be decoded or is out of bounds
  | 'bad-experiment' // an experiment file (lab.experiment/1) that is malformed, of another schema, or fails its hashes
  | 'bad-request' // a request that does not fit the model: unknown layer, unit out of range, input size
  | 'cancelled'
  | 'backend' // session creation failed on every backend
  | 'internal';

export class LabError extends Error {
  constructor(readonly code: LabErrorCode, message: string) {
    super(message);
    this.name = 'LabError';
  }
}

/** Wraps anything thrown into a LabError, keeping LabErrors as they are. */
export function asLabError(err: unknown, fallback: LabErrorCode = 'internal'): LabError {
  if (err instanceof LabError) return err;
  if (err instanceof Error && err.name === 'RunCancelled') return new LabError('cancelled', 'Cancelled');
  return new LabError(fallback, err instanceof Error ? err.message : String(err));
}

/** Classifies an onnxruntime session-creation failure. */
export function sessionError(err: unknown): LabError {
  const message = err instanceof Error ? err.message : String(err);
  if (/implementation for|not (yet )?supported|unsupported|unrecognized|no schema|not a registered/i.test(message)) {
    return new LabError('unsupported-op', `onnxruntime cannot run this model: ${message}`);
  }
  return new LabError('bad-model', `onnxruntime rejected the model: ${message}`);
}
