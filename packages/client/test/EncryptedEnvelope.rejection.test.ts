import * as Automerge from '@automerge/automerge';
import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AEAD_NONCE_BYTES, SIGNATURE_BYTES, generateSymmetricKey, ready } from '@coffre/crypto';
import { EntryKind, EntryRejection, parseEntry } from '@coffre/protocol';
import {
  type ContentEngine,
  type EntryRejectedEvent,
  AutomergeEngine,
  DeviceDirectory,
  DocumentKeyring,
  YjsEngine,
} from '../src/index.ts';
import { OTHER_ADDRESS, createDevice, createReplica } from './harness/createReplicas.ts';
import { flipBit } from './harness/flipBit.ts';
import { sealFrame } from './harness/sealFrame.ts';
import { SeededRandom } from './harness/SeededRandom.ts';
import { bodyOf, deliver, textReplica, write, writerAndReader } from './harness/textReplicas.ts';

beforeAll(async () => {
  await ready();
});

/** A Yjs engine that counts what it is asked to apply, to tell "applied once" from "applied twice". */
class CountingYjsEngine extends YjsEngine {
  applied = 0;
  override applyRemote(update: Uint8Array): void {
    this.applied += 1;
    super.applyRemote(update);
  }
}

/** A Yjs update writing `text` into 'body', made on a scratch document. */
function textUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('body').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

