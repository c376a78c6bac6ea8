import { IDBKeyRange as FakeIDBKeyRange, indexedDB as fakeIndexedDB } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { generateSymmetricKey, randomBytes } from '@coffre/crypto';
import {
  DriveClient,
  DriveSpace,
  type EncryptedDocument,
  type OutgoingState,
  RelayApi,
  UploadOutbox,
  type Workspace,
  YjsEngine,
} from '@coffre/client';
import { type DocumentId, StoredChunksResponseSchema, decodeChunkBatch } from '@coffre/protocol';
import { LocalDatabase, Vault, containsBytes, dumpIndexedDb } from '@coffre/storage';
import { randomDocumentId, randomId, storageEngine, waitFor } from './support/relayHarness.ts';
import { SUITE_TIMEOUT as TIMEOUT, type SuitePerson, workspaceSuite } from './support/workspaceSuite.ts';

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

/** Random bytes with `marker` every 64 KiB: found wherever the plaintext leaks. */
function markedBytes(marker: string, size: number): Uint8Array {
  const bytes = randomBytes(size);
  const text = new TextEncoder().encode(marker);
  for (let at = 0; at + text.length <= size; at += 65_536) bytes.set(text, at);
  return bytes;
}

function* pieces(bytes: Uint8Array, size = 256 * 1024): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/**
 * The network between one device and the relay, which the test cuts and
 * mends: while it is down every request fails as `fetch` does with no
 * network; `cutAfterUploads` lets that many chunk uploads (requests of a
 * few chunks each) through, then cuts.
 */
class Network {
  up = true;
  uploads = 0;
  /** Chunks carried by the uploads let through. */
  chunksSent = 0;
  /** Chunks the relay answered "stored". */
  stored = 0;
  inFlight = 0;
  cutAfterUploads = Number.POSITIVE_INFINITY;
  fetch = async (input: string, init: RequestInit): Promise<Response> => {
    const upload = init.method === 'POST' && input.endsWith('/chunks') && init.body instanceof Uint8Array;
    if (upload && this.up) {
      if (this.uploads >= this.cutAfterUploads) this.up = false;
      else {
        this.uploads += 1;
        this.chunksSent += decodeChunkBatch(init.body as Uint8Array).length;
      }
    }
    if (!this.up) throw new TypeError('fetch failed');
    this.inFlight += 1;
    try {
      const response = await fetch(input, init);
      if (upload && response.ok)
        this.stored += StoredChunksResponseSchema.parse(await response.clone().json()).stored.length;
      return response;
    } finally {
      this.inFlight -= 1;
    }
  };
}

/**
 * The Drive's outbox against a real relay: files added with no network
 * wait on the device (sealed) and go when it returns, uploads survive a
 * reload, and pause, resume and cancel do what they say; IndexedDB is
 * fake-indexeddb (the same code runs on Chromium's in the browser test).
 */
