/** Image mode: an image in, its 3× upscale against bicubic (split view, loupe), metrics with a ground truth, download. */
import { useLab } from '../../store';
import { TILE_SIZES } from '../../store/upscaleSlice';
import { RawImageCanvas } from '../../ui/RawImageCanvas';
import { formatMs } from '../../ui/format';
import { CompareView } from './CompareView';
import { downloadPng, resultFileName } from './downloadPng';
import { upscaleFile } from './imageFile';
import { InputZone } from './InputZone';
import { MetricsTable } from './MetricsTable';
import { SampleStrip } from './SampleStrip';
import { usePastedImage } from '../../ui/usePastedImage';

export function ImageMode() {
  const input = useLab((s) => s.upInput);
  const result = useLab((s) => s.upResult);
  const running = useLab((s) => s.upRunning);
  const progress = useLab((s) => s.upProgress);
  const tile = useLab((s) => s.upTile);
  const info = useLab((s) => s.upInfo);
  const { setUpscaleTile, runUpscale, cancelUpscale, setUpscaleTruth } = useLab.getState();
  const modelName = info?.name.replace(/\.onnx$/i, '') ?? 'model';

  // A pasted image is the low-resolution input while this panel is open.
  usePastedImage((file) => void upscaleFile(file, 'lr'));

  return (
    <div className="up-image">
      <div className="up-inputs">
        <InputZone role="lr" testid="upscale-lr">
          <strong>Low-resolution image</strong>
          <span className="muted"> — drop, paste or <span className="link">choose</span>; it is upscaled {info?.scale ?? 3}×</span>
        </InputZone>
        <InputZone role="hr" testid="upscale-hr">
          <strong>High-resolution image</strong>
          <span className="muted"> — downscaled {info?.scale ?? 3}× (bicubic) as the input, then kept as the ground truth for PSNR/SSIM</span>
        </InputZone>
        <div className="up-controls">
          <label title="Low-resolution tile size; larger tiles use more memory, 0 runs the whole image at once">
            Tile{' '}
            <select value={tile} data-testid="upscale-tile" onChange={(e) => setUpscaleTile(Number(e.target.value))}>
              {TILE_SIZES.map((t) => (
                <option key={t} value={t}>
                  {t === 0 ? 'whole image' : `${t} px`}
                </option>
              ))}
            </select>
          </label>
          {input && !running && (
            <button type="button" onClick={() => void runUpscale()}>
              Upscale again
            </button>
          )}
          {running && (
            <>
              <progress max={progress?.total ?? 1} value={progress?.done ?? 0} data-testid="upscale-progress" />
              <span className="muted small">{progress ? `tile ${progress.done} of ${progress.total}` : 'starting…'}</span>
              <button type="button" data-testid="upscale-cancel" onClick={cancelUpscale}>
                Cancel
              </button>
            </>
          )}
        </div>
      </div>
      <SampleStrip />

      {input && (
        <div className="up-given">
          <div>
            <div className="muted small">
              {input.role === 'hr' ? 'ground truth' : 'input'}: {input.name} · {input.image.width}×{input.image.height}
            </div>
            <RawImageCanvas image={input.image} className="up-thumb" />
          </div>
          {input.role === 'lr' && (
            <div>
              {input.truth ? (
                <>
                  <div className="muted small">
                    ground truth: {input.truth.name} · {input.truth.image.width}×{input.truth.image.height}{' '}
                    <button type="button" className="link" onClick={() => void setUpscaleTruth(null)}>
                      remove
                    </button>
                  </div>
                  <RawImageCanvas image={input.truth.image} className="up-thumb" />
                </>
              ) : (
                <InputZone role="truth" testid="upscale-truth">
                  <span className="muted">Have the high-resolution original? Drop or </span>
                  <span className="link">choose it</span>
                  <span className="muted"> for PSNR/SSIM</span>
                </InputZone>
              )}
            </div>
          )}
        </div>
      )}

      {result && (
        <div className="up-result" data-testid="upscale-result">
          <div className="up-result-head">
            <span data-testid="upscale-size">
              {result.input.width}×{result.input.height} → {result.output.width}×{result.output.height}
            </span>
            <span className="muted small">
              {formatMs(result.ms)} · {result.tiles} tile{result.tiles === 1 ? '' : 's'}
              {result.tile ? ` of ${result.tile} px (+${result.overlap} overlap)` : ''} · {info ? backendLabel(info.backend.name) : ''}
            </span>
            <button
              type="button"
              data-testid="upscale-download"
              onClick={() => downloadPng(result.output, resultFileName(input?.name ?? 'image', info?.name ?? 'model', info?.scale ?? 3))}
            >
              Download PNG
            </button>
          </div>
          <CompareView model={result.output} bicubic={result.bicubic} modelName={modelName} />
          {result.metrics && <MetricsTable metrics={result.metrics} modelName={modelName} />}
        </div>
      )}
    </div>
  );
}

export function backendLabel(name: string): string {
  return name === 'webgpu' ? 'WebGPU' : name === 'wasm' ? 'WASM' : 'CPU';
}
