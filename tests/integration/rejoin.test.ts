import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocumentError, YjsEngine } from '@coffre/client';
import { ErrorCode, formatDocumentName } from '@coffre/protocol';
import {
  type RelayHarness,
  TestWorkspace,
  openClient,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';

/** A token that waits for `open()` before it is handed over: the time between a socket opening and its sign-in. */
class GatedToken {
  #open: (() => void) | null = null;
  #gate: Promise<void> = Promise.resolve();

  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  close(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  open(): void {
    this.#open?.();
  }

  get = async (): Promise<string> => {
    await this.#gate;
    return this.#token;
  };
}

const text = (engine: YjsEngine) => engine.doc.getText('body').toString();

describe(`a document reconnecting or closed alone by the relay loses nothing (${storageEngine})`, () => {
  let harness: RelayHarness;
  beforeAll(async () => {
    harness = await startRelay();
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('stores a compaction made while the reconnection signs in, with the offline entries it covers', async () => {
    const workspace = new TestWorkspace();
    const device = workspace.addDevice();
    const gated = new GatedToken(
      await harness.token({ tenant: workspace.address.tenantId, role: 'member', device: device.id }),
    );
    const engine = new YjsEngine();
    const writer = await openClient({ harness, workspace, device, engine, token: gated.get });
    const errors: DocumentError[] = [];
    writer.on('error', (error) => errors.push(error));
    await writer.whenSynced();
    const body = engine.doc.getText('body');
    for (const word of ['one ', 'two ', 'three ']) body.insert(body.length, word);
    await writer.whenSaved();

    writer.disconnect();
    await waitFor(() => writer.transport.connection === 'disconnected', 10_000, 'offline');
    for (const word of ['four ', 'five ', 'six ']) body.insert(body.length, word);
    await waitFor(() => !writer.envelope.hasPendingChanges, 10_000, 'offline entries sealed');

    gated.close();
    writer.connect();
    await waitFor(() => writer.transport.connection === 'connected', 10_000, 'socket open, not signed in');
    // The snapshot follows entries the relay has not seen yet; sent alone, its deletions would arrive first.
    writer.envelope.compact();
    gated.open();
    await waitFor(() => writer.status.state === 'saved', 10_000, 'saved');

    expect(errors).toEqual([]);
    const reader = await openClient({ harness, workspace, engine: new YjsEngine() });
    await waitFor(() => text(reader.engine) === text(engine), 10_000, 'a fresh reader');
    expect(text(reader.engine)).toBe('one two three four five six ');
    reader.destroy();
    writer.destroy();
  });

  it('signs in again after the relay closed the document alone with a refusal that may pass, and saves', async () => {
    const workspace = new TestWorkspace();
    const engine = new YjsEngine();
    const writer = await openClient({ harness, workspace, engine });
    await writer.whenSynced();
    engine.doc.getText('body').insert(0, 'before ');
    await writer.whenSaved();
    const errors: string[] = [];
    writer.on('error', (error) => errors.push(error.code));

    const relayDocument = harness.relay.hocuspocus.documents.get(formatDocumentName(workspace.address));
    for (const connection of relayDocument?.getConnections() ?? []) {
      connection.close({ code: 4422, reason: ErrorCode.EntryRejected });
    }
    await waitFor(() => errors.length > 0, 10_000, 'the refusal');
    engine.doc.getText('body').insert(7, 'after');
    // Well before the relay's own idle timeout (30 s) would end the socket and so force a new sign-in.
    await waitFor(() => writer.status.state === 'saved', 10_000, 'saved after signing in again');

    expect(errors).toEqual([ErrorCode.EntryRejected]);
    // With its only connection closed the relay may have unloaded the document and loaded it again.
    const reloaded = harness.relay.hocuspocus.documents.get(formatDocumentName(workspace.address));
    if (!reloaded) throw new Error('the relay has no document');
    const relayState = Y.decodeStateVector(Y.encodeStateVector(reloaded));
    expect(writer.envelope.confirmedCounter(relayState)).toBe(writer.envelope.ownCounter);
    const reader = await openClient({ harness, workspace, engine: new YjsEngine() });
    await waitFor(() => text(reader.engine) === 'before after', 10_000, 'a fresh reader');
    reader.destroy();
    writer.destroy();
  });

  it('stays closed after a refusal that cannot pass (access removed)', async () => {
    const workspace = new TestWorkspace();
    const writer = await openClient({ harness, workspace, engine: new YjsEngine() });
    await writer.whenSynced();
    const errors: string[] = [];
    writer.on('error', (error) => errors.push(error.code));
    const opened: number[] = [];
    writer.transport.on('open', () => opened.push(Date.now()));

    const relayDocument = harness.relay.hocuspocus.documents.get(formatDocumentName(workspace.address));
    for (const connection of relayDocument?.getConnections() ?? []) {
      connection.close({ code: 4403, reason: ErrorCode.Forbidden });
    }
    await waitFor(() => errors.length > 0, 10_000, 'the refusal');
    // Longer than the first pauses before a retried sign-in (0.5 s, then 1 s).
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    expect(errors).toEqual([ErrorCode.Forbidden]);
    expect(opened).toEqual([]);
    expect(relayDocument?.getConnectionsCount() ?? 0).toBe(0);
    writer.destroy();
  });
});
