/** Promises over IndexedDB's callbacks, shared by the page's exemplar cache and the worker's dataset memo. */

export function idbRequest<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

export function idbDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/**
 * Opens a database once (`upgrade` creates its stores); a failed open is forgotten so that the
 * next call tries again.
 */
export function idbOpener(factory: IDBFactory, name: string, version: number, upgrade: (db: IDBDatabase) => void): () => Promise<IDBDatabase> {
  let db: Promise<IDBDatabase> | null = null;
  return () => {
    if (!db) {
      db = new Promise<IDBDatabase>((resolve, reject) => {
        const req = factory.open(name, version);
        req.onupgradeneeded = () => upgrade(req.result);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
        req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
      });
      db.catch(() => (db = null));
    }
    return db;
  };
}

/** A string-keyed store in a database of its own (version 1, one object store). */
export interface IdbKeyValue<T> {
  get(key: string): Promise<T | undefined>;
  put(key: string, value: T): Promise<void>;
}

export function idbKeyValue<T>(factory: IDBFactory, dbName: string, store: string): IdbKeyValue<T> {
  const open = idbOpener(factory, dbName, 1, (db) => db.createObjectStore(store));
  return {
    async get(key) {
      const db = await open();
      return (await idbRequest(db.transaction(store, 'readonly').objectStore(store).get(key))) as T | undefined;
    },
    async put(key, value) {
      const db = await open();
      await idbRequest(db.transaction(store, 'readwrite').objectStore(store).put(value, key));
    },
  };
}
