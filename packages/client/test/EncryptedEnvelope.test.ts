import * as Automerge from '@automerge/automerge';
import * as Y from 'yjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSymmetricKey, ready } from '@coffre/crypto';
import { EntryKind, parseEntry } from '@coffre/protocol';
import { AutomergeEngine, DeviceDirectory, DocumentKeyring, YjsEngine } from '../src/index.ts';
import { type CreateReplicaOptions, type Replica, createDevice, createReplica } from './harness/createReplicas.ts';
import { bodyOf, deliver, textReplica, write, writerAndReader } from './harness/textReplicas.ts';

beforeAll(async () => {
  await ready();
});

function logBytes(replica: Replica): number {
  return replica.envelope.log.toArray().reduce((total, frame) => total + frame.length, 0);
}

/** A writer with a key and no other member; `options` override the replica's defaults. */
function loneWriter(options: Partial<CreateReplicaOptions<YjsEngine>> = {}): Replica<YjsEngine> {
  return createReplica({
    engine: new YjsEngine(),
    device: createDevice('writer'),
    keyring: new DocumentKeyring([[0, generateSymmetricKey()]]),
    devices: new DeviceDirectory(),
    ...options,
  });
}

/** Sends `from` everything `to` lacks, as a Yjs provider would. */
function sync(from: Replica, to: Replica): void {
  Y.applyUpdate(to.doc, Y.encodeStateAsUpdate(from.doc, Y.encodeStateVector(to.doc)));
}

describe('EncryptedEnvelope sealing', () => {
  it('seals the changes made within the batch window as one entry', async () => {
    const replica = loneWriter({ batchWindowMs: 5 });
    const body = replica.engine.doc.getText('body');

    const sealed = replica.envelope.once('sealed');
    body.insert(0, 'a');
    body.insert(1, 'b');
    body.insert(2, 'c');
    expect(replica.envelope.hasPendingChanges).toBe(true);
    expect(replica.envelope.log.length).toBe(0);

    expect(await sealed).toEqual(expect.objectContaining({ kind: 'update', counter: 1 }));
    expect(replica.envelope.log.length).toBe(1);
    expect(replica.envelope.hasPendingChanges).toBe(false);
    replica.envelope.destroy();
  });

  it('keeps local changes unsealed until startSealing()', () => {
    const replica = loneWriter({ sealing: false });

    replica.engine.doc.getText('body').insert(0, 'draft');
    replica.envelope.flush();
    replica.envelope.compact();
    expect(replica.envelope.log.length).toBe(0);

    replica.envelope.startSealing();
    expect(replica.envelope.log.length).toBe(1);
    expect(replica.sealed).toEqual([expect.objectContaining({ kind: 'update', counter: 1 })]);
    replica.envelope.destroy();
  });

  it('numbers its entries 1, 2, 3 and carries on from its own entries after a reload', () => {
    const { writer, keyring, devices } = writerAndReader();
    write(writer, 'a');
    write(writer, 'b');
    writer.envelope.destroy();

    const reloadedDoc = new Y.Doc();
    Y.applyUpdate(reloadedDoc, Y.encodeStateAsUpdate(writer.doc));
    const reloaded = createReplica({
      engine: new YjsEngine(),
      device: writer.device,
      keyring,
      devices,
      doc: reloadedDoc,
    });
    expect(bodyOf(reloaded)).toBe('ab');
    const frame = write(reloaded, 'c');

    expect(parseEntry(frame).header.counter).toBe(3);
  });

  it('carries on from the coverage of its own snapshot after a reload', () => {
    const { writer, keyring, devices } = writerAndReader();
    write(writer, 'a');
    write(writer, 'b');
    writer.envelope.compact();
    writer.envelope.destroy();

    const reloadedDoc = new Y.Doc();
    Y.applyUpdate(reloadedDoc, Y.encodeStateAsUpdate(writer.doc));
    const reloaded = createReplica({
      engine: new YjsEngine(),
      device: writer.device,
      keyring,
      devices,
      doc: reloadedDoc,
    });
    expect(reloaded.envelope.log.length).toBe(1);
    expect(bodyOf(reloaded)).toBe('ab');

    // Entries 1 and 2 are covered by the snapshot, which is entry 3.
    expect(parseEntry(write(reloaded, 'c')).header.counter).toBe(4);
  });
});

