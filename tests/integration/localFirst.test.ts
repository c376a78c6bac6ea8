import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '@coffre/crypto';
import {
  type DeviceIdentity,
  type EncryptedDocument,
  type SealingJournal,
  LocalDocument,
  MemorySealingJournal,
  YjsEngine,
} from '@coffre/client';
import { containsBytes, dumpIndexedDb, envelopeDatabaseName } from '@coffre/storage';
import { SeededRandom } from './support/seededRandom.ts';
import {
  type RelayHarness,
  TestWorkspace,
  openClient,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';
import { freePort } from './support/relayProcess.ts';

/**
 * Local-first behaviour through a real relay, with IndexedDB from
 * fake-indexeddb (the same code runs on Chromium's in the browser tests).
 * A "device" is a device identity plus its sealing journal (localStorage in
 * a browser); a "reload" destroys the LocalDocument and opens a new one.
 */
describe(`local-first documents (${storageEngine})`, () => {
  let harness: RelayHarness;
  const open: { destroy(): unknown }[] = [];
  const markers: string[] = [];

  interface Device {
    identity: DeviceIdentity;
    journal: SealingJournal;
  }
  const newDevice = (workspace: TestWorkspace): Device => ({
    identity: workspace.addDevice(),
    journal: new MemorySealingJournal(),
  });

  /** Opens the document as `device` would, through `relay` (the shared one by default) or at `url`. */
  const openLocal = async (
    workspace: TestWorkspace,
    device: Device,
    url = harness.url,
    relay = harness,
  ): Promise<LocalDocument<YjsEngine>> => {
    const token = await relay.token({ tenant: workspace.address.tenantId, device: device.identity.id });
    const document = new LocalDocument({
      address: workspace.address,
      engine: new YjsEngine(),
      device: device.identity,
      keyring: workspace.keyring(),
      devices: workspace.directory(),
      journal: device.journal,
      url,
      token,
      batchWindowMs: 5,
    });
    open.push(document);
    return document;
  };
  const openRemote = async (workspace: TestWorkspace): Promise<EncryptedDocument<YjsEngine>> => {
    const document = await openClient({ harness, workspace, engine: new YjsEngine() });
    open.push(document);
    return document;
  };
  const text = (document: { engine: YjsEngine }): string => document.engine.doc.getText('body').toString();
  const type = (document: { engine: YjsEngine }, words: string): void => {
    const body = document.engine.doc.getText('body');
    body.insert(body.length, words);
  };
  const marker = (name: string): string => {
    const value = `${name}-${Math.random().toString(36).slice(2, 10)}`;
    markers.push(value);
    return value;
  };

  beforeAll(async () => {
    harness = await startRelay();
  });
  afterEach(async () => {
    for (const document of open.splice(0)) await document.destroy();
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('opens with no network at all and shows what was written before the reload', async () => {
    const workspace = new TestWorkspace();
    const device = newDevice(workspace);
    const nowhere = `ws://127.0.0.1:${await freePort()}/sync`;
    const words = marker('written offline');

    const first = await openLocal(workspace, device, nowhere);
    await first.whenLoaded();
    type(first, words);
    await waitFor(() => first.status.unsaved > 0, 5000, 'the edit to be counted as unsaved');
    await first.destroy();

    const reloaded = await openLocal(workspace, device, nowhere);
    await reloaded.whenLoaded();
    expect(reloaded.role).toBe('writer');
    expect(text(reloaded)).toBe(words);
    // The edit never reached a relay: still counted as not saved after the reload.
    expect(reloaded.status.state).not.toBe('saved');
    expect(reloaded.status.unsaved).toBeGreaterThan(0);
    // Edits made while offline after a reload are sealed too (the device's counter is known from its journal).
    type(reloaded, ' more');
    await reloaded.destroy();

    const online = await openLocal(workspace, device);
    await online.whenSaved();
    expect(online.status).toEqual({ state: 'saved', unsaved: 0 });
    const remote = await openRemote(workspace);
    await remote.whenSynced();
    await waitFor(() => text(remote) === `${words} more`, 10_000, 'the offline edits at another device');
  });

  it('two devices edit offline for a long time, reconnect and converge without losing a character', async () => {
    const workspace = new TestWorkspace();
    const devices = [newDevice(workspace), newDevice(workspace)];
    const a = await openLocal(workspace, devices[0] as Device);
    let b = await openLocal(workspace, devices[1] as Device);
    type(a, 'shared start. ');
    await a.whenSaved();
    await waitFor(() => text(b) === 'shared start. ', 10_000, 'initial sync');
    a.disconnect();
    b.disconnect();

    const random = new SeededRandom(4242);
    const typed: string[] = [];
    for (let round = 0; round < 300; round += 1) {
      const [name, document] = random.int(2) === 0 ? (['a', a] as const) : (['b', b] as const);
      const body = document.engine.doc.getText('body');
      // Words go between words, so each one stays whole and can be counted at the end.
      const current = body.toString();
      const boundaries = [0, ...[...current].flatMap((char, index) => (char === ' ' ? [index + 1] : []))];
      const word = `${name}${round}`;
      body.insert(boundaries[random.int(boundaries.length)] as number, `${word} `);
      typed.push(word);
      if (round === 150) {
        // B's tab is closed and opened again, still offline, half way through.
        b.flush();
        await b.destroy();
        b = await openLocal(workspace, devices[1] as Device, `ws://127.0.0.1:${await freePort()}/sync`);
        await b.whenLoaded();
      }
      if (round % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(a.status.state).toBe('offline');
    expect(a.status.unsaved).toBeGreaterThan(0);
    await b.destroy();
    b = await openLocal(workspace, devices[1] as Device);
    a.connect();
    await Promise.all([a.whenSaved(), b.whenSaved()]);
    await waitFor(() => text(a) === text(b) && text(a).length > 300, 15_000, 'convergence');
    const words = text(a)
      .split(' ')
      .filter((word) => word.length > 0);
    expect(words.sort()).toEqual(['shared', 'start.', ...typed].sort());
  });

  it('reconnects after a long offline stretch without the relay dropping the connection', async () => {
    const workspace = new TestWorkspace();
    const device = newDevice(workspace);
    const document = await openLocal(workspace, device);
    type(document, 'start. ');
    await document.whenSaved();
    document.disconnect();
    await waitFor(() => document.status.state === 'offline', 5000, 'offline');
    // Forty separate entries while offline: more than the relay queues before a connection authenticates.
    for (let index = 0; index < 40; index += 1) {
      type(document, `${index} `);
      await new Promise((resolve) => setTimeout(resolve, 8));
    }
    const states: string[] = [];
    document.on('status', (status) => states.push(status.state));
    document.connect();
    await document.whenSaved();
    // Once connected, it stayed connected until everything was saved.
    const firstSync = states.indexOf('syncing');
    expect(firstSync).toBeGreaterThanOrEqual(0);
    expect(states.slice(firstSync)).not.toContain('offline');
    expect(states.slice(firstSync)).not.toContain('connecting');
    const remote = await openRemote(workspace);
    await remote.whenSynced();
    await waitFor(() => text(remote) === text(document), 10_000, 'the offline edits at another device');
  });

  it('a version saved on one device is listed, viewed and restored on another through the relay', async () => {
    const workspace = new TestWorkspace();
    const [laptop, phone] = [newDevice(workspace), newDevice(workspace)];
    const a = await openLocal(workspace, laptop);
    type(a, 'The plan as agreed.');
    await a.whenSaved();
    const saved = a.history?.save('Agreed');
    expect(saved).toBeTruthy();
    type(a, ' An unwanted change.');
    await a.whenSaved();
    await a.destroy();

    const b = await openLocal(workspace, phone);
    await b.whenSaved();
    await waitFor(() => (b.history?.list().length ?? 0) === 1, 10_000, 'the version at the other device');
    const [version] = b.history?.list() ?? [];
    expect(version).toMatchObject({ label: 'Agreed', author: laptop.identity.id });
    expect(b.history?.restore(version?.id ?? '')).toBe(true);
    expect(text(b)).toBe('The plan as agreed.');
    await b.whenSaved();

    const remote = await openRemote(workspace);
    await remote.whenSynced();
    await waitFor(() => text(remote) === 'The plan as agreed.', 10_000, 'the restored content elsewhere');
    expect(
      remote.history
        .list()
        .map((listed) => listed.label)
        .sort(),
    ).toEqual(['Agreed', 'Before restoring an earlier version']);
  });

  it('keeps editing while the relay restarts and saves everything once it is back', async () => {
    const relay = await startRelay();
    try {
      const workspace = new TestWorkspace();
      const device = newDevice(workspace);
      const document = await openLocal(workspace, device, relay.url, relay);
      type(document, 'before the restart. ');
      await document.whenSaved();
      await relay.stop();
      await waitFor(() => document.status.state !== 'saved' && document.status.state !== 'syncing', 10_000, 'offline');
      type(document, 'while the relay was down.');
      await waitFor(() => document.status.unsaved > 0, 5000, 'unsaved count');

      const restarted = await startRelay({ dataDir: relay.dataDir, port: relay.port, keys: relay.keys });
      try {
        await document.whenSaved();
        const reader = await openClient({ harness: restarted, workspace, engine: new YjsEngine() });
        open.push(reader);
        await reader.whenSynced();
        await waitFor(
          () => text(reader) === 'before the restart. while the relay was down.',
          10_000,
          'the edit after the restart',
        );
      } finally {
        for (const document of open.splice(0)) await document.destroy();
        await restarted.teardown();
      }
    } finally {
      await relay.teardown();
    }
  });

  it('two tabs of one device: one seals, the other hands its edits over, and a closed writer is replaced', async () => {
    const workspace = new TestWorkspace();
    const device = newDevice(workspace);
    const first = await openLocal(workspace, device);
    await first.whenLoaded();
    const second = await openLocal(workspace, device);
    await second.whenLoaded();
    expect([first.role, second.role]).toEqual(['writer', 'follower']);

    const remote = await openRemote(workspace);
    const rejected: unknown[] = [];
    remote.on('entry-rejected', (event) => rejected.push(event));
    await remote.whenSynced();

    type(first, 'one ');
    type(second, 'two ');
    await waitFor(() => text(first).length === 8 && text(second) === text(first), 10_000, 'the tabs agree');
    await second.whenSaved();
    await waitFor(() => text(remote) === text(first), 10_000, 'the other device sees both tabs');

    // The writer's tab closes: the other tab takes over sealing and the relay connection.
    await first.destroy();
    await waitFor(() => second.role === 'writer', 10_000, 'the follower takes over');
    type(second, 'three');
    await second.whenSaved();
    await waitFor(() => text(remote).endsWith('three') && text(remote).length === 13, 10_000, 'edit after take-over');
    expect(rejected).toEqual([]);
    expect(remote.envelope.size.entries).toBeGreaterThan(0);
  });

  it('a follower told the browser went offline takes the writer offline too, and back online', async () => {
    const workspace = new TestWorkspace();
    const device = newDevice(workspace);
    // Two instances in one tab, as the editor and a background read of the same document are.
    const writer = await openLocal(workspace, device);
    await writer.whenLoaded();
    const follower = await openLocal(workspace, device);
    await follower.whenLoaded();
    expect([writer.role, follower.role]).toEqual(['writer', 'follower']);
    await writer.whenSaved();

    follower.disconnect();
    await waitFor(() => writer.status.state === 'offline', 10_000, 'the writer goes offline');
    await waitFor(() => follower.status.state === 'offline', 10_000, 'the follower says so');
    type(follower, 'kept while offline');
    await waitFor(() => text(writer) === 'kept while offline', 10_000, 'the writer seals the edit');
    expect(writer.status.state).toBe('offline');

    follower.connect();
    await writer.whenSaved();
    await waitFor(() => follower.status.state === 'saved', 10_000, 'the follower says saved');
  });

  it('waits for the relay instead of reusing a counter when the local copy lost entries the device sent', async () => {
    const workspace = new TestWorkspace();
    const device = newDevice(workspace);
    const first = await openLocal(workspace, device);
    type(first, 'sent to the relay. ');
    await first.whenSaved();
    await first.destroy();
    // The device's IndexedDB lost what it wrote (a crash before the write committed), its journal did not.
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(envelopeDatabaseName(workspace.address));
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error ?? new Error('delete failed'));
    });

    const remote = await openRemote(workspace);
    const ignored: unknown[] = [];
    remote.on('entry-rejected', (event) => ignored.push(event));
    await remote.whenSynced();

    const again = await openLocal(workspace, device);
    await again.whenLoaded();
    // Typed before the relay answered: sealing must wait for it (the journal knows counter 1 is taken).
    type(again, 'written after.');
    await again.whenSaved();
    // Typed before the relay's copy arrived, so it may land before or after it: both must be there.
    const both = text(again);
    expect(both).toHaveLength('sent to the relay. written after.'.length);
    expect(both).toContain('sent to the relay. ');
    expect(both).toContain('written after.');
    await waitFor(() => text(remote) === both, 10_000, 'both entries at the remote');
    expect(ignored).toEqual([]);
  });

  it('leaves no document text and no document key in IndexedDB', async () => {
    const workspace = new TestWorkspace();
    const device = newDevice(workspace);
    const document = await openLocal(workspace, device);
    type(document, marker('secret words'));
    await document.whenSaved();
    await document.destroy();

    const dumps = await dumpIndexedDb(indexedDB);
    expect(dumps.some((dump) => dump.database === envelopeDatabaseName(workspace.address))).toBe(true);
    const encoder = new TextEncoder();
    const leaks = (needle: Uint8Array) =>
      dumps.filter((dump) => dump.chunks.some((chunk) => containsBytes(chunk, needle))).map((dump) => dump.database);
    for (const value of markers) expect(leaks(encoder.encode(value)), value).toEqual([]);
    expect(leaks(workspace.documentKey)).toEqual([]);
    expect(leaks(encoder.encode(toHex(workspace.documentKey)))).toEqual([]);
    expect(leaks(device.identity.signingKeyPair.secretKey.subarray(0, 32))).toEqual([]);
  });
});
