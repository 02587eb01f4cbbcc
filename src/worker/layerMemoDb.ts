/** The worker's layer memo (see engine/lab/layerMemo.ts) in IndexedDB, a database of its own. */
import type { LayerMemo } from '../engine/lab/layerMemo';
import type { Layer } from '../engine/types';
import { idbKeyValue } from './idb';

export function indexedDbLayerMemo(factory: IDBFactory = indexedDB): LayerMemo {
  return idbKeyValue<Layer[]>(factory, 'interp-lab-layers', 'model-layers');
}