describe('EncryptedEnvelope compaction', () => {
  it('replaces the entries it covers with one snapshot carrying its coverage', () => {
    const { writer, reader } = writerAndReader();
    deliver(writer, write(reader, 'from reader. '));
    write(writer, 'a');
    write(writer, 'b');
    expect(writer.envelope.log.length).toBe(3);

    writer.envelope.compact();

    expect(writer.envelope.log.length).toBe(1);
    const snapshot = parseEntry(writer.envelope.log.get(0));
    expect(snapshot.header.kind).toBe(EntryKind.Snapshot);
    expect(snapshot.header.counter).toBe(3);
    expect(snapshot.header.coverage).toEqual(
      new Map([
        [writer.device.id, 3],
        [reader.device.id, 1],
      ]),
    );
    expect(writer.envelope.size).toEqual({ entries: 1, bytes: logBytes(writer) });
    expect(bodyOf(writer)).toBe('from reader. ab');
  });

  it('ignores an entry that a snapshot it applied already includes', () => {
    const { writer, keyring, devices } = writerAndReader();
    const first = write(writer, 'a');
    write(writer, 'b');
    writer.envelope.compact();
    const snapshot = writer.envelope.log.get(0);
    const engine = new YjsEngine();
    let applied = 0;
    const originalApply = engine.applyRemote.bind(engine);
    engine.applyRemote = (update: Uint8Array): void => {
      applied += 1;
      originalApply(update);
    };
    const reader = textReplica({ name: 'reader', keyring, devices, engine });

    deliver(reader, snapshot);
    deliver(reader, first);

    expect(applied).toBe(1);
    expect(bodyOf(reader)).toBe('ab');
    expect(reader.rejections).toEqual([]);
    expect(reader.incomplete).toEqual([]);
    // Carries on after the snapshot: the writer's next entry is 4 (two updates, one snapshot).
    const next = write(writer, 'c');
    expect(parseEntry(next).header.counter).toBe(4);
    deliver(reader, next);
    expect(bodyOf(reader)).toBe('abc');
  });

  it("refuses to compact while an author's counter is missing", () => {
    const { writer, reader } = writerAndReader();
    const first = write(writer, 'a');
    write(writer, 'b');
    const third = write(writer, 'c');
    deliver(reader, first, third);
    write(reader, '!');

    reader.envelope.compact();

    expect(reader.sealed.filter((event) => event.kind === 'snapshot')).toEqual([]);
    expect(reader.envelope.log.length).toBe(3);
  });

  it('keeps entries that wait for an unknown device when compacting', () => {
    const keyring = new DocumentKeyring([[0, generateSymmetricKey()]]);
    const newcomer = textReplica({ name: 'newcomer', keyring, devices: new DeviceDirectory() });
    const member = textReplica({ name: 'member', keyring, devices: new DeviceDirectory() });
    const waiting = write(newcomer, 'hello from a new device. ');
    deliver(member, waiting);
    write(member, 'mine');

    member.envelope.compact();

    const kinds = member.envelope.log.toArray().map((frame) => parseEntry(frame).header.kind);
    expect(kinds.sort()).toEqual([EntryKind.Update, EntryKind.Snapshot]);
    member.envelope.trustDevice(newcomer.device.id, newcomer.device.signingKeyPair.publicKey);
    expect(bodyOf(member)).toContain('hello from a new device. ');
    expect(bodyOf(member)).toContain('mine');
  });

  it('compacts on its own once the log holds more entries than the policy allows', () => {
    const replica = loneWriter({ compaction: { maxEntries: 5, maxBytes: 1024 * 1024 } });

    for (let index = 0; index < 6; index += 1) write(replica, String(index));

    expect(replica.sealed.map((event) => event.kind)).toEqual([
      'update',
      'update',
      'update',
      'update',
      'update',
      'update',
      'snapshot',
    ]);
    expect(replica.envelope.log.length).toBe(1);
    expect(bodyOf(replica)).toBe('012345');
  });

  it('compacts when the writer pauses, not in the middle of typing', () => {
    vi.useFakeTimers();
    try {
      const replica = loneWriter({
        compaction: { maxEntries: 512, maxBytes: 1024 * 1024, idleMs: 1000, idleMinEntries: 20 },
      });
      for (let index = 0; index < 30; index += 1) {
        write(replica, `${index} `);
        vi.advanceTimersByTime(200);
      }
      expect(replica.sealed.filter((event) => event.kind === 'snapshot')).toHaveLength(0);
      vi.advanceTimersByTime(1000);
      expect(replica.sealed.at(-1)?.kind).toBe('snapshot');
      expect(replica.envelope.log.length).toBe(1);

      // A few entries after a snapshot do not earn another one.
      for (let index = 0; index < 3; index += 1) write(replica, 'x');
      vi.advanceTimersByTime(5000);
      expect(replica.envelope.log.length).toBe(4);
      replica.envelope.destroy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('compacts while typing once twice idleMinEntries entries wait and add up to the last snapshot', () => {
    const replica = loneWriter({ compaction: { maxEntries: 1000, maxBytes: 1 << 20, idleMs: 0, idleMinEntries: 5 } });
    const snapshotsSealed = () => replica.sealed.filter((event) => event.kind === 'snapshot').length;
    // No snapshot yet: the first comes after more than 10 entries.
    for (let index = 0; index < 10; index += 1) write(replica, 'a');
    expect(snapshotsSealed()).toBe(0);
    write(replica, 'a');
    expect(snapshotsSealed()).toBe(1);

    // A large document: small entries earn the next snapshot only once they add up to it.
    write(replica, 'x'.repeat(8000));
    replica.envelope.compact();
    expect(snapshotsSealed()).toBe(2);
    const snapshotBytes = logBytes(replica);
    for (let index = 0; index < 20; index += 1) write(replica, 'b');
    expect(snapshotsSealed()).toBe(2);
    let bytesBefore = 0;
    for (let written = 0; snapshotsSealed() === 2 && written < 200; written += 1) {
      bytesBefore = logBytes(replica) - snapshotBytes;
      write(replica, 'c'.repeat(200));
    }
    expect(snapshotsSealed()).toBe(3);
    // Not before the entries (with the one that tipped it) added up to the snapshot.
    expect(bytesBefore).toBeLessThan(snapshotBytes);
    expect(bytesBefore).toBeGreaterThan(snapshotBytes - 1000);
    expect(replica.envelope.log.length).toBe(1);
  });

  it('compacts on its own once the sealed bytes pass the policy', () => {
    const replica = loneWriter({ compaction: { maxEntries: 1000, maxBytes: 2000 } });
    const meta = replica.engine.doc.getMap<string>('meta');

    // Each entry is ~500 bytes while the state (one overwritten value) stays small.
    for (let index = 0; index < 12; index += 1) {
      meta.set('note', String(index).repeat(300));
      replica.envelope.flush();
      expect(replica.envelope.size.bytes, `after entry ${index}`).toBeLessThanOrEqual(2000);
    }

    const snapshots = replica.sealed.filter((event) => event.kind === 'snapshot').length;
    expect(snapshots).toBeGreaterThan(0);
    expect(snapshots).toBeLessThan(12);
    expect(replica.envelope.size.bytes).toBe(logBytes(replica));
    expect(meta.get('note')).toBe('11'.repeat(300));
  });

  // Regression: the snapshot is sealed before any entry is deleted, so a failed seal leaves the log intact.
  it('keeps the log readable when the snapshot is too large to seal', () => {
    const { writer, reader } = writerAndReader();
    const chunk = 'x'.repeat(2.5 * 1024 * 1024);
    for (let index = 0; index < 3; index += 1) write(writer, chunk);
    expect(writer.envelope.log.length).toBe(3);

    try {
      writer.envelope.compact();
    } catch {
      // Refusing to compact is fine; losing the entries is not.
    }
    sync(writer, reader);

    expect(bodyOf(reader).length).toBe(3 * chunk.length);
  });

  // Regression: an entry waiting for an unknown device that compaction deletes leaves the pending list too.
  it('counts in size only entries still in the log after a waiting entry was compacted away', () => {
    const keyring = new DocumentKeyring([[0, generateSymmetricKey()]]);
    const newcomer = createDevice('newcomer');
    const compactorDevice = createDevice('compactor');
    const readerDevice = createDevice('reader');
    const everyone = new DeviceDirectory(
      [newcomer, compactorDevice, readerDevice].map((device) => [device.id, device.signingKeyPair.publicKey] as const),
    );
    const writer = textReplica({ name: 'newcomer', device: newcomer, keyring, devices: everyone });
    const compactor = textReplica({ name: 'compactor', device: compactorDevice, keyring, devices: everyone });
    // The reader does not know the newcomer yet.
    const reader = textReplica({
      name: 'reader',
      device: readerDevice,
      keyring,
      devices: new DeviceDirectory([[compactorDevice.id, compactorDevice.signingKeyPair.publicKey]]),
    });
    write(writer, 'hello');
    sync(writer, compactor);
    sync(writer, reader);
    expect(reader.rejections.map((event) => event.reason)).toEqual(['unknown-device']);

    compactor.envelope.compact();
    sync(compactor, reader);
    expect(reader.envelope.log.length).toBe(1);
    expect(bodyOf(reader)).toBe('hello');

    reader.envelope.trustDevice(newcomer.id, newcomer.signingKeyPair.publicKey);

    expect(bodyOf(reader)).toBe('hello');
    expect(reader.envelope.size).toEqual({ entries: 1, bytes: logBytes(reader) });
  });

  it('a snapshot taken while an Automerge change waits for its dependencies still carries that change', () => {
    type Records = { notes: string[] };
    const initial = Automerge.save(Automerge.from<Records>({ notes: [] }, { actor: 'ff'.repeat(16) }));
    const keyring = new DocumentKeyring([[0, generateSymmetricKey()]]);
    const devices = new DeviceDirectory();
    const replicas = ['alice', 'bob', 'carol', 'dave'].map((name, index) => {
      const device = createDevice(name);
      devices.set(device.id, device.signingKeyPair.publicKey);
      const engine = new AutomergeEngine<Records>(
        Automerge.load<Records>(initial, { actor: String(index + 1).padStart(32, '0') }),
      );
      return createReplica({ engine, device, keyring, devices });
    });
    const [alice, bob, carol, dave] = replicas as [
      Replica<AutomergeEngine<Records>>,
      Replica<AutomergeEngine<Records>>,
      Replica<AutomergeEngine<Records>>,
      Replica<AutomergeEngine<Records>>,
    ];
    alice.engine.change((doc) => doc.notes.push('from alice'));
    alice.envelope.flush();
    const aliceEntry = alice.envelope.log.get(0);
    deliver(bob, aliceEntry);
    bob.engine.change((doc) => doc.notes.push('from bob, after alice'));
    bob.envelope.flush();
    const bobEntry = bob.envelope.log.get(1);

    // Carol gets Bob's change without the change it depends on, then compacts.
    deliver(carol, bobEntry);
    carol.envelope.compact();
    expect(carol.envelope.log.length).toBe(1);

    // Dave only ever sees Carol's snapshot and Alice's entry.
    deliver(dave, carol.envelope.log.get(0), aliceEntry);
    expect(Automerge.toJS(dave.engine.doc)).toEqual({ notes: ['from alice', 'from bob, after alice'] });
    expect(dave.rejections).toEqual([]);
  });
});
