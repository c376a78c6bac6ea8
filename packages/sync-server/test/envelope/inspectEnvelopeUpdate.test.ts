import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, generateSymmetricKey, ready } from '@coffre/crypto';
import { type DocumentAddress, EntryKind, deviceId, documentId, sealEntry, tenantId } from '@coffre/protocol';
import { inspectEnvelopeUpdate } from '../../src/envelope/inspectEnvelopeUpdate.ts';

const address: DocumentAddress = { tenantId: tenantId('acme'), documentId: documentId('plans') };
let documentKey: Uint8Array;
let signingSecretKey: Uint8Array;

beforeAll(async () => {
  await ready();
  documentKey = generateSymmetricKey();
  signingSecretKey = generateSigningKeyPair().secretKey;
});

function entry(kind: EntryKind, counter = 1, coverage = new Map<ReturnType<typeof deviceId>, number>()): Uint8Array {
  return sealEntry({
    header: { kind, ...address, keyEpoch: 0, author: deviceId('laptop'), counter, coverage },
    plaintext: new Uint8Array([1, 2, 3]),
    documentKey,
    signingSecretKey,
  });
}

function updatePushing(root: string, frame: Uint8Array): Uint8Array {
  const doc = new Y.Doc();
  doc.getArray<Uint8Array>(root).push([frame]);
  return Y.encodeStateAsUpdate(doc);
}

const inspect = (update: Uint8Array, relay = new Y.Doc()) => inspectEnvelopeUpdate(update, address, relay);

/** An update of one GC struct: `length` clocks of `client` from `clock`, with no content. */
function gcUpdate(client: number, clock: number, length: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1); // clients
  encoding.writeVarUint(encoder, 1); // structs of this client
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, clock);
  encoding.writeUint8(encoder, 0); // GC
  encoding.writeVarUint(encoder, length);
  encoding.writeVarUint(encoder, 0); // empty delete set
  return encoding.toUint8Array(encoder);
}

/** An update deleting `length` clocks of `client` from `clock`, inserting nothing. */
function deleteUpdate(client: number, clock: number, length: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0); // no structs
  encoding.writeVarUint(encoder, 1); // delete set: one client
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, clock);
  encoding.writeVarUint(encoder, length);
  return encoding.toUint8Array(encoder);
}

describe('inspectEnvelopeUpdate', () => {
  it('accepts updates and snapshots in the log and versions in the versions array', () => {
    expect(inspect(updatePushing('log', entry(EntryKind.Update))).entries).toHaveLength(1);
    expect(inspect(updatePushing('log', entry(EntryKind.Snapshot))).entries).toHaveLength(1);
    expect(inspect(updatePushing('versions', entry(EntryKind.Version))).entries[0]?.root).toBe('versions');
  });

  it('refuses a version in the log and an update in the versions array', () => {
    expect(() => inspect(updatePushing('log', entry(EntryKind.Version)))).toThrow(/does not belong in "log"/);
    expect(() => inspect(updatePushing('versions', entry(EntryKind.Update)))).toThrow(/does not belong in "versions"/);
  });

  it('refuses any other root and presence states anywhere', () => {
    expect(() => inspect(updatePushing('notes', entry(EntryKind.Update)))).toThrow(
      /only touch the "log" and "versions" arrays/,
    );
    expect(() => inspect(updatePushing('versions', entry(EntryKind.Presence)))).toThrow(/presence states/);
  });

  it('refuses an update entry that continues a version already held by the relay', () => {
    const client = new Y.Doc();
    const relay = new Y.Doc();
    client.getArray<Uint8Array>('versions').push([entry(EntryKind.Version)]);
    Y.applyUpdate(relay, Y.encodeStateAsUpdate(client));
    const before = Y.encodeStateVector(client);
    client.getArray<Uint8Array>('versions').push([entry(EntryKind.Update, 2)]);
    const continued = Y.encodeStateAsUpdate(client, before);
    expect(Y.decodeUpdate(continued).structs[0]).toMatchObject({ parent: null });
    expect(() => inspect(continued, relay)).toThrow(/does not belong in "versions"/);
  });

  it('refuses an update entry that continues a version sent in the same update', () => {
    const client = new Y.Doc();
    client.getArray<Uint8Array>('versions').push([entry(EntryKind.Version)]);
    client.getArray<Uint8Array>('versions').push([entry(EntryKind.Update, 2)]);
    expect(() => inspect(Y.encodeStateAsUpdate(client))).toThrow(/does not belong in "versions"/);
  });

  it('refuses garbage-collected ranges, which would swallow a device’s next changes', () => {
    expect(() => inspect(gcUpdate(1234, 0, 50))).toThrow(/garbage-collected/);
  });

  it('refuses deleting changes the relay does not hold (a deletion waiting for them)', () => {
    const relay = new Y.Doc();
    relay.getArray<Uint8Array>('log').push([entry(EntryKind.Update)]);
    expect(() => inspect(deleteUpdate(relay.clientID, 0, 1), relay)).not.toThrow();
    expect(() => inspect(deleteUpdate(relay.clientID, 1, 100), relay)).toThrow(/does not hold/);
    expect(() => inspect(deleteUpdate(987654, 0, 1), relay)).toThrow(/does not hold/);
  });

  it('lists the live entries an update deletes and the snapshots left', () => {
    const client = new Y.Doc();
    const log = client.getArray<Uint8Array>('log');
    log.push([entry(EntryKind.Update, 1), entry(EntryKind.Update, 2)]);
    const relay = new Y.Doc();
    Y.applyUpdate(relay, Y.encodeStateAsUpdate(client));
    const before = Y.encodeStateVector(client);
    client.transact(() => {
      log.delete(0, 2);
      log.push([entry(EntryKind.Snapshot, 3, new Map([[deviceId('laptop'), 3]]))]);
    });
    const inspection = inspect(Y.encodeStateAsUpdate(client, before), relay);
    expect(inspection.deleted.map((deleted) => deleted.header.counter)).toEqual([1, 2]);
    expect(inspection.snapshotsAfter.map((snapshot) => snapshot.counter)).toEqual([3]);
    expect(inspection.changesNothing).toBe(false);
  });

  it('says a resent update changes nothing', () => {
    const client = new Y.Doc();
    client.getArray<Uint8Array>('log').push([entry(EntryKind.Update)]);
    const relay = new Y.Doc();
    Y.applyUpdate(relay, Y.encodeStateAsUpdate(client));
    const inspection = inspect(Y.encodeStateAsUpdate(client), relay);
    expect(inspection.changesNothing).toBe(true);
    expect(inspection.entries).toHaveLength(0);
  });
});
