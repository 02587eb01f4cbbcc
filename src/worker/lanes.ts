/**
 * The worker's request lanes: one request at a time per lane. Model requests queue: onnxruntime
 * sessions are not re-entrant and the model can change under a run. Dataset requests (plain JS,
 * no onnxruntime) have a lane of their own, so generating a dataset (seconds, yielding every few
 * hundred scenes) never holds up a prediction, and a page never waits for a model load.
 *
 * A long model request that yields (feature visualisation: hundreds of optimisation steps) gets a
 * `yieldPoint` to call between its steps; there the lane runs the short read-only requests
 * queued meanwhile (an attribution map, a prediction), so they answer in one step's time instead
 * of waiting for the whole visualisation. They use their own sessions (an attribution its
 * gradient session, a prediction the model's), never the one the long request is between runs
 * of. A queued request that changes what they would see (a model load or release, a backend
 * change) stops the jumping: nothing overtakes it.
 */
import type { EngineRequest } from './protocol';

type Kind = EngineRequest['kind'];
/** Called by a yielding request between its steps; resolves once the requests run there are done. */
export type YieldPoint = () => Promise<void>;
export type LaneJob = (yieldPoint: YieldPoint) => Promise<void>;

const DATA_REQUESTS: ReadonlySet<Kind> = new Set(['openDataset', 'datasetPage', 'openImages', 'imagePage']);
/** Long model requests that call their yield point between steps. */
const YIELDING: ReadonlySet<Kind> = new Set(['featureVis', 'agentStart', 'agentContinue']);
/** Short read-only model requests that may run at a yield point. */
const JUMPING: ReadonlySet<Kind> = new Set(['attribution', 'predict', 'agentTranscript']);
/** Requests nothing may overtake: they change the model or the backend the others see. */
const BARRIERS: ReadonlySet<Kind> = new Set(['configure', 'loadModel', 'releaseModel']);

const noYield: YieldPoint = () => Promise.resolve();
/** Lets the worker take in messages (a new request) before the yield point looks at the queue. */
const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

interface Queued {
  kind: Kind;
  job: LaneJob;
}

export class RequestLanes {
  private data: Promise<void> = Promise.resolve();
  private readonly model: Queued[] = [];
  private modelBusy = false;

  /** Queues `job` on its lane; it runs when the lane is free (or at a yield point, see above). */
  submit(kind: Kind, job: LaneJob): void {
    if (DATA_REQUESTS.has(kind)) {
      this.data = this.data.then(() => job(noYield)).catch(() => undefined);
      return;
    }
    this.model.push({ kind, job });
    this.pump();
  }

  private pump(): void {
    if (this.modelBusy) return;
    const next = this.model.shift();
    if (!next) return;
    this.modelBusy = true;
    const yieldPoint = YIELDING.has(next.kind) ? this.yieldPoint : noYield;
    void next
      .job(yieldPoint)
      .catch(() => undefined)
      .finally(() => {
        this.modelBusy = false;
        this.pump();
      });
  }

  /** Runs, in order, the jumping requests queued ahead of any barrier. */
  private readonly yieldPoint: YieldPoint = async () => {
    await macrotask();
    for (;;) {
      const at = this.model.findIndex((q) => JUMPING.has(q.kind) || BARRIERS.has(q.kind));
      if (at < 0 || BARRIERS.has(this.model[at].kind)) return;
      const [q] = this.model.splice(at, 1);
      await q.job(noYield).catch(() => undefined);
    }
  };
}
