/** One tool call of the conversation, collapsible: its arguments, what the model read, and its images with activations. */
import type { StoredImage, ToolCall, ToolResult } from '../../engine/agent/types';
import { activationOf, imageSrc } from './images';

function prettyArgs(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 1);
  } catch {
    return text;
  }
}

export function ToolCallView({ call, result, ms, images }: { call: ToolCall; result: ToolResult; ms: number; images: Record<string, StoredImage> }) {
  return (
    <details className={result.ok ? 'agent-tool' : 'agent-tool failed'} data-testid="agent-tool" data-tool={call.name} data-ok={result.ok}>
      <summary>
        <span className="mono">{call.name}</span> <span className="muted small">{result.ok ? `${result.images.length} image(s)` : 'failed'} · {ms} ms</span>
      </summary>
      <pre className="mono small agent-args">{prettyArgs(call.arguments)}</pre>
      <pre className="mono small agent-result" data-testid="agent-tool-text">{result.text}</pre>
      {result.images.length > 0 && (
        <div className="agent-images">
          {result.images.map((ref) => {
            const img = images[ref.id];
            const a = activationOf(result, ref.id, img);
            return (
              <figure key={ref.id} className="agent-image" title={ref.caption ?? ref.id}>
                {img ? <img src={imageSrc(img)} width={64} height={64} alt={ref.caption ?? ref.id} data-testid="agent-image" /> : <div className="agent-image-missing muted small">{ref.id}</div>}
                <figcaption className="mono small">{a !== undefined ? a.toFixed(2) : ref.id}</figcaption>
              </figure>
            );
          })}
        </div>
      )}
    </details>
  );
}
