/**
 * Share, embed, export and open — one bar every panel shows. Share copies the link and says what
 * it holds and what it leaves out; "Copy embed code" copies an iframe of the view's card
 * (`&embed=1`); Export saves an experiment file (`*.labexp.json`) with what a link cannot hold;
 * Open reads one. All text shown comes from the store as plain text (React escapes it).
 */
import { useState } from 'react';
import { useLab } from '../store';
import { shareSummary, type ShareSummary } from '../store/shareSummary';
import { exportExperiment, openExperimentFile } from '../store/experimentActions';
import { saveBlob } from '../ui/saveBlob';
import { formatBytes } from '../ui/format';
import { FilePickButton } from '../ui/FilePickButton';

/** The page address of a hash (the lab's own origin and path). */
export function linkFor(hash: string): string {
  return `${location.origin}${location.pathname}${location.search}${hash}`;
}

/** An iframe of the view's card; the title is the panel's name only, so nothing needs escaping. */
export function embedCode(hash: string, panel: string): string {
  const sep = hash.includes('?') ? '&' : '?';
  return `<iframe src="${linkFor(`${hash}${sep}embed=1`)}" width="760" height="620" style="border:0" loading="lazy" title="interp·lab ${panel}"></iframe>`;
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

type Shown = { kind: 'link' | 'embed'; text: string; copied: boolean; summary: ShareSummary } | { kind: 'exported'; name: string; bytes: number; images: number };

export function ShareBar() {
  const busy = useLab((s) => s.experimentBusy);
  const panel = useLab((s) => s.panel);
  const [shown, setShown] = useState<Shown | null>(null);

  const share = async (kind: 'link' | 'embed') => {
    const s = useLab.getState();
    const text = kind === 'link' ? linkFor(location.hash) : embedCode(location.hash, s.panel);
    setShown({ kind, text, copied: await copy(text), summary: shareSummary(s) });
  };
  const exportFile = async () => {
    const out = await exportExperiment(useLab);
    if (!out) return;
    saveBlob(new Blob([out.text], { type: 'application/json' }), out.name);
    setShown({ kind: 'exported', name: out.name, bytes: new TextEncoder().encode(out.text).byteLength, images: out.file.images?.length ?? 0 });
  };

  return (
    <div className="share-bar" data-testid="share-bar">
      <button type="button" data-testid="share-link" onClick={() => void share('link')}>
        Share
      </button>
      <button type="button" data-testid="share-embed" onClick={() => void share('embed')}>
        Copy embed code
      </button>
      <button type="button" data-testid="experiment-export" onClick={() => void exportFile()} title="Save the view and what a link cannot hold (images, results) as a .labexp.json file">
        Export experiment
      </button>
      <FilePickButton accept=".json,application/json" testid="experiment-open" inputTestid="experiment-file" disabled={busy} onFile={(file) => void openExperimentFile(useLab, file)}>
        {busy ? 'Opening…' : 'Open experiment…'}
      </FilePickButton>
      {shown && (
        <div className="share-pop card" role="status" data-testid="share-pop">
          <button type="button" className="link share-close" aria-label="Close" onClick={() => setShown(null)}>
            ×
          </button>
          {shown.kind === 'exported' ? (
            <div data-testid="share-exported">
              Saved {shown.name} ({formatBytes(shown.bytes)}
              {shown.images ? `, ${shown.images} image${shown.images === 1 ? '' : 's'}` : ''}). Anyone can open it here with “Open experiment…” or by dropping it on the lab.
            </div>
          ) : (
            <>
              <div>
                {shown.copied ? (shown.kind === 'link' ? 'Link copied' : 'Embed code copied') : 'Copy this:'} — the {panel} {shown.kind === 'embed' ? 'card' : 'view'}
              </div>
              <input className="share-text" readOnly value={shown.text} data-testid="share-text" onFocus={(e) => e.target.select()} />
              <div className="small">
                <strong>Holds:</strong> <span data-testid="share-holds">{shown.summary.holds.join('; ')}</span>
              </div>
              <div className="small">
                <strong>Leaves out:</strong> <span data-testid="share-leaves-out">{shown.summary.leavesOut.join('; ')}</span>
                {shown.summary.leavesOut.length > 1 && ' — “Export experiment” saves the images and results in a file.'}
              </div>
            </>
          )}
        </div>
      )}
    </div>
  );
}
