/**
 * Browser side of the local storage benchmark (tests/bench/localStorage.ts):
 * writes an editing trace keystroke by keystroke into IndexedDB through
 * Coffre (YjsEngine + EncryptedEnvelope, the envelope persisted by
 * EnvelopeStore) or through plain y-indexeddb on a plain Y.Doc, reads back
 * what is stored, and opens a document cold. Installed on `window` as
 * {@link LOCAL_STORAGE_BENCH}.
 */
import * as Y from 'yjs';
import { IndexeddbPersistence, storeState } from 'y-indexeddb';
import { fromHex, ready } from '@coffre/crypto';
import { deviceId } from '@coffre/protocol';
import { DeviceDirectory, DocumentKeyring, EncryptedEnvelope, YjsEngine } from '@coffre/client';
import { EnvelopeStore } from '@coffre/storage';
import type { Patch } from './trace.ts';
import {
  type BenchKeys,
  LOCAL_STORAGE_BENCH,
  type LocalStorageBench,
  type WriteOptions,
} from './localStorageBenchApi.ts';

function requestDone<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function openDatabase(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`could not open ${name}`));
  });
}

/**
 * Resolves once every write issued so far to the database has committed: a
 * transaction over the same store starts only after the read-write
 * transactions created before it have finished.
 */
async function writesCommitted(name: string): Promise<void> {
  const db = await openDatabase(name);
  try {
    await requestDone(db.transaction(['updates'], 'readonly').objectStore('updates').count());
  } finally {
    db.close();
  }
}

function identity(keys: BenchKeys) {
  const device = {
    id: deviceId(keys.deviceId),
    signingKeyPair: { publicKey: fromHex(keys.signingPublicKey), secretKey: fromHex(keys.signingSecretKey) },
  };
  return {
    device,
    keyring: new DocumentKeyring([[0, fromHex(keys.documentKey)]]),
    devices: new DeviceDirectory([[device.id, device.signingKeyPair.publicKey]]),
  };
}

/** As trace.ts's applyPatch, which cannot be bundled for the browser (that module reads files). */
function applyPatch(text: Y.Text, [position, deleteCount, inserted]: Patch): void {
  if (deleteCount > 0) text.delete(position, deleteCount);
  if (inserted.length > 0) text.insert(position, inserted);
}

/**
 * Applies the trace one keystroke at a time, `afterKeystroke` after each.
 * Every `chunk` keystrokes it waits until IndexedDB has committed what was
 * written so far, as it would keep up with a person typing: without that
 * wait hundreds of thousands of transactions queue up in the browser and the
 * figure measures the queue. Returns the time spent applying keystrokes,
 * waits excluded.
 */
async function typeTrace(
  text: Y.Text,
  options: WriteOptions,
  afterKeystroke: () => void,
  committed: () => Promise<void>,
): Promise<number> {
  const { patches, chunk } = options;
  let typingMs = 0;
  for (let start = 0; start < patches.length; start += chunk) {
    const started = performance.now();
    for (const patch of patches.slice(start, start + chunk)) {
      applyPatch(text, patch);
      afterKeystroke();
    }
    typingMs += performance.now() - started;
    await committed();
  }
  return typingMs;
}

let openedPlain: IndexeddbPersistence | undefined;
let openedCoffre: { store: EnvelopeStore; envelope: EncryptedEnvelope<YjsEngine> } | undefined;

const bench: LocalStorageBench = {
  async writePlain(name, options) {
    const doc = new Y.Doc();
    const persistence = new IndexeddbPersistence(name, doc);
    await persistence.whenSynced;
    let updates = 0;
    let updateBytes = 0;
    doc.on('update', (update: Uint8Array) => {
      updates += 1;
      updateBytes += update.length;
    });
    const started = performance.now();
    const typingMs = await typeTrace(
      doc.getText('text'),
      options,
      () => undefined,
      () => writesCommitted(name),
    );
    const writeMs = performance.now() - started;
    await persistence.destroy();
    return {
      writeMs,
      typingMs,
      updateBytes,
      updates,
      sealedEntries: 0,
      compactedBytes: 0,
      compactions: 0,
      databaseName: name,
    };
  },

  async writeCoffre(address, keys, options) {
    await ready();
    const engine = new YjsEngine();
    const envelope = new EncryptedEnvelope({ address, engine, ...identity(keys) });
    const store = new EnvelopeStore({ address, envelope: envelope.envelope });
    await store.whenLoaded();
    let updates = 0;
    let updateBytes = 0;
    envelope.envelope.on('update', (update: Uint8Array) => {
      updates += 1;
      updateBytes += update.length;
    });
    let sealedEntries = 0;
    envelope.on('sealed', () => {
      sealedEntries += 1;
    });
    const started = performance.now();
    // One sealed entry per keystroke: flush() seals now rather than at the end of the task.
    const typingMs = await typeTrace(
      engine.doc.getText('text'),
      options,
      () => envelope.flush(),
      async () => {
        await store.storedRows(); // waits for the store's own compactions queued so far
        await writesCommitted(store.databaseName);
      },
    );
    const writeMs = performance.now() - started;
    const { compactedBytes, compactions } = store.stats;
    await store.destroy();
    envelope.destroy();
    return {
      writeMs,
      typingMs,
      updateBytes,
      updates,
      sealedEntries,
      compactedBytes,
      compactions,
      databaseName: store.databaseName,
    };
  },

  async stored(databaseName) {
    const db = await openDatabase(databaseName);
    try {
      const values = await requestDone(db.transaction(['updates'], 'readonly').objectStore('updates').getAll());
      let bytes = 0;
      for (const value of values) bytes += (value as Uint8Array).byteLength;
      return { rows: values.length, bytes };
    } finally {
      db.close();
    }
  },

  async openPlain(name, expected) {
    const started = performance.now();
    const doc = new Y.Doc();
    const persistence = new IndexeddbPersistence(name, doc);
    await persistence.whenSynced;
    const loaded = performance.now();
    if (doc.getText('text').toString() !== expected) throw new Error('plain y-indexeddb opened another text');
    openedPlain = persistence;
    return { openMs: performance.now() - started, cryptoReadyMs: 0, loadMs: loaded - started };
  },

  async openCoffre(address, keys, expected) {
    const started = performance.now();
    await ready();
    const cryptoReady = performance.now();
    const envelopeDoc = new Y.Doc();
    const store = new EnvelopeStore({ address, envelope: envelopeDoc });
    await store.whenLoaded();
    const loaded = performance.now();
    const engine = new YjsEngine();
    // Verifies, opens and applies every entry the stored log holds.
    const envelope = new EncryptedEnvelope({ address, engine, envelope: envelopeDoc, ...identity(keys) });
    if (engine.doc.getText('text').toString() !== expected) throw new Error('Coffre opened another text');
    openedCoffre = { store, envelope };
    return { openMs: performance.now() - started, cryptoReadyMs: cryptoReady - started, loadMs: loaded - cryptoReady };
  },

  async compactPlain() {
    if (!openedPlain) throw new Error('open the plain document first');
    const started = performance.now();
    await storeState(openedPlain, true);
    await writesCommitted(openedPlain.name);
    return performance.now() - started;
  },

  async compactCoffre() {
    if (!openedCoffre) throw new Error('open the Coffre document first');
    const started = performance.now();
    openedCoffre.envelope.compact();
    await openedCoffre.store.flush();
    return performance.now() - started;
  },
};

(globalThis as unknown as Record<string, LocalStorageBench>)[LOCAL_STORAGE_BENCH] = bench;
