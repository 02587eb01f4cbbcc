/**
 * The worker's built-in datasets: loads the generator's banks once (through an injected reader:
 * fetch in the worker, fs in Node tests) and keeps each opened dataset for later pages.
 */
import { LabError, asLabError } from '../engine/errors';
import { loadBanks, openDataset, type SceneDataset } from '../engine/data/datasets';
import type { SynthBanks } from '../engine/synth/banks';
import type { Progress } from './protocol';

/** Reads an asset file by name; `base` is the assets folder's address the request named, if any. */
export type AssetReader = (name: string, base: string | undefined) => Promise<Uint8Array>;

/** fetch(base + name): the worker's reader. */
export const fetchAsset: AssetReader = async (name, base) => {
  if (!base) throw new LabError('bad-request', 'No address was given for the dataset assets.');
  const url = new URL(name, base);
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new LabError('internal', `Could not fetch ${url.pathname}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!res.ok) throw new LabError('internal', `${url.pathname} answered ${res.status}; the dataset assets are missing from this build.`);
  return new Uint8Array(await res.arrayBuffer());
};

export interface DatasetHostOptions {
  /** Generate only the first `count` scenes of every dataset (tests). */
  count?: number;
}

export class DatasetHost {
  private banks: Promise<SynthBanks> | null = null;
  private readonly open = new Map<string, SceneDataset>();
  /** Generations in flight, so that two lanes asking for one dataset generate it once. */
  private readonly opening = new Map<string, Promise<SceneDataset>>();

  constructor(
    private readonly read: AssetReader = fetchAsset,
    private readonly options: DatasetHostOptions = {},
  ) {}

  /** The dataset `id` if it is open already (no generation). */
  peek(id: string): SceneDataset | undefined {
    return this.open.get(id);
  }

  /** The open dataset `id`, generating it first when needed. */
  async get(id: string, base: string | undefined, signal: AbortSignal, progress: (p: Progress) => void): Promise<SceneDataset> {
    const done = this.open.get(id);
    if (done) return done;
    const pending = this.opening.get(id);
    if (pending) {
      progress({ stage: 'dataset', fraction: null, message: 'Waiting for the dataset to be generated…' });
      try {
        return await pending;
      } catch (err) {
        // The other request was cancelled; this one still wants the dataset.
        if (asLabError(err).code === 'cancelled' && !signal.aborted) return this.get(id, base, signal, progress);
        throw err;
      }
    }
    const generation = this.generate(id, base, signal, progress);
    this.opening.set(id, generation);
    try {
      return await generation;
    } finally {
      this.opening.delete(id);
    }
  }

  private async generate(id: string, base: string | undefined, signal: AbortSignal, progress: (p: Progress) => void): Promise<SceneDataset> {
    progress({ stage: 'assets', fraction: null, message: 'Loading the scene generator’s assets…' });
    const banks = await this.loadBanks(base);
    if (signal.aborted) throw new LabError('cancelled', 'Cancelled');
    const ds = await openDataset(id, banks, {
      signal,
      count: this.options.count,
      onProgress: (n, total) =>
        progress({ stage: 'dataset', fraction: total ? n / total : 1, message: `Generating scenes: ${n} of ${total}` }),
    });
    this.open.set(id, ds);
    return ds;
  }

  private loadBanks(base: string | undefined): Promise<SynthBanks> {
    if (!this.banks) {
      const read = (name: string) => this.read(name, base);
      this.banks = loadBanks(read).catch((err: unknown) => {
        // A failed load is not remembered: the next request tries again.
        this.banks = null;
        const e = asLabError(err);
        throw new LabError(e.code, `The dataset assets could not be loaded: ${e.message}`);
      });
    }
    return this.banks;
  }
}
