/** The start page: example experiments shipped with the lab, each a thumbnail that opens its link. */
import { useLab } from '../store';
import { EXAMPLES } from './examples';
import { Thumb } from './Thumb';

export function StartPage() {
  const close = () => useLab.getState().setStartOpen(false);
  return (
    <section className="start-page card" data-testid="start-page" aria-label="Example experiments">
      <div className="start-head">
        <h2>Start with an example</h2>
        <button type="button" data-testid="start-close" onClick={close}>
          Close
        </button>
      </div>
      <p className="muted">
        Every view of the lab is a link, and an experiment file (<code>.labexp.json</code>) carries what a link cannot: images and results. Open one of these, or
        drop an experiment file anywhere.
      </p>
      <div className="start-gallery">
        {EXAMPLES.map((ex) => (
          <a key={ex.id} className="start-item" href={ex.hash} data-testid={`start-example-${ex.id}`} onClick={close}>
            <Thumb panel={ex.panel} />
            <strong>{ex.title}</strong>
            <span className="muted small">{ex.blurb}</span>
          </a>
        ))}
      </div>
    </section>
  );
}
