/** Export the circuit (lab.circuit/1 JSON) and its graph (SVG, PNG); open a circuit file (button or drop). */
import type { GraphLayout } from '../../engine/circuits/layout';
import { useLab } from '../../store';
import { circuitFileText } from '../../store/circuitFile';
import { saveBlob } from '../../ui/saveBlob';
import { FilePickButton } from '../../ui/FilePickButton';
import { graphSvg, svgToPng } from './graphSvg';

function baseName(): string {
  const c = useLab.getState().circuit;
  const t = c?.target;
  const what = t?.kind === 'logit' ? `logit${t.index}` : t?.kind ?? 'circuit';
  return `circuit-${(c?.model.name ?? 'model').replace(/\.onnx$/i, '').replace(/[^a-z0-9_-]+/gi, '_')}-${what}`;
}

export function CircuitFiles({ layout, thumbs }: { layout: GraphLayout | null; thumbs: Map<string, string> }) {
  const circuit = useLab((s) => s.circuit);
  const labels = useLab((s) => s.summary?.labels ?? null);
  const threshold = useLab((s) => s.circuitThreshold);
  const importFile = useLab((s) => s.importCircuitFile);
  const svg = () => (layout ? graphSvg(layout, thumbs, labels, threshold) : '');
  return (
    <div className="circuit-files row">
      <button type="button" className="small" disabled={!circuit} data-testid="circuit-export-json" onClick={() => circuit && saveBlob(new Blob([circuitFileText(circuit)], { type: 'application/json' }), `${baseName()}.json`)}>
        Export JSON
      </button>
      <button type="button" className="small" disabled={!layout} data-testid="circuit-export-svg" onClick={() => saveBlob(new Blob([svg()], { type: 'image/svg+xml' }), `${baseName()}.svg`)}>
        SVG
      </button>
      <button
        type="button"
        className="small"
        disabled={!layout}
        data-testid="circuit-export-png"
        onClick={() =>
          void svgToPng(svg()).then(
            (b) => saveBlob(b, `${baseName()}.png`),
            (err: unknown) => useLab.getState().pushNotice({ level: 'warning', title: 'The PNG could not be made', hint: String(err) }),
          )
        }
      >
        PNG
      </button>
      <FilePickButton className="small" accept=".json,application/json" testid="circuit-open" inputTestid="circuit-open-input" onFile={(file) => void importFile(file, file.name)}>
        Open…
      </FilePickButton>
    </div>
  );
}

/** Drop handlers for the panel: a dropped .json (not a .labexp.json) is opened as a circuit. */
export function useCircuitFileDrop() {
  const importFile = useLab((s) => s.importCircuitFile);
  return {
    onDragOver: (e: React.DragEvent) => e.dataTransfer.types.includes('Files') && e.preventDefault(),
    onDrop: (e: React.DragEvent) => {
      const file = e.dataTransfer.files[0];
      // An experiment file is the shell's (it opens on any panel).
      if (!file || !/\.json$/i.test(file.name) || /\.labexp\.json$/i.test(file.name)) return;
      e.preventDefault();
      e.stopPropagation();
      void importFile(file, file.name);
    },
  };
}
