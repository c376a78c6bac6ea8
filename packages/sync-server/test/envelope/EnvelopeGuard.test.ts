import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SigningKeyPair, generateSigningKeyPair, generateSymmetricKey, ready } from '@coffre/crypto';
import {
  type DeviceId,
  type DocumentAddress,
  EntryKind,
  LIMITS,
  deviceId,
  documentId,
  sealEntry,
  tenantId,
} from '@coffre/protocol';
import { type EnvelopeWriter, EnvelopeGuard } from '../../src/envelope/EnvelopeGuard.ts';
import { EnvelopeWriters } from '../../src/envelope/EnvelopeWriters.ts';

const address: DocumentAddress = { tenantId: tenantId('acme'), documentId: documentId('plans') };
const alice = deviceId('alice-laptop');
const bob = deviceId('bob-phone');
let documentKey: Uint8Array;
const keys = new Map<DeviceId, SigningKeyPair>();

beforeAll(async () => {
  await ready();
  documentKey = generateSymmetricKey();
  keys.set(alice, generateSigningKeyPair());
  keys.set(bob, generateSigningKeyPair());
});

function frame(
  author: DeviceId,
  kind: EntryKind,
  counter: number,
  coverage = new Map<DeviceId, number>(),
  position?: { client: number; clock: number },
): Uint8Array {
  return sealEntry({
    header: { kind, ...address, keyEpoch: 0, author, counter, coverage, position },
    plaintext: new Uint8Array([counter]),
    documentKey,
    signingSecretKey: (keys.get(author) as SigningKeyPair).secretKey,
  });
}

const member = (device: DeviceId): EnvelopeWriter => ({ access: 'member', device, proven: new Set() });

/** The relay's envelope and its bindings, as CoffreExtension keeps them. */
class Relay {
  readonly doc = new Y.Doc();
  readonly writers = EnvelopeWriters.load(this.doc, []);
  readonly guard = new EnvelopeGuard({
    signingKey: (_address, device) => Promise.resolve(keys.get(device)?.publicKey ?? null),
  });

  /** Checks the update and applies it when accepted, as Hocuspocus would. */
  async receive(update: Uint8Array, writer: EnvelopeWriter): Promise<Uint8Array | null> {
    const { fresh } = await this.guard.check(update, address, this.doc, this.writers, writer);
    Y.applyUpdate(this.doc, update);
    return fresh;
  }
}

/** A device's envelope with a fixed Yjs client id. */
function deviceDoc(clientId: number): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  return doc;
}

function pushAndEncode(doc: Y.Doc, frames: Uint8Array[], root = 'log'): Uint8Array {
  const before = Y.encodeStateVector(doc);
  doc.getArray<Uint8Array>(root).push(frames);
  return Y.encodeStateAsUpdate(doc, before);
}

