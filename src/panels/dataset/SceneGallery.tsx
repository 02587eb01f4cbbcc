/** The scenes of the current page as 2× canvas thumbnails; clicking one classifies it with the loaded model. */
import type { DatasetItem } from '../../engine/data/datasets';
import { useLab } from '../../store';
import { RawImageCanvas } from '../../ui/RawImageCanvas';

export function sceneTitle(item: DatasetItem): string {
  const a = item.attributes;
  const bg = a.background.type === 'photo' ? `${a.background.kind} photo (${a.background.source ?? '?'})` : `${a.background.kind} (procedural)`;
  return `#${item.index}: ${a.class}, ${a.color}, ${a.texture}, on ${bg}`;
}

export function SceneGallery() {
  const page = useLab((s) => s.datasetPage);
  const loading = useLab((s) => s.datasetPageLoading);
  const ready = useLab((s) => s.summary !== null);
  const input = useLab((s) => s.predictInput);
  const predictScene = useLab((s) => s.predictScene);
  if (!page) return null;
  if (page.items.length === 0) return <div className="muted">No scene matches these filters.</div>;
  return (
    <div className={loading ? 'scene-gallery stale' : 'scene-gallery'} data-testid="scene-gallery">
      {page.items.map((item) => {
        const selected = input?.kind === 'scene' && input.index === item.index;
        return (
          <button
            key={item.index}
            type="button"
            className={selected ? 'scene selected' : 'scene'}
            data-testid="scene-thumb"
            data-index={item.index}
            disabled={!ready}
            title={sceneTitle(item)}
            onClick={() => void predictScene(item)}
          >
            <RawImageCanvas image={item.image} scale={2} />
            <span>{item.attributes.class}</span>
          </button>
        );
      })}
    </div>
  );
}