describe('EncryptedEnvelope rejects what it cannot trust', () => {
  it('rejects an entry with any single flipped bit', () => {
    const { writer, reader } = writerAndReader();
    const frame = write(writer, 'hello');
    const parsed = parseEntry(frame);
    const headerEnd = parsed.associatedData.length;
    const nonceEnd = headerEnd + AEAD_NONCE_BYTES;
    const signatureStart = frame.length - SIGNATURE_BYTES;
    const headerReasons = new Set<EntryRejectedEvent['reason']>();

    for (let bit = 0; bit < frame.length * 8; bit += 1) {
      const byte = bit >> 3;
      const region =
        byte < headerEnd ? 'header' : byte < nonceEnd ? 'nonce' : byte < signatureStart ? 'ciphertext' : 'signature';
      const before = reader.rejections.length;
      deliver(reader, flipBit(frame, bit));
      expect(reader.rejections.length, `bit ${bit} (${region}) was not reported`).toBe(before + 1);
      const event = reader.rejections.at(-1) as EntryRejectedEvent;
      if (region === 'header') {
        headerReasons.add(event.reason);
        // A flip in the header may make the frame unparsable, move it to another address, epoch or
        // author, or leave it parsable with a signature that no longer verifies.
        expect(
          [
            EntryRejection.Malformed,
            EntryRejection.WrongDocument,
            EntryRejection.UnknownEpoch,
            EntryRejection.UnknownDevice,
            EntryRejection.BadSignature,
          ],
          `bit ${bit} (header)`,
        ).toContain(event.reason);
      } else {
        expect(event.reason, `bit ${bit} (${region})`).toBe(EntryRejection.BadSignature);
      }
      expect(bodyOf(reader), `bit ${bit} (${region}) changed the content`).toBe('');
    }
    expect(reader.rejections.length).toBe(frame.length * 8);
    // The version byte, the header fields and the signature each fail in their own way.
    expect([...headerReasons].sort()).toEqual(
      expect.arrayContaining([
        EntryRejection.Malformed,
        EntryRejection.WrongDocument,
        EntryRejection.UnknownEpoch,
        EntryRejection.UnknownDevice,
        EntryRejection.BadSignature,
      ]),
    );
    expect(reader.envelope.log.length).toBe(frame.length * 8);
    expect(reader.remoteChanges).toBe(0);

    // Entries that waited for an epoch or device still do not apply when re-read.
    reader.envelope.retryPending();
    expect(bodyOf(reader)).toBe('');

    // The replica keeps working: the untouched entry applies.
    deliver(reader, frame);
    expect(bodyOf(reader)).toBe('hello');
    expect(reader.remoteChanges).toBe(1);
  });

  it('rejects an entry moved from another document', () => {
    const { writer, reader, keyring, devices } = writerAndReader();
    const elsewhere = textReplica({ name: 'writer', device: writer.device, keyring, devices, address: OTHER_ADDRESS });
    const moved = write(elsewhere, 'from document B');

    deliver(reader, moved);

    expect(reader.rejections).toEqual([
      expect.objectContaining({ reason: EntryRejection.WrongDocument, author: writer.device.id, counter: 1 }),
    ]);
    expect(bodyOf(reader)).toBe('');
    deliver(reader, write(writer, 'hello'));
    expect(bodyOf(reader)).toBe('hello');
    expect(reader.rejections).toHaveLength(1);
  });

  it('rejects an entry from another key epoch it has no key for, and applies it once the key is added', () => {
    const firstKey = generateSymmetricKey();
    const rotatedKey = generateSymmetricKey();
    const writerDevice = createDevice('writer');
    const devices = new DeviceDirectory([[writerDevice.id, writerDevice.signingKeyPair.publicKey]]);
    const writer = textReplica({
      name: 'writer',
      device: writerDevice,
      keyring: new DocumentKeyring([
        [0, firstKey],
        [1, rotatedKey],
      ]),
      devices,
    });
    const readerKeyring = new DocumentKeyring([[0, firstKey]]);
    const reader = textReplica({ name: 'reader', keyring: readerKeyring, devices });

    const frame = write(writer, 'after rotation');
    expect(parseEntry(frame).header.keyEpoch).toBe(1);
    deliver(reader, frame);

    expect(reader.rejections).toEqual([
      expect.objectContaining({ reason: EntryRejection.UnknownEpoch, author: writerDevice.id, counter: 1 }),
    ]);
    expect(bodyOf(reader)).toBe('');

    readerKeyring.add(1, rotatedKey);
    reader.envelope.retryPending();
    expect(bodyOf(reader)).toBe('after rotation');
    expect(reader.rejections).toHaveLength(1);

    deliver(reader, write(writer, ', and more'));
    expect(bodyOf(reader)).toBe('after rotation, and more');
    expect(reader.rejections).toHaveLength(1);
  });

  it('rejects an entry signed by an unknown device, and applies it after trustDevice()', () => {
    const keyring = new DocumentKeyring([[0, generateSymmetricKey()]]);
    const writer = textReplica({ name: 'writer', keyring, devices: new DeviceDirectory() });
    const reader = textReplica({ name: 'reader', keyring, devices: new DeviceDirectory() });

    deliver(reader, write(writer, 'new member'));

    expect(reader.rejections).toEqual([
      expect.objectContaining({ reason: EntryRejection.UnknownDevice, author: writer.device.id, counter: 1 }),
    ]);
    expect(bodyOf(reader)).toBe('');

    reader.envelope.trustDevice(writer.device.id, writer.device.signingKeyPair.publicKey);
    expect(bodyOf(reader)).toBe('new member');
    expect(reader.rejections).toHaveLength(1);

    deliver(reader, write(writer, ' writes'));
    expect(bodyOf(reader)).toBe('new member writes');
    expect(reader.rejections).toHaveLength(1);
  });

  it('rejects an entry whose signature is by another device than its header claims', () => {
    const { writer, reader, documentKey, devices } = writerAndReader();
    const impostor = createDevice('impostor');
    devices.set(impostor.id, impostor.signingKeyPair.publicKey);
    const forged = sealFrame({
      signer: impostor,
      author: writer.device.id,
      counter: 1,
      documentKey,
      plaintext: textUpdate('forged'),
    });

    deliver(reader, forged);

    expect(reader.rejections).toEqual([
      expect.objectContaining({ reason: EntryRejection.BadSignature, author: writer.device.id, counter: 1 }),
    ]);
    expect(bodyOf(reader)).toBe('');
    // The forgery did not use up the writer's counter: its real first entry still applies.
    deliver(reader, write(writer, 'genuine'));
    expect(bodyOf(reader)).toBe('genuine');
    expect(reader.rejections).toHaveLength(1);
  });

  it('ignores a replayed entry', () => {
    const { writer, keyring, devices } = writerAndReader();
    const engine = new CountingYjsEngine(new Y.Doc());
    const reader = textReplica({ name: 'reader', keyring, devices, engine });
    const frame = write(writer, 'once');

    deliver(reader, frame);
    deliver(reader, frame);
    deliver(reader, frame, frame);

    expect(engine.applied).toBe(1);
    expect(reader.remoteChanges).toBe(1);
    expect(reader.rejections).toEqual([]);
    expect(bodyOf(reader)).toBe('once');
    expect(reader.envelope.log.length).toBe(4);

    deliver(reader, write(writer, ' more'));
    expect(engine.applied).toBe(2);
    expect(bodyOf(reader)).toBe('once more');
  });

  it("reports a gap in an author's counters as incomplete, and an empty map once it is filled", () => {
    const { writer, reader } = writerAndReader();
    const first = write(writer, 'a');
    const second = write(writer, 'b');
    const third = write(writer, 'c');

    deliver(reader, first);
    expect(reader.incomplete).toEqual([]);
    deliver(reader, third);
    expect(reader.incomplete).toEqual([new Map([[writer.device.id, [2]]])]);

    deliver(reader, second);
    expect(reader.incomplete).toEqual([new Map([[writer.device.id, [2]]]), new Map()]);
    expect(bodyOf(reader)).toBe('abc');
    expect(reader.rejections).toEqual([]);
  });

  it('keeps what it refused and what is missing in integrity, for a person to see, and not what only waits', () => {
    const { writer, reader, keyring, devices } = writerAndReader();
    const elsewhere = textReplica({ name: 'writer', device: writer.device, keyring, devices, address: OTHER_ADDRESS });
    const stranger = textReplica({ name: 'stranger', keyring, devices: new DeviceDirectory() });
    deliver(reader, write(elsewhere, 'from document B'));
    deliver(reader, write(stranger, 'unknown device: waits for a refresh'));
    write(writer, 'a');
    deliver(reader, write(writer, 'c'));

    const { refused, missing } = reader.envelope.integrity;
    expect(refused.map((event) => event.reason)).toEqual([EntryRejection.WrongDocument]);
    expect(missing).toEqual(new Map([[writer.device.id, [1]]]));
  });

  it('a garbage value in the log is reported and ignored', () => {
    const { writer, reader } = writerAndReader();
    const random = new SeededRandom(7);
    const garbage = [
      new Uint8Array(0),
      random.bytes(1),
      random.bytes(40),
      random.bytes(300),
      // Starts like a real frame: version 1 and a plausible header length.
      Uint8Array.from([1, 0, 20, ...random.bytes(200)]),
    ];

    for (const value of garbage) {
      expect(() => deliver(reader, value)).not.toThrow();
    }

    expect(reader.rejections.map((event) => event.reason)).toEqual(garbage.map(() => EntryRejection.Malformed));
    expect(bodyOf(reader)).toBe('');
    deliver(reader, write(writer, 'still works'));
    expect(bodyOf(reader)).toBe('still works');
    expect(reader.rejections).toHaveLength(garbage.length);
  });

  it('a value that is not binary in the log is ignored', () => {
    const { writer, reader } = writerAndReader();
    const log = reader.envelope.log as unknown as Y.Array<unknown>;

    expect(() => log.push(['text', 42, { entry: true }, null])).not.toThrow();

    expect(bodyOf(reader)).toBe('');
    deliver(reader, write(writer, 'still works'));
    expect(bodyOf(reader)).toBe('still works');
    expect(reader.rejections).toEqual([]);
  });

  it('rejects a presence state pushed into the log', () => {
    const { writer, reader } = writerAndReader();

    deliver(reader, writer.envelope.sealPresence({ name: 'Ada' }));

    expect(reader.rejections).toEqual([
      expect.objectContaining({ reason: EntryRejection.Malformed, author: writer.device.id }),
    ]);
    deliver(reader, write(writer, 'still works'));
    expect(bodyOf(reader)).toBe('still works');
  });

  const engines: { name: string; make: () => ContentEngine; read: (engine: ContentEngine) => unknown }[] = [
    {
      name: 'YjsEngine',
      make: () => new YjsEngine(new Y.Doc()),
      read: (engine) => (engine as YjsEngine).doc.getText('body').toJSON(),
    },
    {
      name: 'AutomergeEngine',
      make: () => new AutomergeEngine(),
      read: (engine) => Automerge.toJS((engine as AutomergeEngine).doc),
    },
  ];

  for (const { name, make, read } of engines) {
    it(`a verified entry with garbage content is reported, not thrown into the editor (${name})`, () => {
      const keyring = new DocumentKeyring([[0, generateSymmetricKey()]]);
      const writerDevice = createDevice('writer');
      const devices = new DeviceDirectory([[writerDevice.id, writerDevice.signingKeyPair.publicKey]]);
      const writer = createReplica({ engine: make(), device: writerDevice, keyring, devices });
      const reader = createReplica({ engine: make(), device: createDevice('reader'), keyring, devices });
      const empty = read(reader.engine);
      const garbage = sealFrame({
        signer: writerDevice,
        counter: 1,
        documentKey: keyring.current.key,
        plaintext: new SeededRandom(11).bytes(64),
      });

      expect(() => deliver(reader, garbage)).not.toThrow();

      expect(reader.rejections).toEqual([
        expect.objectContaining({ reason: 'content-invalid', author: writerDevice.id, counter: 1 }),
      ]);
      expect(read(reader.engine)).toEqual(empty);
      expect(reader.remoteChanges).toBe(0);

      // The writer's real first entry (same counter) still applies.
      if (writer.engine instanceof YjsEngine) writer.engine.doc.getText('body').insert(0, 'real');
      else (writer.engine as AutomergeEngine).change((doc) => (doc.title = 'real'));
      writer.envelope.flush();
      deliver(reader, ...writer.envelope.log.toArray());
      expect(read(reader.engine)).toEqual(read(writer.engine));
      expect(reader.rejections).toHaveLength(1);
    });
  }

  it('rejects a snapshot entry that claims another document even with a valid signature', () => {
    const { writer, reader, documentKey } = writerAndReader();
    const snapshot = sealFrame({
      signer: writer.device,
      counter: 1,
      documentKey,
      address: OTHER_ADDRESS,
      kind: EntryKind.Snapshot,
      coverage: new Map([[writer.device.id, 1]]),
      plaintext: textUpdate('elsewhere'),
    });

    deliver(reader, snapshot);

    expect(reader.rejections.map((event) => event.reason)).toEqual([EntryRejection.WrongDocument]);
    expect(bodyOf(reader)).toBe('');
    // Its coverage was not believed: the writer's entry 1 still applies.
    deliver(reader, write(writer, 'here'));
    expect(bodyOf(reader)).toBe('here');
  });
});