describe('EnvelopeGuard', () => {
  it("refuses an entry written under another device's client id", async () => {
    const relay = new Relay();
    const victim = deviceDoc(100);
    await relay.receive(pushAndEncode(victim, [frame(alice, EntryKind.Update, 1)]), member(alice));
    // Bob's client claims Alice's id and her next clocks.
    const attacker = new Y.Doc();
    Y.applyUpdate(attacker, Y.encodeStateAsUpdate(relay.doc));
    attacker.clientID = 100; // Yjs would pick a fresh id on seeing its own: an attacker sets it back
    const forged = pushAndEncode(attacker, [frame(bob, EntryKind.Update, 1)]);
    await expect(relay.receive(forged, member(bob))).rejects.toMatchObject({ reason: 'FOREIGN_WRITER' });
    // Alice's own next entry still goes in.
    expect(
      await relay.receive(pushAndEncode(victim, [frame(alice, EntryKind.Update, 2)]), member(alice)),
    ).not.toBeNull();
  });

  it('refuses a member writing entries of another device under a new id, unless signed by it', async () => {
    const relay = new Relay();
    const doc = deviceDoc(7);
    const genuine = pushAndEncode(doc, [frame(alice, EntryKind.Update, 1, new Map(), { client: 7, clock: 0 })]);
    // Without the signed position, a copy of an entry sent by another device is refused.
    const unplaced = deviceDoc(9);
    await expect(
      relay.receive(pushAndEncode(unplaced, [frame(alice, EntryKind.Update, 1)]), member(bob)),
    ).rejects.toMatchObject({ reason: 'FOREIGN_WRITER' });
    // Bob relays Alice's genuine entry (the relay had lost it): its signature verifies.
    expect(await relay.receive(genuine, member(bob))).not.toBeNull();
    expect(relay.writers.owner(7)).toBe(alice);
    // A frame claiming Alice as author but signed by Bob does not.
    const forged = deviceDoc(8);
    const bobsFrame = frame(bob, EntryKind.Update, 1);
    const fake = sealEntry({
      header: {
        kind: EntryKind.Update,
        ...address,
        keyEpoch: 0,
        author: alice,
        counter: 5,
        coverage: new Map(),
        position: { client: 8, clock: 0 },
      },
      plaintext: new Uint8Array([5]),
      documentKey,
      signingSecretKey: (keys.get(bob) as SigningKeyPair).secretKey,
    });
    expect(bobsFrame).not.toEqual(fake);
    await expect(relay.receive(pushAndEncode(forged, [fake]), member(bob))).rejects.toMatchObject({
      reason: 'FOREIGN_WRITER',
    });
  });

  it("refuses deleted items under another device's id and binds a new id to the writer", async () => {
    const relay = new Relay();
    const victim = deviceDoc(100);
    await relay.receive(pushAndEncode(victim, [frame(alice, EntryKind.Update, 1)]), member(alice));
    const attacker = new Y.Doc();
    Y.applyUpdate(attacker, Y.encodeStateAsUpdate(relay.doc));
    attacker.clientID = 100; // Yjs would pick a fresh id on seeing its own: an attacker sets it back
    const before = Y.encodeStateVector(attacker);
    attacker.transact(() => {
      const log = attacker.getArray<Uint8Array>('log');
      log.push([frame(bob, EntryKind.Update, 1)]);
      log.delete(1, 1);
    });
    const tombstone = Y.encodeStateAsUpdate(attacker, before);
    await expect(relay.receive(tombstone, member(bob))).rejects.toMatchObject({ reason: 'FOREIGN_WRITER' });
    // Bob's own offline push-then-compact under his own id is fine.
    const own = deviceDoc(200);
    Y.applyUpdate(own, Y.encodeStateAsUpdate(relay.doc));
    const ownBefore = Y.encodeStateVector(own);
    own.transact(() => {
      const log = own.getArray<Uint8Array>('log');
      log.push([frame(bob, EntryKind.Update, 1)]);
    });
    own.transact(() => {
      const log = own.getArray<Uint8Array>('log');
      log.delete(0, 2);
      log.push([
        frame(
          bob,
          EntryKind.Snapshot,
          2,
          new Map([
            [alice, 1],
            [bob, 2],
          ]),
        ),
      ]);
    });
    expect(await relay.receive(Y.encodeStateAsUpdate(own, ownBefore), member(bob))).not.toBeNull();
    expect(relay.writers.owner(200)).toBe(bob);
  });

  it('refuses deleting entries that no snapshot covers, and accepts a covering compaction', async () => {
    const relay = new Relay();
    const aliceDoc = deviceDoc(1);
    await relay.receive(
      pushAndEncode(aliceDoc, [frame(alice, EntryKind.Update, 1), frame(alice, EntryKind.Update, 2)]),
      member(alice),
    );
    const bobDoc = deviceDoc(2);
    Y.applyUpdate(bobDoc, Y.encodeStateAsUpdate(relay.doc));
    const before = Y.encodeStateVector(bobDoc);
    bobDoc.getArray<Uint8Array>('log').delete(0, 2);
    const erase = Y.encodeStateAsUpdate(bobDoc, before);
    await expect(relay.receive(erase, member(bob))).rejects.toMatchObject({ reason: 'UNCOVERED_DELETION' });

    // A snapshot covering only Alice's first entry does not cover her second.
    const partial = deviceDoc(3);
    Y.applyUpdate(partial, Y.encodeStateAsUpdate(relay.doc));
    const partialBefore = Y.encodeStateVector(partial);
    partial.transact(() => {
      const log = partial.getArray<Uint8Array>('log');
      log.delete(0, 2);
      log.push([
        frame(
          bob,
          EntryKind.Snapshot,
          1,
          new Map([
            [alice, 1],
            [bob, 1],
          ]),
        ),
      ]);
    });
    await expect(relay.receive(Y.encodeStateAsUpdate(partial, partialBefore), member(bob))).rejects.toMatchObject({
      reason: 'UNCOVERED_DELETION',
    });

    const compactor = deviceDoc(4);
    Y.applyUpdate(compactor, Y.encodeStateAsUpdate(relay.doc));
    const compactBefore = Y.encodeStateVector(compactor);
    compactor.transact(() => {
      const log = compactor.getArray<Uint8Array>('log');
      log.delete(0, 2);
      log.push([
        frame(
          bob,
          EntryKind.Snapshot,
          1,
          new Map([
            [alice, 2],
            [bob, 1],
          ]),
        ),
      ]);
    });
    expect(await relay.receive(Y.encodeStateAsUpdate(compactor, compactBefore), member(bob))).not.toBeNull();
    expect(relay.doc.getArray('log').length).toBe(1);
  });

  it('refuses deleting a snapshot unless a snapshot covering all it covered remains', async () => {
    const relay = new Relay();
    const doc = deviceDoc(1);
    await relay.receive(
      pushAndEncode(doc, [frame(alice, EntryKind.Snapshot, 1, new Map([[alice, 1]]))]),
      member(alice),
    );
    const before = Y.encodeStateVector(doc);
    doc.getArray<Uint8Array>('log').delete(0, 1);
    await expect(relay.receive(Y.encodeStateAsUpdate(doc, before), member(alice))).rejects.toMatchObject({
      reason: 'UNCOVERED_DELETION',
    });
  });

  it(`deletes versions only while ${LIMITS.keptVersions} remain`, async () => {
    const relay = new Relay();
    const doc = deviceDoc(1);
    const versions = Array.from({ length: LIMITS.keptVersions }, (_, index) =>
      frame(alice, EntryKind.Version, index + 1),
    );
    await relay.receive(pushAndEncode(doc, versions, 'versions'), member(alice));
    const eraser = deviceDoc(2);
    Y.applyUpdate(eraser, Y.encodeStateAsUpdate(relay.doc));
    const before = Y.encodeStateVector(eraser);
    eraser.getArray<Uint8Array>('versions').delete(0, 10);
    await expect(relay.receive(Y.encodeStateAsUpdate(eraser, before), member(bob))).rejects.toMatchObject({
      reason: 'UNCOVERED_DELETION',
    });
    // Trimming the oldest when a new one comes, as VersionHistory does, keeps 100.
    const trimBefore = Y.encodeStateVector(doc);
    doc.transact(() => {
      doc.getArray<Uint8Array>('versions').delete(0, 1);
      doc.getArray<Uint8Array>('versions').push([frame(alice, EntryKind.Version, LIMITS.keptVersions + 1)]);
    });
    expect(await relay.receive(Y.encodeStateAsUpdate(doc, trimBefore), member(alice))).not.toBeNull();
  });

  it('keeps bindings across a reload from stored bindings, even once the entries are compacted away', async () => {
    const relay = new Relay();
    const doc = deviceDoc(55);
    await relay.receive(pushAndEncode(doc, [frame(alice, EntryKind.Update, 1)]), member(alice));
    const stored = relay.writers.takeUnsaved();
    expect(stored).toEqual([]); // taken by the check that bound it
    const reloaded = new Y.Doc({ gc: true });
    Y.applyUpdate(reloaded, Y.encodeStateAsUpdate(relay.doc));
    expect(EnvelopeWriters.load(reloaded, []).owner(55)).toBe(alice);
    expect(EnvelopeWriters.load(reloaded, [{ clientId: 55, deviceId: alice }]).owner(55)).toBe(alice);
    const orphan = new Y.Doc();
    orphan.clientID = 77;
    orphan.getArray<Uint8Array>('log').push([new Uint8Array([1])]);
    orphan.getArray<Uint8Array>('log').delete(0, 1);
    expect(EnvelopeWriters.load(orphan, []).owner(77)).toBeNull();
  });
});
