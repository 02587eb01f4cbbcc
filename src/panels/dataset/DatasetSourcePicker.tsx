/**
 * Where a dataset comes from besides the built-in scenes: a local folder (the directory picker
 * where the browser has one, else <input webkitdirectory>; a folder or files may also be dropped
 * on the dataset card) or a URL manifest; and how images are fitted to the model's input.
 */
import { useRef, useState } from 'react';
import { FIT_MODES, type FitMode } from '../../engine/data/imageFit';
import { useLab } from '../../store';
import { fromFileList, hasDirectoryPicker, pickDirectory } from './folderFiles';

const FIT_LABELS: Record<FitMode, string> = { stretch: 'stretch', 'center-crop': 'centre crop', pad: 'pad (letterbox)' };

export function DatasetSourcePicker() {
  const openFolder = useLab((s) => s.openImageFolder);
  const openManifest = useLab((s) => s.openManifest);
  const fit = useLab((s) => s.datasetFit);
  const setFit = useLab((s) => s.setDatasetFit);
  const pushNotice = useLab((s) => s.pushNotice);
  const modelReady = useLab((s) => s.summary !== null);
  const input = useRef<HTMLInputElement>(null);
  const [url, setUrl] = useState('');

  const chooseFolder = async () => {
    if (!hasDirectoryPicker()) {
      input.current?.click();
      return;
    }
    try {
      const picked = await pickDirectory();
      if (picked) await openFolder(picked.name, picked.files);
    } catch (err) {
      pushNotice({ level: 'error', title: `The folder could not be read: ${err instanceof Error ? err.message : String(err)}` });
    }
  };

  return (
    <div className="dataset-sources">
      <button type="button" data-testid="dataset-folder" disabled={!modelReady} onClick={() => void chooseFolder()} title="A folder of images; subfolders become labels">
        Open folder…
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="dataset-folder-input"
        // React does not know the attribute; the browser does (all current engines).
        {...{ webkitdirectory: '' }}
        onChange={(e) => {
          const files = e.target.files;
          if (files && files.length) {
            const picked = fromFileList(files);
            void openFolder(picked.name, picked.files);
          }
          e.target.value = '';
        }}
      />
      <form
        className="dataset-manifest"
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) void openManifest(url.trim());
        }}
      >
        <input
          type="url"
          data-testid="dataset-manifest-url"
          placeholder="Manifest URL (JSON list of images)"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          aria-label="Manifest URL"
        />
        <button type="submit" data-testid="dataset-manifest-open" disabled={!modelReady || !url.trim()}>
          Open
        </button>
      </form>
      <label className="small">
        <span className="muted">fit </span>
        <select data-testid="dataset-fit" value={fit} onChange={(e) => void setFit(e.target.value as FitMode)} title="How images are fitted to the model's input size">
          {FIT_MODES.map((m) => (
            <option key={m} value={m}>
              {FIT_LABELS[m]}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
