/** A small drawn thumbnail per kind of example (no image files to ship or keep in step). */
import type { PanelId } from '../store/panels';

export function Thumb({ panel }: { panel: PanelId }) {
  return (
    <svg className="start-thumb" viewBox="0 0 96 64" aria-hidden="true">
      <rect width="96" height="64" rx="6" fill="#1d2430" />
      {panel === 'exemplars' &&
        [0, 1, 2, 3].map((i) => <rect key={i} x={8 + i * 21} y={10} width={17} height={17} rx={2} fill={`hsl(${20 + i * 12} 80% ${60 - i * 8}%)`} />)}
      {panel === 'exemplars' && <path d="M8 54 L20 40 L32 46 L44 30 L56 42 L68 36 L88 50" stroke="#9cf" strokeWidth="2" fill="none" />}
      {panel === 'upscale' && (
        <>
          <rect x="8" y="10" width="38" height="44" fill="#6a8" />
          <rect x="50" y="10" width="38" height="44" fill="#8c9" />
          <line x1="48" y1="6" x2="48" y2="58" stroke="#fff" strokeWidth="2" />
        </>
      )}
      {panel === 'circuits' &&
        [
          [16, 16, 48, 32],
          [16, 48, 48, 32],
          [48, 32, 80, 32],
        ].map(([a, b, c, d], i) => <line key={i} x1={a} y1={b} x2={c} y2={d} stroke="#9cf" strokeWidth="2" />)}
      {panel === 'circuits' && [[16, 16], [16, 48], [48, 32], [80, 32]].map(([x, y], i) => <circle key={i} cx={x} cy={y} r="6" fill="#fc6" />)}
      {panel === 'agent' && [0, 1, 2].map((i) => <rect key={i} x={i % 2 ? 28 : 8} y={8 + i * 18} width={60} height={12} rx={4} fill={i % 2 ? '#9cf' : '#fc6'} />)}
    </svg>
  );
}