describe(`the Drive's outbox (${storageEngine})`, () => {
  const suite = workspaceSuite('Outbox test');

  interface Device {
    network: Network;
    database: LocalDatabase;
    vault: Vault;
    document: EncryptedDocument<YjsEngine>;
    space: DriveSpace;
    client: DriveClient;
    /** A fresh outbox over the device's database: what a page (re)load makes. */
    outbox: (options?: { whenSaved?: () => Promise<void>; now?: () => number }) => UploadOutbox;
  }

  const device = async (person: SuitePerson, spaceId: DocumentId): Promise<Device> => {
    const network = new Network();
    const database = new LocalDatabase(randomId('device'), { indexedDB: fakeIndexedDB, IDBKeyRange: FakeIDBKeyRange });
    const vault = new Vault(generateSymmetricKey());
    const document = suite.keep(
      await person.workspace.openDocument(spaceId, new YjsEngine(), { extra: { batchWindowMs: 5 } }),
    );
    const space = new DriveSpace(document.engine.doc);
    const client = new DriveClient({
      api: new RelayApi({ baseUrl: suite.harness.httpUrl, fetch: network.fetch }),
      token: () => person.account.getAccessToken(),
      tenant: person.account.session?.tenant ?? (suite.tenant as never),
      space: spaceId,
      retry: { attempts: 2, baseDelayMs: 10 },
    });
    const outbox = (options: { whenSaved?: () => Promise<void>; now?: () => number } = {}) =>
      new UploadOutbox({
        database,
        vault,
        spaceId,
        space,
        client,
        whenSaved: options.whenSaved ?? (() => document.whenSaved()),
        retryDelayMs: 20,
        maxRetryDelayMs: 200,
        ...(options.now ? { now: options.now } : {}),
      });
    return { network, database, vault, document, space, client, outbox };
  };

  const stateOf = (outbox: UploadOutbox, id: string): OutgoingState | undefined =>
    outbox.uploads.find((upload) => upload.id === id)?.state;
  /** Waiting because the relay could not be reached (not merely for its turn). */
  const stalled = (outbox: UploadOutbox, id: string): boolean =>
    outbox.uploads.some((upload) => upload.id === id && upload.state === 'waiting' && upload.error !== null);

  const ownSpace = async (name: string): Promise<{ person: SuitePerson; spaceId: DocumentId }> => {
    const person = await suite.person(name);
    const spaceId = randomDocumentId('drive');
    await person.workspace.createDocument(spaceId);
    return { person, spaceId };
  };

  /** Polls an asynchronous condition (IndexedDB counts). */
  const eventually = async (check: () => Promise<boolean>, what: string): Promise<void> => {
    const deadline = Date.now() + TIMEOUT;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const nothingLeft = (database: LocalDatabase) => async () =>
    (await database.uploads.count()) === 0 && (await database.uploadChunks.count()) === 0;

  const readBack = async (workspace: Workspace, spaceId: DocumentId, fileId: string): Promise<Uint8Array> => {
    const document = suite.keep(await workspace.openDocument(spaceId, new YjsEngine()));
    const space = new DriveSpace(document.engine.doc);
    await waitFor(() => space.get(fileId) !== null, TIMEOUT, 'the file reaching another member');
    return collect(space.read(workspace.driveClient(spaceId), fileId));
  };

  const source = (bytes: Uint8Array, name: string) => ({
    stream: () => pieces(bytes),
    name,
    mediaType: 'application/pdf',
    modifiedAt: 1_700_000_000_000,
    size: bytes.length,
  });

  it('keeps a file added offline sealed on the device, and sends it when the network returns', async () => {
    const { person, spaceId } = await ownSpace('olga');
    const reader = await suite.person('reader');
    await person.workspace.share(spaceId, reader.email, 'viewer');
    const laptop = await device(person, spaceId);
    const marker = `offline-report-${randomId('m')}`;
    const bytes = markedBytes(marker, 3 * 1024 * 1024 + 77);
    laptop.network.up = false;
    const outbox = laptop.outbox();
    await outbox.start();

    const id = await outbox.add(source(bytes, `${marker}.pdf`));
    await waitFor(() => stalled(outbox, id), TIMEOUT, 'the upload waiting for the network');
    expect(outbox.uploads[0]).toMatchObject({ sealed: bytes.length, saved: 0, error: { code: 'RELAY_UNREACHABLE' } });
    expect(laptop.space.list()).toEqual([]);
    // On the device: ciphertext and a sealed record only, never the name or the content.
    const dumps = await dumpIndexedDb(fakeIndexedDB);
    const mine = dumps.filter((dump) => dump.database === laptop.database.name);
    expect(mine.find((dump) => dump.store === 'uploadChunks')?.chunks.length).toBeGreaterThan(2);
    const leaks = mine.filter((dump) =>
      dump.chunks.some((chunk) => containsBytes(chunk, new TextEncoder().encode(marker))),
    );
    expect(leaks.map((dump) => dump.store)).toEqual([]);

    laptop.network.up = true;
    outbox.retryNow();
    await waitFor(() => stateOf(outbox, id) === 'done', TIMEOUT, 'the upload done');
    const fileId = outbox.uploads[0]?.fileId as string;
    expect(laptop.space.get(fileId)).toMatchObject({ name: `${marker}.pdf`, latest: { size: bytes.length } });
    // Another member reads the same bytes through the relay.
    expect(await readBack(reader.workspace, spaceId, fileId)).toEqual(bytes);
    // Once the version is committed, nothing of the upload stays on the device.
    await eventually(nothingLeft(laptop.database), 'the outbox emptied');
    outbox.close();
  });

  it('goes on after a reload in the middle of an upload, sending only what the relay lacks, and records the file once', async () => {
    const { person, spaceId } = await ownSpace('pia');
    const laptop = await device(person, spaceId);
    // Over one batch (8 MiB), so the file goes in at least two uploads.
    const bytes = randomBytes(12 * 1024 * 1024);
    // The network goes after one upload (a few chunks) reached the relay; then the page reloads.
    laptop.network.cutAfterUploads = 1;
    const first = laptop.outbox();
    await first.start();
    const id = await first.add(source(bytes, 'film.mp4'));
    await waitFor(() => stalled(first, id), TIMEOUT, 'the upload cut off');
    first.close();
    await first.idle();
    await waitFor(() => laptop.network.inFlight === 0, TIMEOUT, 'the requests under way answered');
    const storedFirst = laptop.network.stored;
    expect(storedFirst).toBeGreaterThan(0);
    expect(storedFirst).toBe(laptop.network.chunksSent);

    laptop.network.up = true;
    laptop.network.cutAfterUploads = Number.POSITIVE_INFINITY;
    laptop.network.chunksSent = 0;
    laptop.network.stored = 0;
    const second = laptop.outbox();
    await second.start();
    await waitFor(() => stateOf(second, id) === 'done', TIMEOUT, 'the upload done after the reload');
    const fileId = second.uploads[0]?.fileId as string;
    expect(await collect(laptop.space.read(laptop.client, fileId))).toEqual(bytes);
    const total =
      laptop.space.get(fileId)?.kind === 'file' ? laptop.space.versions(fileId)[0]?.manifest.chunks.length : 0;
    expect(laptop.network.chunksSent).toBe((total ?? 0) - storedFirst);
    expect(laptop.network.stored).toBe(laptop.network.chunksSent);
    await eventually(nothingLeft(laptop.database), 'the outbox emptied');
    second.close();

    // Recorded, but the page closed before the relay committed it: the next load records nothing twice.
    const hanging = laptop.outbox({ whenSaved: () => new Promise(() => undefined) });
    await hanging.start();
    const again = await hanging.add(source(randomBytes(300_000), 'notes.txt'));
    await waitFor(() => stateOf(hanging, again) === 'done', TIMEOUT, 'the second upload recorded');
    hanging.close();
    expect(await laptop.database.uploads.count()).toBe(1);
    const reloaded = laptop.outbox();
    await reloaded.start();
    await eventually(nothingLeft(laptop.database), 'the outbox emptied after the reload');
    const notes = laptop.space.list().filter((node) => node.name === 'notes.txt');
    expect(notes).toHaveLength(1);
    expect(laptop.space.versions(notes[0]?.id as string)).toHaveLength(1);
    reloaded.close();
  });

  it('pauses, resumes and cancels; an upload interrupted while it was read says so; a refusal is final', async () => {
    const { person, spaceId } = await ownSpace('quinn');
    const laptop = await device(person, spaceId);
    laptop.network.up = false;
    const outbox = laptop.outbox();
    await outbox.start();
    const kept = await outbox.add(source(randomBytes(1_500_000), 'kept.bin'));
    const dropped = await outbox.add(source(randomBytes(1_500_000), 'dropped.bin'));
    await outbox.pause(kept);
    expect(stateOf(outbox, kept)).toBe('paused');
    await outbox.cancel(dropped);
    expect(stateOf(outbox, dropped)).toBeUndefined();

    // Back online: the paused upload stays put until resumed, the cancelled one never goes.
    laptop.network.up = true;
    outbox.retryNow();
    await outbox.idle();
    expect(stateOf(outbox, kept)).toBe('paused');
    expect(laptop.space.list()).toEqual([]);
    await outbox.resume(kept);
    await waitFor(() => stateOf(outbox, kept) === 'done', TIMEOUT, 'the resumed upload done');
    expect(laptop.space.list().map((node) => node.name)).toEqual(['kept.bin']);
    await eventually(nothingLeft(laptop.database), 'the outbox emptied');
    outbox.close();

    // A file still being read when the page closed (its stream never ends here) cannot be finished.
    const longAgo = laptop.outbox({ now: () => Date.now() - 10 * 60_000 });
    let gave = 0;
    void longAgo
      .add({
        stream: async function* () {
          yield randomBytes(2_000_000);
          gave += 1;
          await new Promise(() => undefined);
        },
        name: 'half.bin',
        mediaType: 'application/octet-stream',
        modifiedAt: 0,
        size: 4_000_000,
      })
      .catch(() => undefined);
    await waitFor(() => gave === 1, TIMEOUT, 'the first piece read');
    longAgo.close();
    const next = laptop.outbox();
    await next.start();
    expect(next.uploads.map((upload) => [upload.name, upload.state])).toEqual([['half.bin', 'interrupted']]);
    await next.clearFinished();
    expect(next.uploads).toEqual([]);
    await eventually(nothingLeft(laptop.database), 'the interrupted upload dropped');
    next.close();

    // A viewer's upload is refused by the relay: failed, with the reason, not retried.
    const viewer = await suite.person('viewer');
    await person.workspace.share(spaceId, viewer.email, 'viewer');
    const viewerDevice = await device(viewer, spaceId);
    await waitFor(() => viewerDevice.space.list().length === 1, TIMEOUT, 'the space reaching the viewer');
    const refusedBox = viewerDevice.outbox();
    await refusedBox.start();
    const refused = await refusedBox.add(source(randomBytes(100_000), 'mine.bin'));
    await waitFor(() => stateOf(refusedBox, refused) === 'failed', TIMEOUT, 'the refusal');
    expect(refusedBox.uploads[0]?.error).toMatchObject({ code: 'READ_ONLY' });
    refusedBox.close();
  });
}, 120_000);
