import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AutomergeEngine, YjsEngine, type EncryptedDocument, type ContentEngine } from '@coffre/client';
import {
  type RelayHarness,
  TestWorkspace,
  openClient,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';

describe(`sync through the relay (${storageEngine})`, () => {
  let harness: RelayHarness;
  const open: EncryptedDocument<ContentEngine>[] = [];
  const track = <E extends ContentEngine>(document: EncryptedDocument<E>) => {
    open.push(document);
    return document;
  };

  beforeAll(async () => {
    harness = await startRelay();
  });
  afterAll(async () => {
    for (const document of open) document.destroy();
    await harness.teardown();
  });

  it('two Yjs clients see each other’s edits and converge', async () => {
    const workspace = new TestWorkspace();
    const a = track(await openClient({ harness, workspace, engine: new YjsEngine() }));
    const b = track(await openClient({ harness, workspace, engine: new YjsEngine() }));
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    a.engine.doc.getText('body').insert(0, 'Hello from A. ');
    b.engine.doc.getText('body').insert(0, 'Hello from B. ');
    const text = (document: EncryptedDocument<YjsEngine>) => document.engine.doc.getText('body').toString();
    await waitFor(() => text(a).length === 28 && text(a) === text(b), 10_000, 'convergence');
    expect(text(a)).toContain('Hello from A.');
    expect(text(a)).toContain('Hello from B.');
    await Promise.all([a.whenSaved(), b.whenSaved()]);
    expect(a.status).toEqual({ state: 'saved', unsaved: 0 });
  });

  it('a fresh client opens a document with everything saved before', async () => {
    const workspace = new TestWorkspace();
    const writer = track(await openClient({ harness, workspace, engine: new YjsEngine() }));
    await writer.whenSynced();
    const body = writer.engine.doc.getText('body');
    for (let index = 0; index < 200; index += 1) body.insert(body.length, `line ${index}\n`);
    await writer.whenSaved();
    writer.destroy();
    const reader = track(await openClient({ harness, workspace, engine: new YjsEngine() }));
    await reader.whenSynced();
    await waitFor(() => reader.engine.doc.getText('body').toString() === body.toString(), 10_000, 'cold open');
  });

  it('two Automerge clients converge on structured records', async () => {
    type Records = { items: { id: string; done: boolean }[] };
    const workspace = new TestWorkspace();
    const engineA = new AutomergeEngine<Records>();
    engineA.change((doc) => {
      doc.items = [];
    });
    const a = track(await openClient({ harness, workspace, engine: engineA }));
    await a.whenSynced();
    await a.whenSaved();
    const b = track(await openClient({ harness, workspace, engine: new AutomergeEngine<Records>() }));
    await b.whenSynced();
    await waitFor(() => Array.isArray(b.engine.doc.items), 10_000, 'initial records');
    a.engine.change((doc) => {
      doc.items.push({ id: 'a1', done: false });
    });
    b.engine.change((doc) => {
      doc.items.push({ id: 'b1', done: true });
    });
    await waitFor(() => a.engine.doc.items.length === 2 && b.engine.doc.items.length === 2, 10_000, 'records');
    expect(JSON.stringify(a.engine.doc)).toBe(JSON.stringify(b.engine.doc));
  });

  it('a viewer receives edits but its own changes are never stored or relayed', async () => {
    const workspace = new TestWorkspace();
    const editor = track(await openClient({ harness, workspace, engine: new YjsEngine() }));
    const viewer = track(await openClient({ harness, workspace, engine: new YjsEngine(), role: 'viewer' }));
    await Promise.all([editor.whenSynced(), viewer.whenSynced()]);
    editor.engine.doc.getText('body').insert(0, 'published');
    await waitFor(() => viewer.engine.doc.getText('body').toString() === 'published', 10_000, 'viewer receives');
    viewer.engine.doc.getText('body').insert(0, 'vandalism ');
    viewer.envelope.flush();
    await editor.whenSaved();
    const fresh = track(await openClient({ harness, workspace, engine: new YjsEngine() }));
    await fresh.whenSynced();
    await waitFor(() => fresh.engine.doc.getText('body').toString() === 'published', 10_000, 'fresh open');
    expect(editor.engine.doc.getText('body').toString()).toBe('published');
  });

  it('seals presence: peers see names and cursors, the relay sees a sealed blob', async () => {
    const workspace = new TestWorkspace();
    const a = track(await openClient({ harness, workspace, engine: new YjsEngine() }));
    const b = track(await openClient({ harness, workspace, engine: new YjsEngine() }));
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    a.setPresence({ name: 'Ada Presence', color: '#ff0000', cursor: 3 });
    await waitFor(() => b.presence.length === 1, 10_000, 'presence');
    expect(b.presence[0]?.state).toEqual({ name: 'Ada Presence', color: '#ff0000', cursor: 3 });
    const document = harness.relay.hocuspocus.documents.get(
      `${workspace.address.tenantId}/${workspace.address.documentId}`,
    );
    const relayed = JSON.stringify([...(document?.awareness.getStates().values() ?? [])]);
    expect(relayed).not.toContain('Ada Presence');
    expect(relayed).toContain('sealed');
  });

  it('compacts the log into a snapshot and the stored envelope stays small', async () => {
    const workspace = new TestWorkspace();
    const a = track(
      await openClient({
        harness,
        workspace,
        engine: new YjsEngine(),
        extra: { compaction: { maxEntries: 20, maxBytes: 1 << 20 } },
      }),
    );
    await a.whenSynced();
    const body = a.engine.doc.getText('body');
    for (let index = 0; index < 100; index += 1) {
      body.insert(body.length, `entry ${index} `);
      a.envelope.flush();
    }
    await a.whenSaved();
    expect(a.envelope.size.entries).toBeLessThanOrEqual(21);
    a.envelope.compact();
    await a.whenSaved();
    expect(a.envelope.size.entries).toBe(1);
    const fresh = track(await openClient({ harness, workspace, engine: new YjsEngine() }));
    await fresh.whenSynced();
    await waitFor(() => fresh.engine.doc.getText('body').toString() === body.toString(), 10_000, 'open compacted');
    const envelopeState = Y.encodeStateAsUpdate(fresh.envelope.envelope);
    // One sealed snapshot (content + ~200 bytes of header, nonce, tag, signature) plus Yjs delete bookkeeping.
    expect(envelopeState.length).toBeLessThan(Y.encodeStateAsUpdate(a.engine.doc).length + 1024);
  });
});
