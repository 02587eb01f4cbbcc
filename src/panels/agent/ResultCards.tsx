/** Beside the conversation: run figures, the current hypotheses, the final description card, and re-run checks. */
import { useEffect, useState } from 'react';
import { useLab, type AgentRunView } from '../../store';
import { unitLabelOf } from '../../store/agentSlice';

export function RunFigures({ run }: { run: AgentRunView }) {
  const [, tick] = useState(0);
  useEffect(() => {
    if (run.runningSince === null) return;
    const t = setInterval(() => tick((n) => n + 1), 500);
    return () => clearInterval(t);
  }, [run.runningSince]);
  const ms = run.activeMs + (run.runningSince === null ? 0 : performance.now() - run.runningSince);
  return (
    <dl className="facts agent-figures" data-testid="agent-figures" data-phase={run.phase}>
      <dt>subject</dt>
      <dd className="small" data-testid="agent-run-subject">
        <SubjectText subject={run.settings.subject} />
      </dd>
      <dt>backend</dt>
      <dd className="small">
        {run.settings.backend.kind}
        {run.settings.backend.model ? ` · ${run.settings.backend.model}` : ''} · seed {run.settings.seed}
      </dd>
      <dt>state</dt>
      <dd data-testid="agent-phase">{run.source === 'imported' ? `imported (${run.phase})` : run.phase}</dd>
      <dt>rounds</dt>
      <dd data-testid="agent-rounds-done">
        {run.round} / {run.settings.rounds}
      </dd>
      <dt>tool calls</dt>
      <dd data-testid="agent-tool-calls">{run.toolCalls}</dd>
      <dt>tokens</dt>
      <dd>
        {run.usage.inputTokens} in · {run.usage.outputTokens} out
      </dd>
      <dt>elapsed</dt>
      <dd data-testid="agent-elapsed">{(ms / 1000).toFixed(1)} s</dd>
      {run.pauseReason && (
        <>
          <dt>paused</dt>
          <dd className="small">{run.pauseReason}</dd>
        </>
      )}
    </dl>
  );
}

function SubjectText({ subject }: { subject: AgentRunView['settings']['subject'] }) {
  const layers = useLab((s) => s.summary?.layers);
  const labels = useLab((s) => s.summary?.labels);
  if (subject.kind === 'logit') return <>logit {subject.index}{labels?.[subject.index] ? ` (${labels[subject.index]})` : ''}</>;
  const label = layers?.find((l) => l.tensor === subject.layer)?.label ?? subject.layer;
  return (
    <>
      {label} · unit {subject.unit}
    </>
  );
}

export function Hypotheses({ run }: { run: AgentRunView }) {
  const last = [...run.events].reverse().find((e) => e.type === 'hypotheses');
  if (!last || last.type !== 'hypotheses') return null;
  return (
    <section className="card" data-testid="agent-hypotheses">
      <h3>Hypotheses (round {last.round})</h3>
      <ol className="small">
        {last.items.map((h, i) => (
          <li key={i}>{h}</li>
        ))}
      </ol>
    </section>
  );
}

export function FinalCard({ run }: { run: AgentRunView }) {
  const final = [...run.events].reverse().find((e) => e.type === 'final');
  const saveUnitLabel = useLab((s) => s.saveUnitLabel);
  const subject = run.settings.subject;
  const saved = useLab((s) => (subject.kind === 'unit' ? unitLabelOf(s, subject.layer, subject.unit) : null));
  if (!final || final.type !== 'final') return null;
  const openInExemplars = () => {
    if (subject.kind !== 'unit') return;
    const s = useLab.getState();
    s.selectLayer(subject.layer);
    s.selectUnit(subject.unit);
    s.setPanel('exemplars');
  };
  return (
    <section className="card agent-final" data-testid="agent-final">
      <h3>Description</h3>
      <div className="agent-label" data-testid="agent-final-label">
        {final.label}
      </div>
      <p data-testid="agent-final-description">{final.description}</p>
      {subject.kind === 'unit' && (
        <div className="agent-final-actions">
          <button type="button" data-testid="agent-save-label" disabled={saved === final.label} onClick={() => saveUnitLabel(subject.layer, subject.unit, final.label)}>
            {saved === final.label ? 'saved as the unit’s label' : 'Save as the unit’s label'}
          </button>{' '}
          <button type="button" data-testid="agent-open-exemplars" onClick={openInExemplars}>
            Open in Exemplars
          </button>
        </div>
      )}
    </section>
  );
}

export function RerunChecks() {
  const rerun = useLab((s) => s.agentRerun);
  if (!rerun) return null;
  if (rerun.status === 'running') return <div className="muted small">Re-running the tool calls…</div>;
  if (rerun.status === 'error') return <div className="small agent-fault">The tool calls could not be re-run.</div>;
  const same = rerun.checks.filter((c) => c.same).length;
  return (
    <section className="card" data-testid="agent-rerun" data-same={same} data-total={rerun.checks.length}>
      <h3>Re-run</h3>
      <div className="small">
        {same} of {rerun.checks.length} tool calls gave the same results.
      </div>
      <ul className="small">
        {rerun.checks
          .filter((c) => !c.same)
          .map((c) => (
            <li key={c.callId}>
              {c.name} ({c.callId}): {c.differences.join('; ')}
            </li>
          ))}
      </ul>
    </section>
  );
}
