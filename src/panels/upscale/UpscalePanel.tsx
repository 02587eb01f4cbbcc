/**
 * The Upscale panel: super-resolution with the lab's FREDSR (or another upscaler), on an image
 * (split view against bicubic, loupe, PSNR/SSIM with a ground truth) or live on the webcam.
 */
import { useEffect } from 'react';
import { useLab } from '../../store';
import { ImageMode } from './ImageMode';
import { UpscalerPicker } from './UpscalerPicker';
import { WebcamMode } from './WebcamMode';

export function UpscalePanel() {
  const mode = useLab((s) => s.upMode);
  const setMode = useLab((s) => s.setUpscaleMode);
  // The model's backend changes when the engine is replaced (a backend switch): open the upscaler again there.
  const engineBackend = useLab((s) => s.backend);
  useEffect(() => {
    void useLab.getState().ensureUpscaler();
  }, [engineBackend]);

  return (
    <section className="panel upscale-panel" data-testid="panel-upscale">
      <div className="up-head">
        <h2>Upscale</h2>
        <UpscalerPicker />
        <div className="tabs up-modes" role="tablist">
          {(['image', 'webcam'] as const).map((m) => (
            <button key={m} type="button" role="tab" aria-selected={mode === m} className={mode === m ? 'tab active' : 'tab'} data-testid={`upscale-mode-${m}`} onClick={() => setMode(m)}>
              {m === 'image' ? 'Image' : 'Webcam'}
            </button>
          ))}
        </div>
      </div>
      {mode === 'image' ? <ImageMode /> : <WebcamMode />}
    </section>
  );
}
