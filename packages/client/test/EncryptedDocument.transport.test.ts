import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { generateSymmetricKey, ready } from '@coffre/crypto';
import { documentId, tenantId } from '@coffre/protocol';
import { DeviceDirectory, DocumentKeyring, EncryptedDocument, YjsEngine } from '../src/index.ts';
import { createDevice } from './harness/createReplicas.ts';
import { MemoryRelay } from './harness/MemoryRelay.ts';

beforeAll(async () => {
  await ready();
});

const address = { tenantId: tenantId('acme'), documentId: documentId('plans') };

/**
 * EncryptedDocument's saving, status and offline behaviour through the
 * transport seam, against a relay in memory: no socket, no database.
 */
describe('EncryptedDocument over a SyncTransport (in-memory relay)', () => {
  const open: EncryptedDocument<YjsEngine>[] = [];
  afterEach(() => {
    for (const document of open.splice(0)) document.destroy();
  });

  const pair = (relay: MemoryRelay) => {
    const keyring = new DocumentKeyring([[0, generateSymmetricKey()]]);
    const devices = new DeviceDirectory();
    const make = (name: string) => {
      const device = createDevice(name);
      devices.set(device.id, device.signingKeyPair.publicKey);
      const document = new EncryptedDocument({
        address,
        engine: new YjsEngine(),
        device,
        keyring,
        devices,
        transport: relay.transport,
        batchWindowMs: 0,
      });
      open.push(document);
      return document;
    };
    return { alice: make('alice'), bob: make('bob') };
  };
  const type = (document: EncryptedDocument<YjsEngine>, text: string) => {
    const body = document.engine.doc.getText('body');
    body.insert(body.length, text);
  };
  const body = (document: EncryptedDocument<YjsEngine>) => document.engine.doc.getText('body').toString();

  it('says Saved once the relay state holds the entry, and the other replica reads it', async () => {
    const relay = new MemoryRelay();
    const { alice, bob } = pair(relay);
    await alice.whenSynced();
    type(alice, 'Hello');
    expect(alice.status.unsaved).toBeGreaterThan(0);
    await alice.whenSaved();
    expect(alice.status).toEqual({ state: 'saved', unsaved: 0 });
    expect(relay.document('acme/plans').getArray('log').length).toBe(1);
    await bob.whenSynced();
    expect(body(bob)).toBe('Hello');
  });

  it('never says Saved for entries a relay acknowledged but did not keep: NOT_STORED', async () => {
    const relay = new MemoryRelay();
    const { alice } = pair(relay);
    await alice.whenSynced();
    relay.storing = false;
    const errors: string[] = [];
    alice.on('error', (error) => errors.push(error.code));
    type(alice, 'Lost?');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alice.transport.unsyncedChanges).toBe(0); // acknowledged...
    expect(errors).toContain('NOT_STORED'); // ...but missing from the relay's state
    expect(alice.status.state).not.toBe('saved');
    expect(alice.status.unsaved).toBeGreaterThan(0);
  });

  it('says Saved soon after the relay holds the entries, not when a backoff retry armed meanwhile fires', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] });
    try {
      const relay = new MemoryRelay();
      const { alice } = pair(relay);
      await alice.whenSynced();
      const questions = vi.spyOn(alice.transport, 'sendStateless');
      relay.storing = false;
      alice.on('error', () => {}); // NOT_STORED, covered above
      type(alice, 'Lost?');
      // Every answer lacks the entry: questions at 0, 100, 300, 700 and 1,500 ms, then a retry armed 1.6 s out.
      await vi.advanceTimersByTimeAsync(1_550);
      expect(questions).toHaveBeenCalledTimes(5);
      expect(alice.status.state).not.toBe('saved');

      // The relay's state now holds the entry (as a later write would bring it), and Alice types again
      // 50 ms after the last question: the next question is throttled to 1,600 ms, not left to the retry at 3,100.
      relay.storing = true;
      Y.applyUpdate(relay.document('acme/plans'), Y.encodeStateAsUpdate(alice.envelope.envelope));
      type(alice, ' Found.');
      await vi.advanceTimersByTimeAsync(200);
      expect(questions).toHaveBeenCalledTimes(6);
      expect(alice.status).toEqual({ state: 'saved', unsaved: 0 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('seals edits made offline and saves them on reconnect', async () => {
    const relay = new MemoryRelay();
    const { alice, bob } = pair(relay);
    await Promise.all([alice.whenSynced(), bob.whenSynced()]);
    alice.disconnect();
    expect(alice.status.state).toBe('offline');
    type(alice, 'Written on a train.');
    alice.envelope.flush();
    expect(alice.status).toEqual({ state: 'offline', unsaved: 1 });
    expect(body(bob)).toBe('');
    alice.connect();
    await alice.whenSaved();
    expect(relay.document('acme/plans').getArray('log').length).toBe(1);
    // Bob was connected throughout: the relay passed the entry on.
    expect(body(bob)).toBe('Written on a train.');
  });
});
