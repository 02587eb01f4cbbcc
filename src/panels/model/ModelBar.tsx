/** The model bar: built-in picker, "Open .onnx…", a URL field, the status and load progress. */
import { useRef, useState, type FormEvent } from 'react';
import { EditedBadge } from './EditedBadge';
import { useLab } from '../../store';
import { BUILTINS } from '../../store/builtins';
import { LoadProgressView } from './LoadProgressView';

export function ModelBar() {
  const status = useLab((s) => s.status);
  const source = useLab((s) => s.pendingSource ?? s.source);
  const name = useLab((s) => s.summary?.name ?? null);
  const { loadBuiltin, loadFile, loadUrl } = useLab.getState();
  const fileInput = useRef<HTMLInputElement>(null);
  const [url, setUrl] = useState('');

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const text = url.trim();
    if (text) void loadUrl(text);
  };

  return (
    <div className="model-bar">
      <select
        aria-label="Built-in model"
        value={source?.kind === 'builtin' ? source.id : ''}
        onChange={(e) => e.target.value && void loadBuiltin(e.target.value)}
      >
        {source?.kind !== 'builtin' && <option value="">{source ? `(${source.kind === 'file' ? source.name : 'from address'})` : 'Built-in models…'}</option>}
        {BUILTINS.map((b) => (
          <option key={b.id} value={b.id}>
            {b.title}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => fileInput.current?.click()}>
        Open .onnx…
      </button>
      <input
        ref={fileInput}
        type="file"
        accept=".onnx"
        hidden
        data-testid="model-file-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void loadFile(file);
        }}
      />
      <form className="url-form" onSubmit={onSubmit}>
        <input
          type="text"
          inputMode="url"
          placeholder="https://…/model.onnx"
          aria-label="Model address"
          data-testid="model-url-input"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <button type="submit" data-testid="model-url-load" disabled={url.trim() === ''}>
          Load
        </button>
      </form>
      <span className={`status status-${status}`} title={name ?? undefined}>
        <span data-testid="model-status">{status}</span>
      </span>
      <EditedBadge />
      <LoadProgressView />
    </div>
  );
}
