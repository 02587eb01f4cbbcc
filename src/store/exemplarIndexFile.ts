/**
 * Importing an index file (`lab exemplars --out`, src/engine/exemplars/indexFile.ts) into the tab:
 * refused with a clear message unless it was made with the open model over the open dataset (by
 * sha256), covers the whole dataset and uses the tab's k; its layers go into the page's cache,
 * from where the exemplar view loads them as it loads any cached index.
 */
import { decodeIndexFile } from '../engine/exemplars/indexFile';
import { cacheKey, getExemplarCache } from './exemplarCache';
import type { LabState } from './types';

type Get = () => LabState;
type Set = (partial: Partial<LabState>) => void;

const short = (sha: string) => `${sha.slice(0, 12)}…`;

/** Why an index file cannot be used here, or null. */
export function indexFileProblem(
  header: ReturnType<typeof decodeIndexFile>['header'],
  layers: ReturnType<typeof decodeIndexFile>['layers'],
  s: Pick<LabState, 'summary' | 'datasetInfo' | 'datasetStatus'>,
  k: number,
): string | null {
  if (!s.summary) return 'load the model it was made with first';
  if (!s.datasetInfo || s.datasetStatus !== 'ready') return 'open the dataset it was made over first';
  if (header.model.sha256 !== s.summary.sha256) {
    return `it was made with the model ${header.model.name || '?'} (sha256 ${short(header.model.sha256)}), not the open ${s.summary.name} (${short(s.summary.sha256)})`;
  }
  if (header.dataset.sha256 !== s.datasetInfo.sha256) {
    return `it was made over another dataset (${header.dataset.id || '?'}, sha256 ${short(header.dataset.sha256)}), not the open ${s.datasetInfo.title} (${short(s.datasetInfo.sha256)}); for a folder or manifest, the fit mode must match too`;
  }
  if (header.shard.start !== 0 || header.shard.end !== s.datasetInfo.count || header.dataset.count !== s.datasetInfo.count) {
    return `it covers images ${header.shard.start}–${header.shard.end - 1} only (merge the shards with lab exemplars --merge)`;
  }
  const layerOf = new Map(s.summary.layers.map((l) => [l.tensor, l]));
  for (const l of layers) {
    const layer = layerOf.get(l.tensor);
    if (!layer) return `the open model has no layer ${l.tensor}`;
    if (layer.channels !== l.channels) return `${layer.label} has ${layer.channels} units, the file ${l.channels}`;
    if (l.k !== k) return `it keeps the top ${l.k} per unit; the tab uses ${k} (write it with --k ${k})`;
    if (l.done !== l.count) return `${layer.label} is indexed over ${l.done} of ${l.count} images only`;
  }
  return null;
}

/** Reads, checks and caches an index file; the exemplar view then shows its first (or the selected) layer. */
export async function importIndexFile(get: Get, set: Set, file: Blob, name: string, k: number): Promise<void> {
  let parsed;
  try {
    parsed = decodeIndexFile(new Uint8Array(await file.arrayBuffer()));
  } catch (err) {
    get().pushNotice({ level: 'error', title: `${name}: ${err instanceof Error ? err.message : String(err)}`, hint: 'Index files come from `lab exemplars MODEL DATASET --layer L --out FILE`.' });
    return;
  }
  const problem = indexFileProblem(parsed.header, parsed.layers, get(), k);
  if (problem) {
    get().pushNotice({ level: 'error', title: `The index file ${name} does not fit: ${problem}.` });
    return;
  }
  const { header, layers } = parsed;
  const cache = getExemplarCache();
  for (const index of layers) {
    const key = cacheKey(header.model.sha256, header.dataset.sha256, index.tensor, index.k);
    await cache.put({ key, modelSha256: header.model.sha256, datasetSha256: header.dataset.sha256, layer: index.tensor, k: index.k, savedAt: Date.now(), index });
  }
  const s = get();
  const tensors = layers.map((l) => l.tensor);
  if (s.layer === null || !tensors.includes(s.layer)) s.selectLayer(tensors[0]);
  // Look again: the selected layer is now in the cache (an indexing pass in flight stops).
  s.cancelExemplarIndex();
  set({ exIndexKey: null, exIndexStatus: 'idle' });
  get().pushNotice({ level: 'info', title: `Imported the index of ${layers.length} layer${layers.length > 1 ? 's' : ''} from ${name}` });
  await get().syncExemplars();
}
