/** The embed card (`&embed=1`) of the Agent panel: the shown run's conclusion and its transcript. */
import { useLab } from '../../store';
import { Conversation } from './Conversation';
import { FinalCard } from './ResultCards';

export function AgentEmbed() {
  const run = useLab((s) => s.agentRun);
  if (!run) return <div className="card muted">This link holds no agent run: a transcript embeds from an experiment file (&amp;exp=…) that carries it.</div>;
  return (
    <section className="panel agent-panel embed-card" data-testid="embed-agent">
      <FinalCard run={run} />
      <Conversation run={run} />
    </section>
  );
}
