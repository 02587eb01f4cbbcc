/** The Model panel: the summary of the loaded model beside the prediction view, and the dataset below. */
import { DatasetView } from '../dataset/DatasetView';
import { ModelSummaryView } from './ModelSummaryView';
import { PredictView } from './PredictView';

export function ModelPanel() {
  return (
    <section className="panel model-panel" data-testid="panel-model">
      <ModelSummaryView />
      <PredictView />
      <DatasetView />
    </section>
  );
}
