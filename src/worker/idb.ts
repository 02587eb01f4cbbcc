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

/** An entry of a capped store: its key, and when it was written (the oldest go first). */
export interface Stamped {
  key: string;
  savedAt: number;
}

/** A store that keeps at most `max` entries, dropping the oldest by `savedAt` on each put. */
export interface CappedStore<T extends Stamped> {
  /** 'indexeddb' or 'memory', shown in the UI. */
  readonly kind: string;
  get(key: string): Promise<T | undefined>;
  put(entry: T): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** A capped store in IndexedDB: one object store keyed by `key`, with a `savedAt` index. */
export function idbCappedStore<T extends Stamped>(factory: IDBFactory, dbName: string, store: string, max: number): CappedStore<T> {
  const open = idbOpener(factory, dbName, 1, (db) => {
    db.createObjectStore(store, { keyPath: 'key' }).createIndex('savedAt', 'savedAt');
  });
  return {
    kind: 'indexeddb',
    async get(key) {
      const d = await open();
      return (await idbRequest(d.transaction(store, 'readonly').objectStore(store).get(key))) as T | undefined;
    },
    async put(entry) {
      const d = await open();
      const tx = d.transaction(store, 'readwrite');
      const os = tx.objectStore(store);
      os.put(entry);
      const keys = (await idbRequest(os.index('savedAt').getAllKeys())) as IDBValidKey[];
      // Oldest first (the index is sorted by savedAt); the new entry is among the keys.
      for (const k of keys.slice(0, Math.max(0, keys.length - max))) os.delete(k);
      await idbDone(tx);
    },
    async delete(key) {
      const d = await open();
      const tx = d.transaction(store, 'readwrite');
      tx.objectStore(store).delete(key);
      await idbDone(tx);
    },
    async keys() {
      const d = await open();
      return (await idbRequest(d.transaction(store, 'readonly').objectStore(store).getAllKeys())) as string[];
    },
  };
}

/** The same in memory (Node tests, browsers without IndexedDB); `get` returns a copy, as IndexedDB does. */
export function memoryCappedStore<T extends Stamped>(max: number): CappedStore<T> {
  const entries = new Map<string, T>();
  return {
    kind: 'memory',
    get: async (key) => {
      const entry = entries.get(key);
      return entry && structuredClone(entry);
    },
    put: async (entry) => {
      entries.set(entry.key, entry);
      while (entries.size > max) {
        const oldest = [...entries.values()].sort((a, b) => a.savedAt - b.savedAt)[0];
        entries.delete(oldest.key);
      }
    },
    delete: async (key) => void entries.delete(key),
    keys: async () => [...entries.keys()],
  };
}
