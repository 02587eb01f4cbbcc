/**
 * The concept's examples, discovery and held-out kept apart; under each held-out example its
 * class and what the model predicts (and, with edits, what the edited model predicts).
 */
import { memo } from 'react';
import type { RawImage } from '../../engine/types';
import { useLab } from '../../store';
import { RawImageCanvas } from '../../ui/RawImageCanvas';

const Thumbs = memo(function Thumbs({ images, title }: { images: RawImage[]; title: string }) {
  return (
    <div className="circuit-examples-row">
      <span className="muted small">{title}</span>
      {images.map((im, i) => (
        <RawImageCanvas key={i} image={im} className="circuit-example" />
      ))}
    </div>
  );
});

export function ExamplesStrip() {
  const examples = useLab((s) => s.circuitExamples);
  const check = useLab((s) => s.circuitCheck);
  const labels = useLab((s) => s.summary?.labels ?? null);
  if (!examples) return null;
  const name = (i: number) => labels?.[i] ?? `class ${i}`;
  return (
    <div className="circuit-examples" data-testid="circuit-examples" data-discovery={examples.discovery.length} data-heldout={examples.heldOut.length}>
      <Thumbs images={examples.discovery} title={`discovery (${examples.discovery.length})`} />
      <div className="circuit-examples-row">
        <span className="muted small">held out ({examples.heldOut.length})</span>
        {examples.heldOut.map((im, i) => {
          const base = check?.base.predicted[i];
          const edited = check?.edited?.predicted[i];
          const truth = check?.labels[i];
          return (
            <figure key={i} className="circuit-heldout" data-testid="circuit-heldout">
              <RawImageCanvas image={im} className="circuit-example" />
              {base !== undefined && (
                <figcaption className={`small ${base === truth ? '' : 'bad'}`} title={`label ${truth !== undefined ? name(truth) : '?'}`}>
                  {name(base)}
                  {edited !== undefined && edited !== base && <span className="bad"> → {name(edited)}</span>}
                </figcaption>
              )}
            </figure>
          );
        })}
      </div>
    </div>
  );
}
