/** Which upscaler runs: the built-ins the server has, or an .onnx of the researcher's with the same contract. */
import { useLab } from '../../store';
import { BUILTIN_UPSCALERS } from '../../store/upscaleSlice';
import { formatCount } from '../../ui/format';
import { backendLabel } from './ImageMode';

export function UpscalerPicker() {
  const available = useLab((s) => s.upAvailable);
  const choice = useLab((s) => s.upChoice);
  const status = useLab((s) => s.upStatus);
  const info = useLab((s) => s.upInfo);
  const error = useLab((s) => s.upError);
  const { selectUpscaler, openUpscalerFile } = useLab.getState();
  const builtins = BUILTIN_UPSCALERS.filter((b) => available?.includes(b.id));
  const isFile = choice.startsWith('file:');
  return (
    <div className="up-picker">
      <label>
        Upscaler{' '}
        <select value={choice} data-testid="upscaler-select" disabled={status === 'loading'} onChange={(e) => void selectUpscaler(e.target.value)}>
          {builtins.map((b) => (
            <option key={b.id} value={b.id}>
              {b.title}
            </option>
          ))}
          {isFile && <option value={choice}>{choice.slice(5)} (file)</option>}
        </select>
      </label>
      <label className="button" title="An ONNX upscaler: input [N,3,H,W] RGB in [0,1], output [N,3,sH,sW]">
        Open .onnx…
        <input
          type="file"
          accept=".onnx"
          hidden
          data-testid="upscaler-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void openUpscalerFile(file);
          }}
        />
      </label>
      <span className={`status status-${status}`} data-testid="upscaler-status">
        {status === 'loading' ? 'opening…' : status === 'ready' ? 'ready' : status === 'error' ? 'error' : ''}
      </span>
      {info && status !== 'error' && (
        <span className="muted small" data-testid="upscaler-info">
          {info.name} · {info.scale}× · {formatCount(info.parameters)} parameters · {backendLabel(info.backend.name)}
          {info.backend.name === 'wasm' ? ` · ${info.backend.threads} thread${info.backend.threads === 1 ? '' : 's'}` : ''}
        </span>
      )}
      {status === 'error' && error && (
        <span className="status-error small" data-testid="upscaler-error">
          {error}
        </span>
      )}
    </div>
  );
}
