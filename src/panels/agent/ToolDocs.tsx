/** The agent's tools as the model sees them: name, version, description and JSON Schema (the single source). */
import { TOOL_SPECS, TOOLSET_VERSION } from '../../engine/agent/tools';

export function ToolDocs() {
  return (
    <details className="card agent-tool-docs" data-testid="agent-tool-docs">
      <summary>
        Tools (set v{TOOLSET_VERSION}, {TOOL_SPECS.length})
      </summary>
      {TOOL_SPECS.map((t) => (
        <details key={t.name}>
          <summary>
            <span className="mono">{t.name}</span> <span className="muted small">v{t.version}</span>
          </summary>
          <p className="small">{t.description}</p>
          <pre className="mono small">{JSON.stringify(t.parameters, null, 1)}</pre>
        </details>
      ))}
    </details>
  );
}
