import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { randomBytes, ready } from '@coffre/crypto';
import {
  AccountError,
  AttachmentError,
  DocumentAttachments,
  type DocumentAttachmentsOptions,
  MAX_ATTACHMENT_BYTES,
  forgetPendingAttachments,
  parseAttachmentReference,
} from '../../src/index.ts';

/** The relay's chunks of one space, in memory; `online` false makes every request fail as unreachable. */
function fakeRelay() {
  const chunks = new Map<string, Uint8Array>();
  const relay = {
    chunks,
    online: true,
    fetches: 0,
    client: {
      fetchChunk: (id: string): Promise<Uint8Array> => {
        relay.fetches += 1;
        if (!relay.online) return Promise.reject(new AccountError('RELAY_UNREACHABLE'));
        const found = chunks.get(id);
        return found ? Promise.resolve(found) : Promise.reject(new AccountError('NOT_FOUND'));
      },
      upload: (sent: readonly { id: string; ciphertext: Uint8Array }[]) => {
        if (!relay.online) return Promise.reject(new AccountError('RELAY_UNREACHABLE'));
        for (const chunk of sent) chunks.set(chunk.id, chunk.ciphertext);
        return Promise.resolve({ sent: new Set(sent.map((chunk) => chunk.id)), held: new Set<string>() });
      },
    },
  };
  return relay;
}

/** Sealed chunks waiting on a device, in memory (IndexedDB's `UploadChunks` in the app). */
function fakePending(): NonNullable<DocumentAttachmentsOptions['pending']> & { size: () => number } {
  const rows = new Map<string, Map<string, Uint8Array>>();
  return {
    put: (upload, address, ciphertext) => {
      rows.set(upload, (rows.get(upload) ?? new Map<string, Uint8Array>()).set(address, ciphertext));
      return Promise.resolve();
    },
    list: (upload) =>
      Promise.resolve([...(rows.get(upload) ?? [])].map(([address, ciphertext]) => ({ address, ciphertext }))),
    uploads: () => Promise.resolve(new Set(rows.keys())),
    deleteUpload: (upload) => {
      rows.delete(upload);
      return Promise.resolve();
    },
    size: () => rows.size,
  };
}

const png = (marker: string) => {
  const bytes = randomBytes(300_000);
  bytes.set(new TextEncoder().encode(marker), 1000);
  return bytes;
};

function sync(from: Y.Doc, to: Y.Doc): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
}

