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

export class DatasetHost {
  private banks: Promise<SynthBanks> | null = null;
  private readonly open = new Map<string, SceneDataset>();

  constructor(private readonly read: AssetReader = fetchAsset) {}

  /** The open dataset `id`, generating it first when needed. */
  async get(id: string, base: string | undefined, signal: AbortSignal, progress: (p: Progress) => void): Promise<SceneDataset> {
    const done = this.open.get(id);
    if (done) return done;
    progress({ stage: 'assets', fraction: null, message: 'Loading the scene generator’s assets…' });
    const banks = await this.loadBanks(base);
    if (signal.aborted) throw new LabError('cancelled', 'Cancelled');
    const ds = await openDataset(id, banks, {
      signal,
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
