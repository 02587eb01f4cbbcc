/**
 * Turns any failure (an EngineError from the worker, a LoadProblem, anything else) into the
 * notice the researcher sees, with a hint of what to do. Cancellations give no notice (null).
 */
import { EngineError } from '../worker/client';
import { MAX_MODEL_BYTES } from '../worker/protocol';
import type { NoticeInput } from './noticeSlice';
import { LoadProblem } from './loadProblem';
import { Cancelled } from './fetchModel';
import { formatBytes } from '../ui/format';

/** `action` names what failed, e.g. "Loading model.onnx" or "Prediction". */
export function noticeFromError(err: unknown, action: string): NoticeInput | null {
  if (err instanceof Cancelled) return null;
  if (err instanceof LoadProblem) return err.notice;
  if (err instanceof EngineError) {
    const detail = err.message;
    switch (err.code) {
      case 'cancelled':
        return null;
      case 'bad-model':
        return {
          level: 'error',
          title: `${action} failed: this is not a usable ONNX model`,
          detail,
          hint: 'Check that it is a complete .onnx file (not a .pt/.pth checkpoint or a cut-off download). Export PyTorch models with torch.onnx.export.',
        };
      case 'no-image-input':
        return {
          level: 'error',
          title: `${action} failed: the model has no image input`,
          detail,
          hint: 'The lab needs a float input shaped [N, 3, H, W] (NCHW, RGB). Re-export the model with such an input.',
        };
      case 'unsupported-op':
        return {
          level: 'error',
          title: `${action} failed: the model uses an operator the lab cannot run`,
          detail,
          hint: 'Try the WASM backend (it supports the most operators), or re-export with a standard opset (≤ 17) and no custom ops.',
        };
      case 'too-large':
        return {
          level: 'error',
          title: `${action} failed: the model is too large`,
          detail,
          hint: `The lab opens models up to ${formatBytes(MAX_MODEL_BYTES)} in a tab. Use a smaller or quantized export.`,
        };
      case 'bad-image':
        return {
          level: 'error',
          title: `${action} failed: the image cannot be used`,
          detail,
          hint: 'Use a PNG, JPEG, GIF, WebP or BMP image of at most 40 megapixels.',
        };
      case 'bad-request':
        return {
          level: 'error',
          title: `${action} failed: the request does not fit this model`,
          detail,
          hint: 'Check the selected layer and unit against the layer list of the loaded model.',
        };
      case 'backend':
        return {
          level: 'error',
          title: `${action} failed: no backend could run the model`,
          detail,
          hint: 'Switch the backend to WASM in the header. WebGPU needs a supported browser and GPU.',
        };
      case 'internal':
        if (/worker crashed|could not start/i.test(detail)) {
          return {
            level: 'error',
            title: `${action} failed: the engine worker stopped`,
            detail,
            hint: 'Reload the page. If it fails again at once, the app files may be incomplete or blocked (the browser console says which).',
          };
        }
        return {
          level: 'error',
          title: `${action} failed: the engine stopped with an error`,
          detail,
          hint: 'Reload the page and try again. If it happens again, note the model and the steps.',
        };
      default: {
        // A new error code in the protocol must get its own guidance here (tsc fails until it does).
        const unhandled: never = err.code;
        return { level: 'error', title: `${action} failed (${String(unhandled)})`, detail };
      }
    }
  }
  return {
    level: 'error',
    title: `${action} failed`,
    detail: err instanceof Error ? err.message : String(err),
    hint: 'Reload the page and try again.',
  };
}
