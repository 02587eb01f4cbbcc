/** The worker's layer memo (see engine/lab/layerMemo.ts) in IndexedDB, a database of its own. */
import type { LayerMemo } from '../engine/lab/layerMemo';
import type { Layer } from '../engine/types';
import { idbOpener, idbRequest } from './idb';

const DB_NAME = 'interp-lab-layers';
const STORE = 'model-layers';

export function indexedDbLayerMemo(factory: IDBFactory = indexedDB): LayerMemo {
  const open = idbOpener(factory, DB_NAME, 1, (db) => db.createObjectStore(STORE));
  return {
    async get(key) {
      const db = await open();
      return (await idbRequest(db.transaction(STORE, 'readonly').objectStore(STORE).get(key))) as Layer[] | undefined;
    },
    async put(key, layers) {
      const db = await open();
      await idbRequest(db.transaction(STORE, 'readwrite').objectStore(STORE).put(layers, key));
    },
  };
}