describe('DocumentAttachments', () => {
  beforeAll(async () => {
    await ready();
  });

  it('an image added on one device opens on another member’s, through the relay, as the same bytes', async () => {
    const relay = fakeRelay();
    const docA = new Y.Doc();
    const docB = new Y.Doc();
    const author = new DocumentAttachments({ doc: docA, documentId: 'doc-a', client: relay.client });
    const bytes = png('MARKER-ONE');
    const reference = await author.add({ bytes, name: 'plan.png', mediaType: 'image/png' });
    await author.whenSent();
    expect(relay.chunks.size).toBeGreaterThan(0);
    for (const ciphertext of relay.chunks.values()) {
      expect(Buffer.from(ciphertext).includes('MARKER-ONE')).toBe(false);
    }
    sync(docA, docB);
    const reader = new DocumentAttachments({ doc: docB, documentId: 'doc-a', client: relay.client });
    const blob = await reader.open(reference);
    expect(blob.type).toBe('image/png');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
    expect(parseAttachmentReference(reference).manifest.name).toBe('plan.png');
  });

  it('opens an image once per document: showing it again fetches nothing', async () => {
    const relay = fakeRelay();
    const docA = new Y.Doc();
    const author = new DocumentAttachments({ doc: docA, documentId: 'doc-a', client: relay.client });
    const reference = await author.add({ bytes: png('M'), name: 'a.png', mediaType: 'image/png' });
    await author.whenSent();
    const docB = new Y.Doc();
    sync(docA, docB);
    const reader = new DocumentAttachments({ doc: docB, documentId: 'doc-a', client: relay.client });
    await reader.open(reference);
    const fetched = relay.fetches;
    await reader.open(reference);
    expect(relay.fetches).toBe(fetched);
  });

  it('refuses a tampered manifest: a size that does not add up, a changed key, another chunk’s address', async () => {
    const relay = fakeRelay();
    const doc = new Y.Doc();
    const author = new DocumentAttachments({ doc, documentId: 'doc-a', client: relay.client });
    const reference = await author.add({ bytes: png('M'), name: 'a.png', mediaType: 'image/png' });
    await author.whenSent();
    const wire = JSON.parse(reference) as {
      secret: string;
      manifest: { size: number; mediaType: string; chunks: { id: string; key: string; size: number }[] };
    };
    const reader = new DocumentAttachments({ doc, documentId: 'doc-a', client: relay.client });

    const resized = structuredClone(wire);
    resized.manifest.size += 1;
    expect(() => parseAttachmentReference(JSON.stringify(resized))).toThrow(/damaged \(its chunks hold/);

    const rekeyed = structuredClone(wire);
    const first = rekeyed.manifest.chunks[0] as { key: string };
    first.key = `${first.key[0] === 'A' ? 'B' : 'A'}${first.key.slice(1)}`;
    await expect(reader.open(JSON.stringify(rekeyed))).rejects.toThrow(/not this image/);

    const moved = structuredClone(wire);
    (moved.manifest.chunks[0] as { id: string }).id = 'ab'.repeat(32);
    relay.chunks.set('ab'.repeat(32), randomBytes(100));
    await expect(reader.open(JSON.stringify(moved))).rejects.toThrow(/not this image/);

    for (const bad of ['', '{', 'null', '{"secret":"x","manifest":{}}', JSON.stringify({ ...wire, secret: 1 })]) {
      expect(() => parseAttachmentReference(bad)).toThrow(AttachmentError);
    }
    const svg = structuredClone(wire);
    svg.manifest.mediaType = 'image/svg+xml';
    expect(() => parseAttachmentReference(JSON.stringify(svg))).toThrow(/not an image type/);
  });

  it('refuses an image over 20 MB, an empty one, and files that are not raster images, storing nothing', async () => {
    const relay = fakeRelay();
    const doc = new Y.Doc();
    const attachments = new DocumentAttachments({ doc, documentId: 'doc-a', client: relay.client });
    const big = new Uint8Array(MAX_ATTACHMENT_BYTES + 1);
    await expect(attachments.add({ bytes: big, name: 'big.png', mediaType: 'image/png' })).rejects.toThrow(/20 MB/);
    await expect(attachments.add({ bytes: new Uint8Array(0), name: 'e.png', mediaType: 'image/png' })).rejects.toThrow(
      /empty/,
    );
    await expect(attachments.add({ bytes: png('x'), name: 'x.svg', mediaType: 'image/svg+xml' })).rejects.toMatchObject(
      { code: 'unsupported-type' },
    );
    expect(relay.chunks.size).toBe(0);
  });

  it('an image added offline waits sealed on the device, shows there, and is sent after a reload when the relay is back', async () => {
    const relay = fakeRelay();
    relay.online = false;
    const pending = fakePending();
    const doc = new Y.Doc();
    const offline = new DocumentAttachments({
      doc,
      documentId: 'doc-a',
      client: relay.client,
      pending,
      retryDelayMs: 60_000,
    });
    const bytes = png('OFFLINE');
    const reference = await offline.add({ bytes, name: 'o.png', mediaType: 'image/png' });
    await offline.whenSent();
    expect(new Uint8Array(await (await offline.open(reference)).arrayBuffer())).toEqual(bytes);
    expect(pending.size()).toBe(1);
    expect(relay.chunks.size).toBe(0);
    offline.stop();
    // Another document's forgetting leaves this one's waiting images alone.
    await forgetPendingAttachments(pending, 'doc-b');
    expect(pending.size()).toBe(1);

    // The page reloads with the network back: what waits on the device goes.
    relay.online = true;
    const reloaded = new DocumentAttachments({ doc, documentId: 'doc-a', client: relay.client, pending });
    reloaded.sendPending();
    await reloaded.whenSent();
    expect(pending.size()).toBe(0);
    const other = new Y.Doc();
    sync(doc, other);
    const reader = new DocumentAttachments({ doc: other, documentId: 'doc-a', client: relay.client });
    expect(new Uint8Array(await (await reader.open(reference)).arrayBuffer())).toEqual(bytes);
  });

  it('says in words when the relay cannot be reached or does not hold the image yet', async () => {
    const relay = fakeRelay();
    relay.online = false;
    const doc = new Y.Doc();
    const author = new DocumentAttachments({ doc, documentId: 'doc-a', client: relay.client, retryDelayMs: 60_000 });
    const reference = await author.add({ bytes: png('x'), name: 'x.png', mediaType: 'image/png' });
    author.stop();
    const other = new Y.Doc();
    sync(doc, other);
    const reader = new DocumentAttachments({ doc: other, documentId: 'doc-a', client: relay.client });
    await expect(reader.open(reference)).rejects.toMatchObject({ code: 'unreachable', message: /cannot be reached/ });
    relay.online = true;
    await expect(reader.open(reference)).rejects.toMatchObject({
      code: 'unreachable',
      message: /not on the relay yet/,
    });
  });

  it('a device whose upload is refused for good is told once and keeps the image until the document is forgotten', async () => {
    const relay = fakeRelay();
    relay.client.upload = () => Promise.reject(new AccountError('READ_ONLY'));
    const told: string[] = [];
    const pending = fakePending();
    const attachments = new DocumentAttachments({
      doc: new Y.Doc(),
      documentId: 'doc-a',
      client: relay.client,
      pending,
      onUploadError: (name) => told.push(name),
    });
    await attachments.add({ bytes: png('x'), name: 'x.png', mediaType: 'image/png' });
    await attachments.whenSent();
    attachments.sendPending();
    await attachments.whenSent();
    expect(told).toEqual(['x.png']);
    expect(pending.size()).toBe(1);
  });
});
