/** A tiny histogram as SVG bars (the unit grid's activation distribution). */
export function Sparkline({ counts, width = 64, height = 18 }: { counts: number[]; width?: number; height?: number }) {
  const top = Math.max(1, ...counts);
  const w = width / Math.max(1, counts.length);
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
      {counts.map((c, i) => {
        // Square-root heights keep the long tail (the top exemplars) visible.
        const h = c === 0 ? 0 : Math.max(1, Math.sqrt(c / top) * height);
        return <rect key={i} x={i * w} y={height - h} width={Math.max(0.5, w - 0.5)} height={h} />;
      })}
    </svg>
  );
}
