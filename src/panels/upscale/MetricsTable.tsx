/** PSNR and SSIM (Y channel, border cropped) of the model and of bicubic against the ground truth. */
import type { UpscaleMetrics } from '../../engine/upscale/compare';

function fmt(v: number, digits: number): string {
  if (Number.isNaN(v)) return '—';
  return Number.isFinite(v) ? v.toFixed(digits) : '∞';
}

export function MetricsTable({ metrics, modelName }: { metrics: UpscaleMetrics; modelName: string }) {
  const dPsnr = metrics.psnr - metrics.psnrBicubic;
  return (
    <table className="up-metrics" data-testid="upscale-metrics">
      <thead>
        <tr>
          <th />
          <th className="num">PSNR (dB)</th>
          <th className="num">SSIM</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <td>{modelName}</td>
          <td className="num mono" data-testid="upscale-psnr">{fmt(metrics.psnr, 2)}</td>
          <td className="num mono" data-testid="upscale-ssim">{fmt(metrics.ssim, 4)}</td>
        </tr>
        <tr>
          <td>bicubic</td>
          <td className="num mono">{fmt(metrics.psnrBicubic, 2)}</td>
          <td className="num mono">{fmt(metrics.ssimBicubic, 4)}</td>
        </tr>
        <tr className="muted small">
          <td colSpan={3}>
            {Number.isFinite(dPsnr) ? `${dPsnr >= 0 ? '+' : ''}${dPsnr.toFixed(2)} dB over bicubic · ` : ''}Y channel (BT.601), {metrics.border} px border cropped
          </td>
        </tr>
      </tbody>
    </table>
  );
}
