/**
 * Import an index file written by `lab exemplars --out` (button or drop on the Exemplars panel).
 * The store refuses it, with a notice saying why, unless it fits the open model and dataset.
 */
import { useRef } from 'react';
import { useLab } from '../../store';

export function IndexFileImport() {
  const importFile = useLab((s) => s.importIndexFile);
  const ready = useLab((s) => s.summary !== null && s.datasetStatus === 'ready');
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="small" data-testid="index-import" disabled={!ready} onClick={() => input.current?.click()} title="An index file written by lab exemplars MODEL DATASET --layer L --out FILE">
        Import index file…
      </button>
      <input
        ref={input}
        type="file"
        hidden
        data-testid="index-import-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void importFile(file, file.name);
          e.target.value = '';
        }}
      />
    </>
  );
}

/** Drop handlers for the panel: a dropped index file is imported. */
export function useIndexFileDrop() {
  const importFile = useLab((s) => s.importIndexFile);
  return {
    onDragOver: (e: React.DragEvent) => e.dataTransfer.types.includes('Files') && e.preventDefault(),
    onDrop: (e: React.DragEvent) => {
      const file = e.dataTransfer.files[0];
      if (!file || !/\.idx$/i.test(file.name)) return; // images dropped here are for "try it"
      e.preventDefault();
      e.stopPropagation();
      void importFile(file, file.name);
    },
  };
}
