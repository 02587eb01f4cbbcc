/** Export the shown run as a `lab.agent-transcript/1` file, import one (it replays without a backend), and re-run its calls. */
import { useRef } from 'react';
import { useLab } from '../../store';

function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function TranscriptControls({ busy }: { busy: boolean }) {
  const run = useLab((s) => s.agentRun);
  const input = useRef<HTMLInputElement>(null);
  const { exportAgentTranscript, importAgentTranscript, rerunAgentTranscript } = useLab.getState();
  const onExport = async () => {
    const text = await exportAgentTranscript();
    if (!text || !run) return;
    const s = run.settings.subject;
    download(text, `agent-${s.kind === 'unit' ? `unit${s.unit}` : `logit${s.index}`}.agent-transcript.json`);
  };
  const onFile = async (file: File | undefined) => {
    if (file) importAgentTranscript(await file.text());
    if (input.current) input.current.value = '';
  };
  return (
    <div className="agent-transcript-controls">
      <button type="button" data-testid="agent-export" disabled={!run || busy} onClick={() => void onExport()}>
        Export transcript
      </button>{' '}
      <button type="button" data-testid="agent-import" disabled={busy} onClick={() => input.current?.click()}>
        Import…
      </button>
      <input ref={input} type="file" accept=".json,application/json" hidden data-testid="agent-import-file" onChange={(e) => void onFile(e.target.files?.[0])} />{' '}
      {run?.source === 'imported' && (
        <button type="button" data-testid="agent-rerun-calls" disabled={busy} onClick={() => void rerunAgentTranscript()}>
          Re-run tool calls
        </button>
      )}
    </div>
  );
}
