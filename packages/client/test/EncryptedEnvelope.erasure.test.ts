import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ready } from '@coffre/crypto';
import { EntryKind, parseEntry } from '@coffre/protocol';
import { bodyOf, write, writerAndReader } from './harness/textReplicas.ts';

beforeAll(async () => {
  await ready();
});

/** Syncs one envelope Y.Doc into another, as the relay would. */
function sync(from: Y.Doc, to: Y.Doc): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), 'relay');
}

describe('EncryptedEnvelope against erased work', () => {
  it('reports entries someone deleted with no snapshot keeping them as missing', () => {
    const { writer, reader } = writerAndReader();
    write(writer, 'one ');
    write(writer, 'two');
    sync(writer.doc, reader.doc);
    expect(bodyOf(reader)).toBe('one two');
    const reports: Map<string, number[]>[] = [];
    reader.envelope.on('incomplete', (gaps) => reports.push(gaps));
    // A hostile member (or relay) deletes the log without a snapshot.
    writer.doc.transact(() => writer.envelope.log.delete(0, writer.envelope.log.length), 'attacker');
    sync(writer.doc, reader.doc);
    expect(reports.at(-1)?.get(writer.device.id)).toEqual([1, 2]);
  });

  it('accepts a compaction whose snapshot keeps what it deletes', () => {
    const { writer, reader } = writerAndReader();
    write(writer, 'one ');
    write(writer, 'two');
    sync(writer.doc, reader.doc);
    const reports: Map<string, number[]>[] = [];
    reader.envelope.on('incomplete', (gaps) => reports.push(gaps));
    writer.envelope.compact();
    sync(writer.doc, reader.doc);
    expect(reader.envelope.log.length).toBe(1);
    expect(reports.filter((gaps) => gaps.size > 0)).toEqual([]);
    expect(bodyOf(reader)).toBe('one two');
  });

  it('leaves entries it could not verify in the log when compacting (the relay refuses deleting them)', () => {
    const { writer, reader } = writerAndReader();
    write(writer, 'kept');
    const garbage = Uint8Array.from(writer.envelope.log.get(0));
    garbage.set([(garbage.at(-1) ?? 0) ^ 1], garbage.length - 1); // bad signature
    reader.doc.transact(() => reader.envelope.log.push([garbage]), 'relay');
    write(reader, ' more');
    reader.envelope.compact();
    const kinds = reader.envelope.log.toArray().map((frame) => parseEntry(frame).header.kind);
    expect(kinds).toEqual([EntryKind.Update, EntryKind.Snapshot]);
  });

  it('counts as confirmed only its entries present in a given state vector', () => {
    const { writer } = writerAndReader();
    const before = Y.encodeStateVector(writer.doc);
    write(writer, 'a');
    const afterOne = Y.encodeStateVector(writer.doc);
    write(writer, 'b');
    write(writer, 'c');
    expect(writer.envelope.confirmedCounter(Y.decodeStateVector(before))).toBe(0);
    expect(writer.envelope.confirmedCounter(Y.decodeStateVector(afterOne))).toBe(1);
    expect(writer.envelope.confirmedCounter(Y.decodeStateVector(Y.encodeStateVector(writer.doc)))).toBe(3);
    // After compaction, the snapshot's coverage confirms what it replaced.
    writer.envelope.compact();
    expect(writer.envelope.confirmedCounter(Y.decodeStateVector(Y.encodeStateVector(writer.doc)))).toBe(4);
  });
});
