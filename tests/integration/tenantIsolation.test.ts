import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { YjsEngine } from '@coffre/client';
import { tenantId } from '@coffre/protocol';
import {
  type RelayHarness,
  TestWorkspace,
  openClient,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';
import { MessageType, RawClient, SyncType } from './support/rawClient.ts';

describe(`tenant isolation (${storageEngine})`, () => {
  let harness: RelayHarness;
  let tenantA: TestWorkspace;
  let tenantB: TestWorkspace;
  const nameOf = (workspace: TestWorkspace) => `${workspace.address.tenantId}/${workspace.address.documentId}`;

  beforeAll(async () => {
    harness = await startRelay();
    tenantA = new TestWorkspace();
    tenantB = new TestWorkspace();
    // Both tenants hold a document with content.
    for (const workspace of [tenantA, tenantB]) {
      const writer = await openClient({ harness, workspace, engine: new YjsEngine() });
      await writer.whenSynced();
      writer.engine.doc.getText('t').insert(0, `content of ${workspace.address.tenantId}`);
      await writer.whenSaved();
      writer.destroy();
    }
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('a tenant-A token cannot open a tenant-B document', async () => {
    const client = new RawClient(harness.url);
    await client.opened();
    client.authenticate(
      nameOf(tenantB),
      await harness.token({ tenant: tenantA.address.tenantId, role: 'tenant-admin' }),
    );
    const reply = await client.waitFor((r) => r.type === MessageType.Auth);
    expect(reply?.detail).toBe('denied:FORBIDDEN');
    // Nothing of B was sent to the socket.
    expect(client.replies.filter((r) => r.type === MessageType.Sync)).toEqual([]);
    client.close();
  });

  it('a tenant-A client cannot read a tenant-B document through the provider', async () => {
    const errors: string[] = [];
    const intruder = await openClient({
      harness,
      workspace: tenantB,
      engine: new YjsEngine(),
      token: await harness.token({ tenant: tenantA.address.tenantId }),
    });
    intruder.on('error', (error) => errors.push(error.code));
    await waitFor(() => errors.length > 0, 10_000, 'refusal');
    expect(errors[0]).toBe('FORBIDDEN');
    expect(intruder.engine.doc.getText('t').toString()).toBe('');
    expect(intruder.envelope.log.length).toBe(0);
    intruder.destroy();
  });

  it('a tenant-A socket cannot write into a tenant-B document by addressing it', async () => {
    const before = await harness.relay.store.load(tenantB.address.tenantId, tenantB.address.documentId);
    const client = new RawClient(harness.url);
    await client.opened();
    client.authenticate(nameOf(tenantA), await harness.token({ tenant: tenantA.address.tenantId }));
    await client.waitFor((r) => r.type === MessageType.Auth);
    const doc = new Y.Doc();
    doc.getArray<Uint8Array>('log').push([new Uint8Array(200)]);
    // Messages addressed to B on A's authenticated socket are queued as unauthenticated, never applied.
    client.sendSync(nameOf(tenantB), SyncType.Update, Y.encodeStateAsUpdate(doc));
    client.sendSync(nameOf(tenantB), SyncType.Step1, Y.encodeStateVector(new Y.Doc()));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.replies.some((r) => r.document === nameOf(tenantB) && r.type === MessageType.Sync)).toBe(false);
    const after = await harness.relay.store.load(tenantB.address.tenantId, tenantB.address.documentId);
    expect(after.lastSeq).toBe(before.lastSeq);
    client.close();
  });

  it('under RLS, the application role sees only the tenant set for the transaction', async () => {
    const database = harness.relay.database;
    const count = async (tenant: string | null, table: string) => {
      const run = (sql: { query<Row extends object>(text: string): Promise<Row[]> }) =>
        sql.query<{ tenant_id: string }>(
          table === 'tenants' ? 'select id as tenant_id from tenants' : `select tenant_id from ${table}`,
        );
      const rows =
        tenant === null ? await database.withoutTenant(run) : await database.withTenant(tenantId(tenant), run);
      return rows;
    };
    for (const table of ['tenants', 'documents', 'document_updates', 'document_states']) {
      const rowsA = await count(tenantA.address.tenantId, table);
      expect(rowsA.every((row) => row.tenant_id === tenantA.address.tenantId)).toBe(true);
      if (table === 'tenants') expect(rowsA.length).toBe(1);
      expect(await count(null, table), `${table} without a tenant`).toEqual([]);
    }
    const updatesA = await count(tenantA.address.tenantId, 'document_updates');
    expect(updatesA.length).toBeGreaterThan(0);
    expect(updatesA.some((row) => row.tenant_id === tenantB.address.tenantId)).toBe(false);
  });
});
