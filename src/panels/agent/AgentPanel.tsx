/**
 * The Agent panel (MAIA): pick a unit, a backend and a seed, start the agent and watch it run
 * experiments in the worker — its text, each tool call with its images, the hypotheses, faults —
 * then read (and save) its description; transcripts export, import, replay and re-run.
 */
import { useLab } from '../../store';
import { agentSubjectOf } from '../../store/agentSlice';
import { BackendSettingsCard } from './BackendSettingsCard';
import { Conversation } from './Conversation';
import { FinalCard, Hypotheses, RerunChecks, RunFigures } from './ResultCards';
import { SubjectPicker } from './SubjectPicker';
import { ToolDocs } from './ToolDocs';
import { TranscriptControls } from './TranscriptControls';

function RunControls({ busy }: { busy: boolean }) {
  const run = useLab((s) => s.agentRun);
  const ready = useLab((s) => s.summary !== null && typeof agentSubjectOf(s) !== 'string');
  const { startAgent, continueAgent, stopAgent } = useLab.getState();
  const live = run?.source === 'live' && run.phase !== 'done' && run.phase !== 'error';
  return (
    <div className="agent-controls">
      <button type="button" data-testid="agent-start" disabled={busy || !ready} onClick={() => void startAgent('run')}>
        Start
      </button>{' '}
      <button type="button" data-testid="agent-stop" disabled={!busy || run?.phase === 'stopping'} onClick={stopAgent}>
        Stop
      </button>{' '}
      <button type="button" data-testid="agent-step" disabled={busy || (!live && !ready)} onClick={() => void (live ? continueAgent('step') : startAgent('step'))}>
        Step
      </button>{' '}
      <button type="button" data-testid="agent-resume" disabled={busy || !live} onClick={() => void continueAgent('run')}>
        Resume
      </button>
    </div>
  );
}

export function AgentPanel() {
  const summary = useLab((s) => s.summary);
  const run = useLab((s) => s.agentRun);
  const busy = run?.phase === 'running' || run?.phase === 'stopping';
  if (!summary) return <section className="panel card muted" data-testid="panel-agent">Load a model to run the agent on its units.</section>;
  return (
    <section className="panel agent-panel" data-testid="panel-agent">
      <aside className="agent-side">
        <SubjectPicker disabled={busy} />
        <BackendSettingsCard disabled={busy} />
        <section className="card">
          <RunControls busy={busy} />
          <TranscriptControls busy={busy} />
        </section>
        <ToolDocs />
      </aside>
      <div className="agent-main card">{run ? <Conversation run={run} /> : <div className="muted">Pick a unit and a backend, then Start. The offline agent needs no model or key.</div>}</div>
      <aside className="agent-side">
        {run && <RunFigures run={run} />}
        {run && <FinalCard run={run} />}
        {run && <Hypotheses run={run} />}
        <RerunChecks />
      </aside>
    </section>
  );
}
