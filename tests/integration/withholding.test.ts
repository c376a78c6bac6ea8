import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type EncryptedDocument, type HeadsStatus, YjsEngine, settle } from '@coffre/client';
import { isDocumentUpdate } from './support/hocuspocusMessages.ts';
import {
  type RelayHarness,
  TestWorkspace,
  openClient,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';

const TIMEOUT = 15_000;

/**
 * A relay that withholds: a WebSocket proxy in front of the real relay that,
 * once armed, drops every document update the relay sends to the clients
 * behind it (sync step 2 and updates), and forwards everything else
 * (presence, acknowledgements, stateless answers) untouched.
 */
class WithholdingProxy {
  readonly #server: WebSocketServer;
  withholding = false;
  dropped = 0;

  constructor(upstream: string) {
    this.#server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.#server.on('connection', (client) => {
      const relay = new WebSocket(upstream);
      const early: Buffer[] = [];
      relay.on('open', () => {
        for (const message of early.splice(0)) relay.send(message);
      });
      client.on('message', (data: Buffer) =>
        relay.readyState === WebSocket.OPEN ? relay.send(data) : early.push(data),
      );
      relay.on('message', (data: Buffer) => {
        if (this.withholding && isDocumentUpdate(new Uint8Array(data))) {
          this.dropped += 1;
          return;
        }
        client.send(data);
      });
      client.on('close', () => relay.close());
      relay.on('close', () => client.close());
      client.on('error', () => relay.close());
      relay.on('error', () => client.close());
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const client of this.#server.clients) client.terminate();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

const text = (document: EncryptedDocument<YjsEngine>) => document.engine.doc.getText('body');

async function type(document: EncryptedDocument<YjsEngine>, words: string): Promise<void> {
  text(document).insert(text(document).length, words);
  await settle(document, document.whenSaved(), TIMEOUT);
}

function headsOf(document: EncryptedDocument): HeadsStatus {
  return document.heads;
}

describe(`signed heads make a withholding relay visible (${storageEngine})`, () => {
  let harness: RelayHarness;
  let proxy: WithholdingProxy;
  const documents: EncryptedDocument[] = [];

  beforeAll(async () => {
    harness = await startRelay();
    proxy = new WithholdingProxy(harness.url);
  });

  afterAll(async () => {
    for (const document of documents) document.destroy();
    await proxy.close();
    await harness.teardown();
  });

  it('a member whose copy the relay starves is told whose changes it lacks, and the author is told who did not get them', async () => {
    const workspace = new TestWorkspace();
    const extra = { headsIntervalMs: 100, headsGraceMs: 1_000 };
    const ada = await openClient({ harness, workspace, engine: new YjsEngine(), extra });
    const bob = await openClient({ harness, workspace, engine: new YjsEngine(), extra: { ...extra, url: proxy.url } });
    documents.push(ada, bob);
    await Promise.all([ada.whenSynced(), bob.whenSynced()]);
    const adaDevice = ada.envelope.deviceId;
    const bobDevice = bob.envelope.deviceId;

    // Honest relay: once both have written, each device's heads match the other's.
    await type(ada, 'Ada was here. ');
    await type(bob, 'Bob too. ');
    await waitFor(() => text(bob).toString() === text(ada).toString(), TIMEOUT, 'both copies alike');
    await waitFor(() => headsOf(ada).state === 'in-sync' && headsOf(bob).state === 'in-sync', TIMEOUT, 'in sync');
    expect(headsOf(bob)).toEqual({ state: 'in-sync', peers: 1, missing: [], unseen: [] });

    // The relay stops delivering Ada's entries to Bob. Both notice, through the heads in sealed presence.
    proxy.withholding = true;
    await type(ada, 'Only Ada sees this. ');
    await type(ada, 'And this. ');
    await waitFor(() => headsOf(bob).state === 'behind', TIMEOUT, 'Bob noticing what he lacks');
    await waitFor(() => headsOf(ada).unseen.length > 0, TIMEOUT, 'Ada noticing Bob lacks her changes');
    expect(proxy.dropped).toBeGreaterThan(0);
    expect(text(bob).toString()).not.toContain('Only Ada');
    expect(headsOf(bob).missing).toEqual([{ peer: adaDevice, author: adaDevice, count: 2 }]);
    expect(headsOf(ada).unseen).toEqual([{ peer: bobDevice, count: 2 }]);
    // Bob's own saves are unaffected: what he writes still reaches Ada.
    await type(bob, 'Bob still writes. ');
    await waitFor(() => text(ada).toString().includes('Bob still writes.'), TIMEOUT, 'Bob still reaching Ada');

    // The relay delivers again (Bob reconnects and syncs): both are in sync once more.
    proxy.withholding = false;
    bob.disconnect();
    bob.connect();
    await waitFor(() => text(bob).toString().includes('And this.'), TIMEOUT, 'the withheld entries at Bob');
    await waitFor(() => headsOf(ada).state === 'in-sync' && headsOf(bob).state === 'in-sync', TIMEOUT, 'in sync again');
  });

  it('heads are signed and sealed: another member cannot pass off heads as someone else’s, and the relay cannot read them', async () => {
    const workspace = new TestWorkspace();
    const ada = await openClient({ harness, workspace, engine: new YjsEngine(), extra: { headsIntervalMs: 100 } });
    documents.push(ada);
    await ada.whenSynced();
    await type(ada, 'Counted. ');
    const frame = ada.envelope.sealPresence({ caret: null }, ada.envelope.heads());
    // The relay sees a signed, encrypted Presence entry: no device id of the heads in the clear beyond the header.
    expect(Buffer.from(frame).toString('latin1')).not.toContain('"heads"');
    // A copy opened with the same keys reads the heads and the author; a tampered frame opens to nothing.
    const reader = await openClient({ harness, workspace, engine: new YjsEngine() });
    documents.push(reader);
    const opened = reader.envelope.openPresence(frame, 'test');
    expect(opened?.author).toBe(ada.envelope.deviceId);
    expect(opened?.heads?.get(ada.envelope.deviceId)).toBe(ada.envelope.ownCounter);
    const tampered = frame.slice();
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(reader.envelope.openPresence(tampered, 'test 2')).toBeNull();
  });
});
