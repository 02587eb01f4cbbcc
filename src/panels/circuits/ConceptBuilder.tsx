/**
 * The concept: a filter of the open dataset (the Dataset card's four filters), text prompts drawn
 * by the scene generator (one per line), or uploaded/dropped/pasted images; and how many examples
 * discovery uses (the same number are held out for the causal tests).
 */
import { useRef } from 'react';
import { FILTER_KEYS, FILTER_VALUES, type DatasetFilter } from '../../engine/data/datasets';
import { useLab } from '../../store';
import { decodeImage } from '../../ui/decodeImage';
import { usePastedImage } from '../../ui/usePastedImage';

const MODES = [
  { kind: 'filter', title: 'Filter' },
  { kind: 'prompts', title: 'Prompts' },
  { kind: 'images', title: 'Images' },
] as const;

async function addFiles(files: Iterable<File>): Promise<void> {
  const { addCircuitUploads, pushNotice } = useLab.getState();
  const out: Array<{ name: string; image: Awaited<ReturnType<typeof decodeImage>> }> = [];
  for (const f of files) {
    try {
      out.push({ name: f.name, image: await decodeImage(f, { name: f.name }) });
    } catch (err) {
      pushNotice({ level: 'warning', title: `${f.name} could not be read as an image`, hint: err instanceof Error ? err.message : String(err) });
    }
  }
  if (out.length) addCircuitUploads(out);
}

export function ConceptBuilder() {
  const draft = useLab((s) => s.circuitDraft);
  const setDraft = useLab((s) => s.setCircuitDraft);
  const datasetFilter = useLab((s) => s.datasetFilter);
  const uploads = useLab((s) => s.circuitUploads);
  const clearUploads = useLab((s) => s.clearCircuitUploads);
  const input = useRef<HTMLInputElement>(null);
  const concept = draft.concept;
  usePastedImage((file) => void addFiles([file]));

  const setMode = (kind: (typeof MODES)[number]['kind']) => {
    if (kind === concept.kind) return;
    if (kind === 'filter') setDraft({ concept: { kind: 'filter', filter: {} } });
    else if (kind === 'prompts') setDraft({ concept: { kind: 'prompts', prompts: ['red striped sneaker on grass'] } });
    else setDraft({ concept: { kind: 'images', count: uploads.length } });
  };
  const filter: DatasetFilter = concept.kind === 'filter' ? concept.filter : {};

  return (
    <div className="circuit-concept" data-testid="circuit-concept">
      <div className="segmented" role="tablist">
        {MODES.map((m) => (
          <button key={m.kind} type="button" role="tab" aria-selected={concept.kind === m.kind} className={concept.kind === m.kind ? 'active' : ''} data-testid={`concept-mode-${m.kind}`} onClick={() => setMode(m.kind)}>
            {m.title}
          </button>
        ))}
      </div>
      {concept.kind === 'filter' && (
        <div className="circuit-filter">
          {FILTER_KEYS.map((key) => (
            <label key={key}>
              <span className="muted small">{key}</span>
              <select
                data-testid={`concept-${key}`}
                value={filter[key] ?? ''}
                onChange={(e) => setDraft({ concept: { kind: 'filter', filter: { ...filter, [key]: e.target.value || undefined } as DatasetFilter } })}
              >
                <option value="">any</option>
                {(FILTER_VALUES[key] as readonly string[]).map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <button type="button" className="link small" disabled={Object.keys(datasetFilter).length === 0} onClick={() => setDraft({ concept: { kind: 'filter', filter: { ...datasetFilter } } })}>
            Use the Dataset card’s filter
          </button>
        </div>
      )}
      {concept.kind === 'prompts' && (
        <label className="circuit-prompts">
          <span className="muted small">One scene description per line (class, colour, texture, background)</span>
          <textarea
            rows={4}
            data-testid="concept-prompts"
            value={concept.prompts.join('\n')}
            onChange={(e) => setDraft({ concept: { kind: 'prompts', prompts: e.target.value.split('\n').slice(0, 64) } })}
          />
        </label>
      )}
      {concept.kind === 'images' && (
        <div
          className="circuit-drop"
          data-testid="concept-drop"
          onDragOver={(e) => e.dataTransfer.types.includes('Files') && e.preventDefault()}
          onDrop={(e) => {
            const files = [...e.dataTransfer.files].filter((f) => !/\.json$/i.test(f.name));
            if (!files.length) return;
            e.preventDefault();
            e.stopPropagation();
            void addFiles(files);
          }}
        >
          <span className="muted small">{uploads.length} image(s) — drop, paste or </span>
          <button type="button" className="small" onClick={() => input.current?.click()}>
            choose…
          </button>
          {uploads.length > 0 && (
            <button type="button" className="link small" onClick={clearUploads}>
              clear
            </button>
          )}
          <input
            ref={input}
            type="file"
            accept="image/*"
            multiple
            hidden
            onChange={(e) => {
              if (e.target.files) void addFiles([...e.target.files]);
              e.target.value = '';
            }}
          />
        </div>
      )}
      <label className="inline">
        <span className="muted small">examples</span>
        <input type="number" min={1} max={64} value={draft.examples} data-testid="concept-examples" onChange={(e) => setDraft({ examples: Math.min(64, Math.max(1, Math.round(Number(e.target.value) || 1))) })} />
        <span className="muted small">+ as many held out</span>
      </label>
    </div>
  );
}
