import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { YjsEngine } from '@coffre/client';
import { type SqlDatabase, createDatabase } from '@coffre/sync-server';
import {
  type RelayHarness,
  TestWorkspace,
  appDatabaseUrl,
  openClient,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';

/** Wraps the relay's database so that writes can be made to fail, as during a database outage. */
function flaky(database: SqlDatabase): SqlDatabase & { failing: boolean; failures: number } {
  const wrapper = {
    failing: false,
    failures: 0,
    get engine() {
      return database.engine;
    },
    withTenant: ((tenant, fn) => {
      if (wrapper.failing) {
        wrapper.failures += 1;
        return Promise.reject(new Error('simulated database outage'));
      }
      return database.withTenant(tenant, fn);
    }) as SqlDatabase['withTenant'],
    withoutTenant: ((fn) => database.withoutTenant(fn)) as SqlDatabase['withoutTenant'],
    ping: () => database.ping(),
    close: () => database.close(),
  };
  return wrapper;
}

describe(`a failed store loses nothing (${storageEngine})`, () => {
  let harness: RelayHarness;
  let database: ReturnType<typeof flaky>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'coffre-flaky-'));
    const adminUrl = process.env.DATABASE_URL;
    database = flaky(
      await createDatabase(
        adminUrl
          ? { databaseUrl: appDatabaseUrl(adminUrl), adminDatabaseUrl: adminUrl }
          : { dataDir: join(dataDir, 'pglite') },
      ),
    );
    harness = await startRelay({ database, dataDir });
  });
  afterAll(async () => {
    await harness.teardown();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('holds the acknowledgement while the database fails, keeps relaying, and stores the update once it recovers', async () => {
    const workspace = new TestWorkspace();
    const writer = await openClient({ harness, workspace, engine: new YjsEngine() });
    const reader = await openClient({ harness, workspace, engine: new YjsEngine() });
    await Promise.all([writer.whenSynced(), reader.whenSynced()]);
    await writer.whenSaved();

    database.failing = true;
    writer.engine.doc.getText('t').insert(0, 'written during an outage');
    // Other editors still see it at once...
    await waitFor(() => reader.engine.doc.getText('t').toString() === 'written during an outage', 10_000, 'relay');
    // ...but the writer is not told it is saved while nothing is stored.
    await waitFor(() => database.failures >= 2, 10_000, 'retries');
    expect(writer.status.state).toBe('syncing');
    expect(writer.status.unsaved).toBeGreaterThan(0);
    // The document stays in memory: a new client still opens it with the edit.
    const late = await openClient({ harness, workspace, engine: new YjsEngine() });
    await late.whenSynced();
    await waitFor(() => late.engine.doc.getText('t').toString() === 'written during an outage', 10_000, 'in memory');

    database.failing = false;
    await writer.whenSaved();
    const stored = await harness.relay.store.load(workspace.address.tenantId, workspace.address.documentId);
    expect(stored.updates.length + (stored.state ? 1 : 0)).toBeGreaterThan(0);
    for (const client of [writer, reader, late]) client.destroy();

    // After a restart, the update is read back from the database.
    await harness.stop();
    const adminUrl = process.env.DATABASE_URL;
    const reopened = await startRelay({
      dataDir,
      keys: harness.keys,
      database: await createDatabase(
        adminUrl
          ? { databaseUrl: appDatabaseUrl(adminUrl), adminDatabaseUrl: adminUrl }
          : { dataDir: join(dataDir, 'pglite') },
      ),
    });
    const fresh = await openClient({ harness: reopened, workspace, engine: new YjsEngine() });
    await fresh.whenSynced();
    await waitFor(
      () => fresh.engine.doc.getText('t').toString() === 'written during an outage',
      10_000,
      'after restart',
    );
    fresh.destroy();
    await reopened.stop();
  });
});
