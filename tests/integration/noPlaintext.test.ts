import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutomergeEngine, YjsEngine } from '@coffre/client';
import {
  type RelayHarness,
  TestWorkspace,
  openClient,
  readAllFiles,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';
import { dumpPostgres } from './support/databaseDump.ts';

const MARKERS = ['CoffreMarkerAlpha', 'Zanzibar-Quokka-7731', 'presence-name-Horatio'] as const;

describe(`the relay stores and sees no plaintext (${storageEngine})`, () => {
  let harness: RelayHarness;

  beforeAll(async () => {
    harness = await startRelay({ compactionDebounceMs: 50 });
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('no marker appears in any table, file or log line the relay wrote', async () => {
    const workspace = new TestWorkspace();
    const yjs = await openClient({
      harness,
      workspace,
      engine: new YjsEngine(),
      extra: { compaction: { maxEntries: 10, maxBytes: 1 << 20 } },
    });
    await yjs.whenSynced();
    yjs.setPresence({ name: MARKERS[2], cursor: 1 });
    const body = yjs.engine.doc.getText('body');
    for (let round = 0; round < 30; round += 1) {
      body.insert(body.length, `${MARKERS[0]} ${MARKERS[1]} round ${round}. `);
      yjs.envelope.flush();
    }
    yjs.engine.doc.getMap('meta').set('title', MARKERS[1]);
    await yjs.whenSaved();

    const records = new TestWorkspace(workspace.address.tenantId);
    const engine = new AutomergeEngine<{ title?: string; notes?: string[] }>();
    const automerge = await openClient({ harness, workspace: records, engine });
    await automerge.whenSynced();
    engine.change((doc) => {
      doc.title = MARKERS[0];
      doc.notes = [MARKERS[1]];
    });
    await automerge.whenSaved();

    const reader = await openClient({ harness, workspace, engine: new YjsEngine() });
    await reader.whenSynced();
    await waitFor(() => reader.engine.doc.getText('body').toString() === body.toString(), 10_000, 'reader');
    // The relay saw the sealed presence only.
    const awareness = JSON.stringify([
      ...(harness.relay.hocuspocus.documents
        .get(`${workspace.address.tenantId}/${workspace.address.documentId}`)
        ?.awareness.getStates()
        .values() ?? []),
    ]);
    yjs.destroy();
    automerge.destroy();
    reader.destroy();
    await harness.stop();

    const haystacks: { where: string; text: string }[] = [{ where: 'relay log', text: harness.logs() }];
    haystacks.push({ where: 'relay awareness', text: awareness });
    for (const file of await readAllFiles(harness.dataDir)) {
      haystacks.push({ where: file.path, text: file.bytes.toString('latin1') });
      haystacks.push({ where: `${file.path} (utf16)`, text: file.bytes.toString('utf16le') });
    }
    if (process.env.DATABASE_URL)
      haystacks.push({ where: 'postgres', text: await dumpPostgres(process.env.DATABASE_URL) });
    expect(haystacks.length).toBeGreaterThan(2);
    for (const { where, text } of haystacks) {
      for (const marker of MARKERS) expect(text.includes(marker), `${marker} found in ${where}`).toBe(false);
    }
  });
});
