/**
 * The Exemplars panel: layers → unit grid → unit view. Opening it (or a link to it) indexes the
 * selected layer over the open dataset (from the page's cache when it can), then shows the grid
 * and the selected unit's exemplars.
 */
import { useEffect } from 'react';
import { useLab } from '../../store';
import { ExemplarLayerList } from './ExemplarLayerList';
import { IndexStatusBar, UnitPartialNote } from './IndexStatusBar';
import { IndexFileImport, useIndexFileDrop } from './IndexFileImport';
import { UnitGrid } from './UnitGrid';
import { UnitView } from './UnitView';

function useExemplarSync(): void {
  const sync = useLab((s) => s.syncExemplars);
  const modelSha = useLab((s) => s.summary?.sha256 ?? null);
  const datasetSha = useLab((s) => (s.datasetStatus === 'ready' ? (s.datasetInfo?.sha256 ?? null) : null));
  const layer = useLab((s) => s.layer);
  const unit = useLab((s) => s.unit);
  const status = useLab((s) => s.exIndexStatus);
  useEffect(() => {
    void sync();
  }, [sync, modelSha, datasetSha, layer, unit, status]);
}

/** A linked unit's last complete view, drawn while the model loads (the live panel replaces it). */
function SnapshotPanel({ title, savedAt }: { title: string; savedAt: number }) {
  const status = useLab((s) => s.status);
  return (
    <section className="panel exemplars-panel" data-testid="panel-exemplars" data-snapshot="true">
      <div className="ex-main">
        <section className="card">
          <div className="ex-head">
            <h2>Exemplars</h2>
            <span className="muted small" data-testid="ex-snapshot-note">
              {title}: the view as it was on {new Date(savedAt).toLocaleString()}; {status === 'error' ? 'the model could not be loaded' : 'the model is loading…'}
            </span>
          </div>
        </section>
        <UnitView />
      </div>
    </section>
  );
}

export function ExemplarsPanel() {
  useExemplarSync();
  const summary = useLab((s) => s.summary);
  const datasetStatus = useLab((s) => s.datasetStatus);
  const datasetTitle = useLab((s) => s.datasetInfo?.title ?? s.datasetId);
  const layer = useLab((s) => s.layer);
  const unit = useLab((s) => s.unit);
  const snapshot = useLab((s) => s.exSnapshot);
  const drop = useIndexFileDrop();
  if (!summary && snapshot && unit !== null) return <SnapshotPanel title={snapshot.summary.name} savedAt={snapshot.savedAt} />;
  if (!summary) return <section className="panel card muted" data-testid="panel-exemplars">Load a model to see its units’ exemplars.</section>;
  return (
    <section className="panel exemplars-panel" data-testid="panel-exemplars" {...drop}>
      <aside className="card ex-layers">
        <h2>Layers</h2>
        <ExemplarLayerList layers={summary.layers} />
      </aside>
      <div className="ex-main">
        <section className="card">
          <div className="ex-head">
            <h2>Exemplars</h2>
            <span className="muted small">
              {summary.name} over {datasetTitle ?? 'no dataset'}
              {datasetStatus !== 'ready' && ' (the dataset is opening…)'}
            </span>
            <IndexFileImport />
          </div>
          {layer === null ? <div className="muted">Pick a layer on the left: its units are ranked by their strongest response on every scene.</div> : <IndexStatusBar />}
          {layer !== null && <UnitGrid />}
        </section>
        {layer !== null && unit !== null && <UnitPartialNote />}
        {layer !== null && unit !== null && <UnitView />}
      </div>
    </section>
  );
}

/** The embed card (`&embed=1`): the open unit alone — exemplars, maps, histogram, label. */
export function ExemplarsEmbed() {
  useExemplarSync();
  const layer = useLab((s) => s.layer);
  const unit = useLab((s) => s.unit);
  const summary = useLab((s) => s.summary);
  const snapshot = useLab((s) => s.exSnapshot);
  if (layer === null || unit === null) return <div className="card muted">This link names no unit: an embed of the Exemplars panel shows one unit’s card.</div>;
  if (!summary && !snapshot) return <div className="card muted">Loading the model…</div>;
  return (
    <section className="panel exemplars-panel embed-card" data-testid="embed-unit">
      <UnitPartialNote />
      <UnitView />
    </section>
  );
}
