/** "Try a sample": photographs from Debian's wallpapers; one click upscales one (as the ground truth, so PSNR/SSIM show). */
import { useLab } from '../../store';
import { upscaleSample } from './imageFile';
import { usePhotoSamples } from './photoSamples';

export function SampleStrip() {
  const { data, error, isPending } = usePhotoSamples();
  const input = useLab((s) => s.upInput);
  if (isPending) return <div className="muted small">Loading sample photos…</div>;
  if (error) return <div className="muted small">Sample photos are not available: {error.message}</div>;
  if (data.length === 0) return null;
  return (
    <div className="up-samples" data-testid="upscale-samples">
      <span className="muted small">Try a sample:</span>
      {data.map((s, i) => (
        <button
          key={s.file}
          type="button"
          className={input?.name === s.file ? 'up-sample selected' : 'up-sample'}
          data-testid={`upscale-sample-${i}`}
          title={`${s.title} — © ${s.copyright}, ${s.licence} (Debian ${s.package}). Downscaled 3× as the input; the photo is the ground truth.`}
          onClick={() => void upscaleSample(s.url, s.file)}
        >
          <img src={s.url} alt={s.title} loading="lazy" />
          <span>{s.title}</span>
          <span className="up-sample-licence">
            © {s.copyright} · {s.licence}
          </span>
        </button>
      ))}
    </div>
  );
}
