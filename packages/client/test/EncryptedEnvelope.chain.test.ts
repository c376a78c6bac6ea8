import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSymmetricKey, ready } from '@coffre/crypto';
import { EntryRejection, parseEntry } from '@coffre/protocol';
import { EntrySealer } from '../src/EntrySealer.ts';
import { DeviceDirectory, DocumentKeyring, YjsEngine } from '../src/index.ts';
import { type Replica, createDevice, createReplica } from './harness/createReplicas.ts';
import { flipBit } from './harness/flipBit.ts';

beforeAll(async () => {
  await ready();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A writer whose every entry sets its own key of the map `m`: entries do not depend on each other. */
function setup() {
  const keyring = new DocumentKeyring([[0, generateSymmetricKey()]]);
  const writerDevice = createDevice('writer');
  const devices = new DeviceDirectory([[writerDevice.id, writerDevice.signingKeyPair.publicKey]]);
  const writer = createReplica({ engine: new YjsEngine(), device: writerDevice, keyring, devices });
  const write = (key: string) => {
    writer.engine.doc.getMap<number>('m').set(key, writer.envelope.ownCounter + 1);
    writer.envelope.flush();
  };
  /** A fresh reader of `frames` (the writer's log unless given), counting signature checks. */
  const freshReader = (frames: Uint8Array[] = writer.envelope.log.toArray()) => {
    const checks = vi.spyOn(EntrySealer.prototype, 'verifySignature');
    const opens = vi.spyOn(EntrySealer.prototype, 'open');
    const reader = createReplica({ engine: new YjsEngine(), device: createDevice('reader'), keyring, devices });
    // As a sync brings them: one remote transaction with every entry.
    reader.doc.transact(() => reader.envelope.log.push(frames.map((frame) => Uint8Array.from(frame))), 'relay');
    const signatureChecks =
      checks.mock.calls.length + opens.mock.calls.filter(([, options]) => !options.signatureVerified).length;
    checks.mockRestore();
    opens.mockRestore();
    return { reader, signatureChecks };
  };
  return { writer, write, freshReader, keyring, devices, writerDevice };
}

const keysOf = (replica: Replica<YjsEngine>) => [...replica.engine.doc.getMap('m').keys()].sort();

describe('a fresh reader checks one signature per unbroken run of an author’s entries', () => {
  it('reads 40 entries with a single Ed25519 check', () => {
    const { writer, write, freshReader } = setup();
    for (let index = 0; index < 40; index += 1) write(`k${index}`);
    const { reader, signatureChecks } = freshReader();
    expect(keysOf(reader)).toEqual(keysOf(writer));
    expect(reader.rejections).toEqual([]);
    expect(signatureChecks).toBe(1);
  });

  it('refuses a tampered entry in the middle and still verifies those around it, one check more per break', () => {
    const { write, freshReader, writer } = setup();
    for (let index = 0; index < 10; index += 1) write(`k${index}`);
    const frames = writer.envelope.log.toArray();
    // The last bit of the signature: the frame still parses, its signature no longer holds.
    const target = frames[4] as Uint8Array;
    frames[4] = flipBit(target, target.length * 8 - 1);
    const { reader, signatureChecks } = freshReader(frames);
    expect(reader.rejections.map((event) => [event.reason, event.counter])).toEqual([[EntryRejection.BadSignature, 5]]);
    // Yjs holds the writer's later changes until the refused one's clocks arrive; the earlier ones are in.
    expect(keysOf(reader)).toEqual(['k0', 'k1', 'k2', 'k3']);
    // Entry 10 (an anchor), the tampered 5 itself, then 4 anchoring 1-3; the tampered one again when opened.
    expect(signatureChecks).toBe(4);
  });

  it('refuses a forged last entry, which vouches for nothing before it', () => {
    const { write, freshReader, writer } = setup();
    for (let index = 0; index < 8; index += 1) write(`k${index}`);
    const frames = writer.envelope.log.toArray();
    const last = frames.at(-1) as Uint8Array;
    frames[frames.length - 1] = flipBit(last, last.length * 8 - 9);
    const { reader } = freshReader(frames);
    expect(reader.rejections.map((event) => [event.reason, event.counter])).toEqual([[EntryRejection.BadSignature, 8]]);
    expect(keysOf(reader)).toEqual(keysOf(writer).filter((key) => key !== 'k7'));
    expect(keysOf(reader)).toHaveLength(7);
  });

  it('keeps the run going across a reload and after a compaction', () => {
    const { write, freshReader, writer, keyring, devices, writerDevice } = setup();
    for (let index = 0; index < 5; index += 1) write(`k${index}`);
    // The same device opens its copy again (a reload) and goes on writing.
    const reloaded = createReplica({
      engine: new YjsEngine(),
      device: writerDevice,
      keyring,
      devices,
      doc: writer.doc,
    });
    writer.envelope.destroy();
    reloaded.engine.doc.getMap<number>('m').set('after-reload', 1);
    reloaded.envelope.flush();
    const afterReload = parseEntry(reloaded.envelope.log.get(reloaded.envelope.log.length - 1));
    expect(afterReload.header.counter).toBe(6);
    expect(afterReload.header.previous).toBeDefined();
    expect(freshReader(reloaded.envelope.log.toArray()).signatureChecks).toBe(1);

    reloaded.envelope.compact();
    for (let index = 0; index < 4; index += 1) {
      reloaded.engine.doc.getMap<number>('m').set(`late${index}`, index);
      reloaded.envelope.flush();
    }
    const { reader, signatureChecks } = freshReader(reloaded.envelope.log.toArray());
    expect(keysOf(reader)).toEqual(keysOf(reloaded));
    // The snapshot and the four entries after it: one run.
    expect(reloaded.envelope.log.length).toBe(5);
    expect(signatureChecks).toBe(1);
    void write;
  });
});
