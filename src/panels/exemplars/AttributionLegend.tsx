/** The colour scale of an attribution map: −end … 0 … +end (signed) or 0 … end (absolute). */
import { useMemo } from 'react';
import { attributionRgba, type MapMode } from '../../engine/attribution/pixelMap';
import { RgbaCanvas } from '../../ui/RgbaCanvas';

const STEPS = 128;

export function AttributionLegend({ end, mode }: { end: number; mode: MapMode }) {
  const ramp = useMemo(() => {
    const values = Array.from({ length: STEPS }, (_, i) => (mode === 'signed' ? -1 + (2 * i) / (STEPS - 1) : i / (STEPS - 1)));
    return attributionRgba(values, 1, mode);
  }, [mode]);
  const e = end.toPrecision(2);
  return (
    <div className="attr-legend" data-testid="attribution-legend" title="values beyond the ends saturate (the ends are the 99th percentile of |attribution|)">
      <RgbaCanvas rgba={ramp} width={STEPS} height={1} />
      <div className="attr-legend-labels mono small">
        <span>{mode === 'signed' ? `−${e}` : '0'}</span>
        {mode === 'signed' && <span>0</span>}
        <span>+{e}</span>
      </div>
    </div>
  );
}
