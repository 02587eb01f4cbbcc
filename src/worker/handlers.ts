/**
 * Request handlers of the engine worker, independent of postMessage so that they run under Node
 * in tests: one loaded model per worker, progress through a callback, cancellation by signal.
 */
import { asLabError } from '../engine/errors';
import { LoadedModel } from '../engine/lab/loadedModel';
import type { BackendName, Runtime } from '../engine/runtime/types';
import type { TensorF32 } from '../engine/types';
import { MAX_MODEL_BYTES, type EngineRequest, type EngineResponseBody, type Prediction, type Progress } from './protocol';
import { LabError } from '../engine/errors';
import { DatasetHost, type AssetReader } from './datasetHost';
import type { DatasetMemo } from './datasetMemo';
import type { LayerMemo } from '../engine/lab/layerMemo';
import { ExemplarHost } from './exemplarHost';
import type { ImageDecoder } from '../engine/data/imageDataset';
import { GradHost } from './gradHost';
import { UpscaleHost } from './upscaleHost';
import { CircuitHost } from './circuitHost';
import { AgentHost, type AgentWorld } from './agentHost';
import { findDataset } from '../engine/data/datasets';
import { dataFileReader } from './modelDataFiles';

export interface HandlerOptions {
  /** How dataset assets are read (default: fetch from the address a request gives). */
  readAsset?: AssetReader;
  /** Generate only the first `datasetCount` scenes of a dataset (tests). */
  datasetCount?: number;
  /** How image datasets decode files (default: the browser's decoders). */
  decodeImage?: ImageDecoder;
  /** Where generated datasets' hashes and facets are remembered between visits (default: nowhere). */
  datasetMemo?: DatasetMemo;
  /** Where models' dry-run layers are remembered between visits (default: nowhere). */
  layerMemo?: LayerMemo;
  /** The largest model to open (default: what a tab holds, MAX_MODEL_BYTES). */
  maxModelBytes?: number;
}

export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

