/** The run's conversation: rounds, the agent's text (live while it streams), tool calls, faults and pauses. */
import type { AgentEvent } from '../../engine/agent/types';
import type { AgentRunView } from '../../store';
import { AgentText } from './AgentText';
import { ToolCallView } from './ToolCallView';

function EventView({ e, run }: { e: AgentEvent; run: AgentRunView }) {
  switch (e.type) {
    case 'round':
      return <div className="agent-round muted small">round {e.round}</div>;
    case 'assistant':
      return e.text.trim() ? (
        <div className="agent-msg" data-testid="agent-message">
          <AgentText text={e.text} />
        </div>
      ) : null;
    case 'tool':
      return <ToolCallView call={e.call} result={e.result} ms={e.ms} images={run.images} />;
    case 'fault':
      return (
        <div className="agent-fault small" data-testid="agent-fault" data-code={e.code}>
          ⚠ {e.code}: {e.message}
          {e.retryInMs !== undefined ? ` — retrying in ${(e.retryInMs / 1000).toFixed(1)} s` : ''}
        </div>
      );
    case 'paused':
      return (
        <div className="agent-fault small" data-testid="agent-paused">
          ⏸ paused: {e.reason}
        </div>
      );
    case 'final':
      return <div className="agent-round small">concluded in round {e.round}</div>;
    default:
      return null;
  }
}

export function Conversation({ run }: { run: AgentRunView }) {
  return (
    <div className="agent-conversation" data-testid="agent-conversation">
      {run.events.map((e, i) => (
        <EventView key={i} e={e} run={run} />
      ))}
      {run.streaming && (
        <div className="agent-msg streaming" data-testid="agent-streaming">
          <AgentText text={run.streaming} />
        </div>
      )}
      {run.toolProgress && (
        <div className="muted small" data-testid="agent-tool-progress">
          {run.toolProgress}
        </div>
      )}
      {run.events.length === 0 && !run.streaming && <div className="muted">Starting…</div>}
    </div>
  );
}
