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

type Guided = Exclude<EngineError['code'], 'cancelled' | 'internal'>;

/** What went wrong and what to do, per engine error code (tsc fails if a new code lacks one). */
const GUIDANCE: Record<Guided, { problem: string; hint: string }> = {
  'bad-model': {
    problem: 'this is not a usable ONNX model',
    hint: 'Check that it is a complete .onnx file (not a .pt/.pth checkpoint or a cut-off download). Export PyTorch models with torch.onnx.export.',
  },
  'no-image-input': {
    problem: 'the model has no image input',
    hint: 'The lab needs a float input shaped [N, 3, H, W] (NCHW, RGB). Re-export the model with such an input.',
  },
  'unsupported-op': {
    problem: 'the model uses an operator the lab cannot run',
    hint: 'Try the WASM backend (it supports the most operators), or re-export with a standard opset (≤ 17) and no custom ops.',
  },
  'too-large': {
    problem: 'the model is too large',
    hint: `The lab opens models up to ${formatBytes(MAX_MODEL_BYTES)} in a tab. Use a smaller or quantized export.`,
  },
  'bad-image': {
    problem: 'the image cannot be used',
    hint: 'Use a PNG, JPEG, GIF, WebP or BMP image of at most 40 megapixels.',
  },
  'bad-request': {
    problem: 'the request does not fit this model',
    hint: 'Check the selected layer and unit against the layer list of the loaded model.',
  },
  'bad-experiment': {
    problem: 'the experiment file cannot be opened',
    hint: 'Ask for the file again (it may have been cut off or edited), or for the link alone; the current view is kept.',
  },
  backend: {
    problem: 'no backend could run the model',
    hint: 'Switch the backend to WASM in the header. WebGPU needs a supported browser and GPU.',
  },
};

/** `action` names what failed, e.g. "Loading model.onnx" or "Prediction". */
export function noticeFromError(err: unknown, action: string): NoticeInput | null {
  if (err instanceof Cancelled) return null;
  if (err instanceof LoadProblem) return err.notice;
  if (err instanceof EngineError) {
    const detail = err.message;
    if (err.code === 'cancelled') return null;
    if (err.code === 'internal') {
      const crashed = /worker crashed|could not start/i.test(detail);
      return {
        level: 'error',
        title: `${action} failed: ${crashed ? 'the engine worker stopped' : 'the engine stopped with an error'}`,
        detail,
        hint: crashed
          ? 'Reload the page. If it fails again at once, the app files may be incomplete or blocked (the browser console says which).'
          : 'Reload the page and try again. If it happens again, note the model and the steps.',
      };
    }
    const { problem, hint } = GUIDANCE[err.code];
    return { level: 'error', title: `${action} failed: ${problem}`, detail, hint };
  }
  return {
    level: 'error',
    title: `${action} failed`,
    detail: err instanceof Error ? err.message : String(err),
    hint: 'Reload the page and try again.',
  };
}