export function toPrediction(logits: TensorF32, labels: string[] | null, ms: number): Prediction {
  const classes = logits.dims[logits.dims.length - 1];
  const first = Array.from(logits.data.subarray(0, classes));
  const probabilities = softmax(first);
  const top = probabilities
    .map((probability, index) => ({ index, probability, label: labels?.[index] ?? `class ${index}` }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, 5);
  return { probabilities, top, logits: first, ms };
}

export class EngineHandlers {
  private model: LoadedModel | null = null;
  private prefer: BackendName[] = ['webgpu', 'wasm'];
  private threads: number | undefined;

  private readonly datasets: DatasetHost;
  private readonly exemplars = new ExemplarHost();
  private readonly grads = new GradHost();
  private readonly upscaler = new UpscaleHost();
  private readonly circuits = new CircuitHost();
  private readonly agents = new AgentHost();

  constructor(
    private readonly runtime: Runtime,
    private readonly options: HandlerOptions = {},
  ) {
    this.datasets = new DatasetHost(options.readAsset, { count: options.datasetCount, decode: options.decodeImage, memo: options.datasetMemo });
  }

  /** `yieldPoint`: awaited between the steps of a long request (see ./lanes); omitted, nothing yields. */
  async handle(request: EngineRequest, signal: AbortSignal, progress: (p: Progress) => void, yieldPoint?: () => Promise<void>): Promise<EngineResponseBody> {
    switch (request.kind) {
      case 'configure':
        this.prefer = request.prefer;
        this.threads = request.threads;
        this.runtime.configure?.({ prefer: request.prefer, threads: request.threads });
        return { kind: 'configure', ok: true };
      case 'loadModel': {
        const next = await LoadedModel.open(this.runtime, request.bytes, request.name, {
          maxBytes: this.options.maxModelBytes ?? MAX_MODEL_BYTES,
          readDataFile: dataFileReader(request.data ?? {}, this.options.maxModelBytes ?? MAX_MODEL_BYTES, signal, progress),
          signal,
          session: { prefer: this.prefer, threads: this.threads },
          onProgress: (stage, message) => progress({ stage, fraction: null, message }),
          layerMemo: this.options.layerMemo,
        });
        if (signal.aborted) {
          // Cancelled while opening: the model in use stays.
          await next.release();
          throw new LabError('cancelled', 'Cancelled');
        }
        // The previous model is released only once the new one is usable: a failed load keeps it.
        const previous = this.model;
        this.model = next;
        this.agents.clear();
        await this.grads.clear();
        await this.circuits.clear();
        await previous?.release();
        return { kind: 'loadModel', summary: next.summary, backend: next.backend };
      }
      case 'predict': {
        const model = this.runModel();
        const t0 = performance.now();
        const logits = await model.logits([request.image], signal);
        return { kind: 'predict', prediction: toPrediction(logits, model.summary.labels, performance.now() - t0) };
      }
      case 'run': {
        const model = this.runModel();
        progress({ stage: 'run', fraction: null, message: `Running ${request.images.length} image(s)` });
        const result = await model.run({ images: request.images, layers: request.layers, maps: request.maps, preprocess: request.preprocess, signal });
        return { kind: 'run', result };
      }
      case 'releaseModel':
        this.agents.clear();
        await this.grads.clear();
        await this.circuits.clear();
        await this.model?.release();
        this.model = null;
        return { kind: 'releaseModel', ok: true };
      case 'openDataset': {
        const ds = await this.datasets.get(request.id, request.assets, signal, progress);
        return { kind: 'openDataset', info: ds.info };
      }
      case 'openImages': {
        const ds = await this.datasets.openImages(request.id, request.source, request.prep, signal, progress);
        return { kind: 'openImages', info: ds.info };
      }
      case 'imagePage': {
        const ds = await this.datasets.image(request.id);
        return { kind: 'imagePage', ...ds.page(request.offset, request.limit) };
      }
      case 'datasetPage': {
        const ds = await this.datasets.get(request.id, request.assets, signal, progress);
        const page = ds.page(request.filter, request.offset, request.limit);
        return { kind: 'datasetPage', ...page };
      }
      case 'indexExemplars': {
        const model = this.requireModel();
        const ds = await this.datasets.any(request.datasetId, request.assets, signal, progress);
        return this.exemplars.index(model, ds, { layers: request.layers, k: request.k, chunk: request.chunk }, signal, progress);
      }
      case 'unitExemplars': {
        const model = this.requireModel();
        const ds = await this.datasets.any(request.datasetId, request.assets, signal, progress);
        const exemplars = await this.exemplars.unit(model, ds, request, signal);
        return { kind: 'unitExemplars', exemplars };
      }
      case 'unitGrid': {
        const model = this.requireModel();
        const ds = await this.datasets.any(request.datasetId, request.assets, signal, progress);
        return this.exemplars.grid(model, ds, request.layer, request.partial);
      }
      case 'exportIndex': {
        const model = this.requireModel();
        const ds = await this.datasets.any(request.datasetId, request.assets, signal, progress);
        return this.exemplars.export(model, ds, request.layer);
      }
      case 'importIndex': {
        const model = this.requireModel();
        const ds = await this.datasets.any(request.datasetId, request.assets, signal, progress);
        return this.exemplars.import(model, ds, request);
      }
      case 'attribution':
        return this.grads.attribution(this.runtime, { prefer: this.prefer, threads: this.threads }, this.runModel(), request, signal, progress);
      case 'featureVis':
        return this.grads.featureVis(this.runtime, { prefer: this.prefer, threads: this.threads }, this.runModel(), request, signal, progress, yieldPoint);
      case 'openUpscaler':
        return this.upscaler.open(this.runtime, request, { prefer: this.prefer, threads: this.threads });
      case 'upscale':
        return this.upscaler.upscale(request, signal, progress);
      case 'upscaleFrame':
        return this.upscaler.frame(request, signal);
      case 'attachFrameCanvas':
        return this.upscaler.attachCanvas(request);
      case 'releaseUpscaler':
        return this.upscaler.release();
      case 'discoverCircuit':
        return this.circuits.discover(this.runtime, { prefer: this.prefer, threads: this.threads }, this.requireModel(), this.datasets, request, signal, progress, this.exemplars);
      case 'circuitLayers':
        return this.circuits.defaultLayers(this.requireModel());
      case 'setEdits':
        return this.circuits.setEdits(this.requireModel(), request.edits);
      case 'checkEdits':
        return this.circuits.check(this.requireModel(), signal);
      case 'agentStart':
        return this.agents.start(await this.agentWorld(request.datasetId, request.assets, signal, progress), request, signal, progress, yieldPoint);
      case 'agentContinue':
        return this.agents.continue(request, signal, progress, yieldPoint);
      case 'agentTranscript':
        return this.agents.transcript(request);
      case 'agentRerun':
        return this.agents.rerun(await this.agentWorld(request.datasetId, request.assets, signal, progress), request, signal);
    }
  }

  /**
   * The model predictions, runs and attributions use: the edited copy while circuit edits are set.
   * Exemplar indexes stay those of the unedited model (the store caches them by its sha256).
   */
  private runModel(): LoadedModel {
    return this.circuits.modelFor(this.requireModel());
  }

  /** The agent's world: the loaded model, the scene banks and, for a built-in dataset, it and its exemplar indexes. */
  private async agentWorld(datasetId: string, assets: string | undefined, signal: AbortSignal, progress: (p: Progress) => void): Promise<AgentWorld> {
    const model = this.requireModel();
    const banks = await this.datasets.sceneBanks(assets);
    if (!findDataset(datasetId)) return { model, banks };
    const dataset = await this.datasets.get(datasetId, assets, signal, progress);
    return { model, banks, dataset, indexes: this.exemplars.indexesOf(model, dataset) };
  }

  private requireModel(): LoadedModel {
    if (!this.model) throw new LabError('bad-request', 'No model is loaded.');
    return this.model;
  }
}

