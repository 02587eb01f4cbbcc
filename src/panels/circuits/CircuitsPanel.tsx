/**
 * The Circuits panel: build a concept, discover its circuit (progress, Cancel), see it as a graph
 * (columns input → output), edit it (ablate units, prune edges: applied to every run), read the
 * causal tests, export or open circuit files. The layout is computed once per circuit, outside React.
 */
import { useEffect, useMemo } from 'react';
import { layoutCircuit } from '../../engine/circuits/layout';
import { useLab } from '../../store';
import { CausalResults } from './CausalResults';
import { CircuitFiles, useCircuitFileDrop } from './CircuitFiles';
import { CircuitGraph } from './CircuitGraph';
import { CircuitSettings } from './CircuitSettings';
import { CircuitStatusBar } from './CircuitStatusBar';
import { ConceptBuilder } from './ConceptBuilder';
import { EditsList } from './EditsList';
import { ExamplesStrip } from './ExamplesStrip';
import { thumbnailUrls } from './thumbnails';

function targetText(t: NonNullable<ReturnType<typeof useLab.getState>['circuit']>['target'], labels: string[] | null): string {
  if (t.kind === 'logit') return `logit ${t.index}${labels?.[t.index] ? ` (${labels[t.index]})` : ''}`;
  if (t.kind === 'unit') return `unit ${t.layer}#${t.unit}`;
  if (t.kind === 'units') return `${t.units.length} selective units`;
  return `${t.count} selective units`;
}

export function CircuitsPanel() {
  const summary = useLab((s) => s.summary);
  const circuit = useLab((s) => s.circuit);
  const source = useLab((s) => s.circuitSource);
  const examples = useLab((s) => s.circuitExamples);
  const status = useLab((s) => s.circuitStatus);
  const threshold = useLab((s) => s.circuitThreshold);
  const setThreshold = useLab((s) => s.setCircuitThreshold);
  const discover = useLab((s) => s.discoverCircuit);
  const datasetReady = useLab((s) => s.datasetStatus === 'ready');
  const drop = useCircuitFileDrop();

  // A link's circuit runs once the model and the dataset are ready (the sync also watches).
  useEffect(() => {
    void useLab.getState().syncCircuit();
  }, [summary, datasetReady]);

  const layout = useMemo(() => (circuit ? layoutCircuit(circuit) : null), [circuit]);
  const thumbs = useMemo(() => thumbnailUrls(examples), [examples]);

  if (!summary) return <section className="panel card muted" data-testid="panel-circuits">Load a model to find the circuits of a concept.</section>;
  const labels = summary.labels;
  return (
    <section className="panel circuits-panel" data-testid="panel-circuits" {...drop}>
      <aside className="card circuit-side">
        <h3>Concept</h3>
        <ConceptBuilder />
        <h3>Circuit</h3>
        <CircuitSettings />
        <div className="row">
          <button type="button" className="primary" data-testid="circuit-discover" disabled={status === 'running'} onClick={() => void discover()}>
            Discover circuit
          </button>
        </div>
        <CircuitStatusBar />
      </aside>
      <div className="circuit-main">
        <section className="card">
          <div className="row circuit-head">
            {circuit ? (
              <span className="small" data-testid="circuit-summary">
                <strong>{targetText(circuit.target, labels)}</strong> · {circuit.layers.length} layers · k = {circuit.spec.k} · {circuit.spec.method}
                {source === 'file' && <span className="muted"> · from a file</span>}
                {circuit.model.sha256 !== summary.sha256 && <span className="bad"> · found on {circuit.model.name}</span>}
              </span>
            ) : (
              <span className="muted small">Give a concept and press Discover: the circuit that carries it through the layers appears here.</span>
            )}
            <label className="inline small">
              <span className="muted">edge threshold</span>
              <input type="range" min={0} max={1} step={0.01} value={threshold} data-testid="circuit-threshold" onChange={(e) => setThreshold(Number(e.target.value))} />
              <span className="mono">{Math.round(threshold * 100)}%</span>
            </label>
            <CircuitFiles layout={layout} thumbs={thumbs} />
          </div>
          {layout && <CircuitGraph layout={layout} thumbs={thumbs} labels={labels} />}
          <ExamplesStrip />
        </section>
        <section className="card circuit-results">
          <h3>Causal tests</h3>
          <CausalResults />
          <EditsList />
        </section>
      </div>
    </section>
  );
}

/** The embed card (`&embed=1`): the circuit's graph and its causal tests (a link's circuit is discovered once the model is ready). */
export function CircuitsEmbed() {
  const summary = useLab((s) => s.summary);
  const circuit = useLab((s) => s.circuit);
  const examples = useLab((s) => s.circuitExamples);
  const datasetReady = useLab((s) => s.datasetStatus === 'ready');
  useEffect(() => {
    void useLab.getState().syncCircuit();
  }, [summary, datasetReady]);
  const layout = useMemo(() => (circuit ? layoutCircuit(circuit) : null), [circuit]);
  const thumbs = useMemo(() => thumbnailUrls(examples), [examples]);
  if (!summary || !layout || !circuit) {
    return (
      <div className="card muted" data-testid="embed-circuit">
        <CircuitStatusBar />
        {!summary ? 'Loading the model…' : 'No circuit yet: it is discovered from the link once the dataset is ready.'}
      </div>
    );
  }
  return (
    <section className="panel circuits-panel embed-card" data-testid="embed-circuit">
      <div className="small" data-testid="circuit-summary">
        <strong>{targetText(circuit.target, summary.labels)}</strong> · {circuit.layers.length} layers · k = {circuit.spec.k} · {circuit.spec.method}
      </div>
      <CircuitGraph layout={layout} thumbs={thumbs} labels={summary.labels} />
      <CausalResults />
    </section>
  );
}
