/** The Model panel: the summary of the loaded model beside the prediction view. */
import { ModelSummaryView } from './ModelSummaryView';
import { PredictView } from './PredictView';

export function ModelPanel() {
  return (
    <section className="panel model-panel" data-testid="panel-model">
      <ModelSummaryView />
      <PredictView />
    </section>
  );
}
