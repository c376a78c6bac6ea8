import * as Automerge from '@automerge/automerge';
import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '@coffre/crypto';
import { EntryKind, parseEntry } from '@coffre/protocol';
import { AutomergeEngine, DeviceDirectory, DocumentKeyring } from '../src/index.ts';
import { type Replica, createDevice, createReplica } from './harness/createReplicas.ts';
import { bodyOf, deliver, textReplica, write, writerAndReader } from './harness/textReplicas.ts';

beforeAll(async () => {
  await ready();
});

/** Sends `to` everything `from`'s envelope holds that `to` lacks, as the relay would. */
function sync(from: Replica, to: Replica): void {
  Y.applyUpdate(to.doc, Y.encodeStateAsUpdate(from.doc, Y.encodeStateVector(to.doc)), 'relay');
}

describe('VersionHistory', () => {
  it('lists a saved version at another member with its author, time and label, newest first', () => {
    const { writer, reader } = writerAndReader();
    write(writer, 'First draft.');
    writer.envelope.history.save('Draft', 1_000);
    write(writer, ' Second pass.');
    writer.envelope.history.save('', 2_000);
    sync(writer, reader);

    const versions = reader.envelope.history.list();
    expect(versions.map((version) => [version.label, version.savedAt, version.author])).toEqual([
      ['', 2_000, writer.device.id],
      ['Draft', 1_000, writer.device.id],
    ]);
    const draft = reader.envelope.history.state(versions[1]?.id ?? '');
    const view = new Y.Doc();
    Y.applyUpdate(view, draft as Uint8Array);
    expect(view.getText('body').toString()).toBe('First draft.');
  });

  it('restores an earlier version as a new change that reaches the others, after keeping the current content', () => {
    const { writer, reader } = writerAndReader();
    write(writer, 'Keep this.');
    const kept = writer.envelope.history.save('Good', 1_000);
    write(writer, ' Then a mistake.');
    sync(writer, reader);
    expect(bodyOf(reader)).toBe('Keep this. Then a mistake.');

    expect(reader.envelope.history.restore(kept?.id ?? '')).toBe(true);
    reader.envelope.flush();
    expect(bodyOf(reader)).toBe('Keep this.');
    sync(reader, writer);
    expect(bodyOf(writer)).toBe('Keep this.');
    // The content from before the restore was saved, so it can be restored in turn.
    const before = writer.envelope.history.list().find((version) => version.label.startsWith('Before restoring'));
    expect(before?.author).toBe(reader.device.id);
    expect(writer.envelope.history.restore(before?.id ?? '')).toBe(true);
    writer.envelope.flush();
    expect(bodyOf(writer)).toBe('Keep this. Then a mistake.');
  });

  it('does not list a version from an unknown device, a tampered one, or one moved from another document', () => {
    const { writer, reader, keyring, devices } = writerAndReader();
    const stranger = textReplica({ name: 'stranger', keyring, devices: new DeviceDirectory() });
    write(stranger, 'not trusted');
    stranger.envelope.history.save('stranger', 5);
    write(writer, 'Hello');
    writer.envelope.history.save('real', 10);
    const frame = writer.envelope.history.versions.get(0);
    const tampered = frame.slice();
    tampered[tampered.length - 70] = (tampered[tampered.length - 70] ?? 0) ^ 1;
    const other = textReplica({
      name: 'other',
      keyring,
      devices,
      device: writer.device,
      address: { tenantId: writer.envelope.address.tenantId, documentId: 'doc-b' as never },
    });
    write(other, 'elsewhere');
    other.envelope.history.save('elsewhere', 20);

    reader.doc.transact(() => {
      reader.envelope.history.versions.push([
        Uint8Array.from(stranger.envelope.history.versions.get(0)),
        tampered,
        Uint8Array.from(other.envelope.history.versions.get(0)),
        Uint8Array.from(frame),
      ]);
    }, 'relay');
    expect(reader.envelope.history.list().map((version) => version.label)).toEqual(['real']);
  });

  it("does not list a version saved by someone who could not write in its key epoch (a viewer's, slipped in)", () => {
    const { writer, reader, devices } = writerAndReader();
    write(writer, 'Saved by a viewer.');
    writer.envelope.history.save('viewer', 10);
    sync(writer, reader);
    const [version] = reader.envelope.history.list();
    expect(version?.label).toBe('viewer');
    // The membership says only the reader could write in epoch 0.
    devices.restrictWriters([[reader.device.id, [0]]]);
    expect(reader.envelope.history.list()).toEqual([]);
    expect(reader.envelope.history.state(version?.id ?? '')).toBeNull();
  });

  it('keeps versions out of the log and never compacts them away', () => {
    const { writer, reader } = writerAndReader();
    write(writer, 'content');
    writer.envelope.history.save('kept', 1);
    writer.envelope.compact();
    expect(writer.envelope.history.list()).toHaveLength(1);
    expect(writer.envelope.log.toArray().map((frame) => parseEntry(frame).header.kind)).toEqual([EntryKind.Snapshot]);

    // A version slipped into the log is refused there.
    const rejected: string[] = [];
    reader.envelope.on('entry-rejected', (event) => rejected.push(event.reason));
    deliver(reader, writer.envelope.history.versions.get(0));
    expect(rejected).toEqual(['malformed']);
  });

  it('removes the oldest versions past the limit', () => {
    const { writer } = writerAndReader();
    for (let index = 0; index < 105; index += 1) {
      write(writer, `${index} `);
      writer.envelope.history.save(`v${index}`, index);
    }
    const versions = writer.envelope.history.list();
    expect(versions).toHaveLength(100);
    expect(versions.at(-1)?.label).toBe('v5');
  });

  it('restores structured records held by Automerge', () => {
    type Records = { items: string[]; note?: string };
    const keyring = new DocumentKeyring([[0, new Uint8Array(32).fill(7)]]);
    const device = createDevice('records');
    const engine = new AutomergeEngine<Records>(Automerge.from<Records>({ items: ['a'] }));
    const replica = createReplica({
      engine,
      device,
      keyring,
      devices: new DeviceDirectory([[device.id, device.signingKeyPair.publicKey]]),
    });
    const saved = replica.envelope.history.save('one item', 1);
    engine.change((doc) => {
      doc.items.push('b');
      doc.note = 'added later';
    });
    expect(replica.envelope.history.restore(saved?.id ?? '')).toBe(true);
    expect(engine.doc.items).toEqual(['a']);
    expect(engine.doc.note).toBeUndefined();
  });
});
