/**
 * Drag-and-drop anywhere on the page: an .onnx file (or a folder or files holding one .onnx and its
 * external data) loads as the model; an experiment file opens; an image is classified, or,
 * on the Exemplars panel with a unit open, run through that unit ("try it"), or, on the Upscale
 * panel, upscaled 3× as the low-resolution input.
 */
import { useEffect, useState } from 'react';
import { useLab } from '../store';
import { predictFile } from '../panels/model/predictFile';
import { tryFile } from '../panels/exemplars/tryFile';
import { upscaleFile } from '../panels/upscale/imageFile';
import { fromDrop } from '../panels/dataset/folderFiles';
import { openExperimentFile } from '../store/experimentActions';

/** A dropped folder, or several files, holding one .onnx: the model and its external data files. */
async function dropModelWithData(data: DataTransfer): Promise<boolean> {
  const picked = await fromDrop(data);
  const files = picked?.files.map((f) => f.file) ?? [];
  if (files.filter((f) => /\.onnx$/i.test(f.name)).length !== 1) return false;
  await useLab.getState().loadFiles(files);
  return true;
}

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

export function DropOverlay() {
  const [active, setActive] = useState(false);
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setActive(true);
    };
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setActive(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setActive(false);
      const file = e.dataTransfer?.files[0];
      const items = Array.from(e.dataTransfer?.items ?? []);
      const hasFolder = items.some((it) => it.webkitGetAsEntry?.()?.isDirectory);
      if (e.dataTransfer && (items.length > 1 || hasFolder) && useLab.getState().panel !== 'upscale') {
        // The entries are taken now, while the drop event lasts; loose files with no one model fall through.
        void dropModelWithData(e.dataTransfer).then((done) => {
          if (done) return;
          if (!hasFolder && file) single(file);
          else {
            useLab.getState().pushNotice({
              level: 'warning',
              title: 'The dropped folder holds no single .onnx model',
              hint: 'Drop a folder with one model (and its model.onnx.data), or an image folder on the Dataset card to open it as a dataset.',
            });
          }
        });
        return;
      }
      if (file) single(file);
    };
    const single = (file: File) => {
      const { loadFile, pushNotice, panel, unit } = useLab.getState();
      const isModel = /\.onnx$/i.test(file.name);
      // An experiment file opens on any panel (a .idx index drop is the Exemplars panel's own).
      if (/\.json$/i.test(file.name)) {
        void openExperimentFile(useLab, file);
        return;
      }
      const isImage = file.type.startsWith('image/');
      // On the Upscale panel both models and images belong to the upscaler.
      if (panel === 'upscale' && (isModel || isImage)) void upscaleFile(file, 'lr');
      else if (isModel) void loadFile(file);
      else if (isImage && panel === 'exemplars' && unit !== null) void tryFile(file, file.name);
      else if (isImage) void predictFile(file);
      else pushNotice({ level: 'warning', title: `“${file.name}” is not an .onnx model or an image`, hint: 'Drop an .onnx file to open it, an image to classify it, or an experiment file (.labexp.json) to open it.' });
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);
  const action = useLab((s) =>
    s.panel === 'upscale' ? 'upscale it 3×' : s.panel === 'exemplars' && s.unit !== null ? `try it on unit ${s.unit}` : 'classify it',
  );
  if (!active) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay">
      <div>Drop an .onnx {action === 'upscale it 3×' ? 'upscaler' : 'model'} to open it, or an image to {action}</div>
    </div>
  );
}
