import { afterAll, describe, expect, it } from 'vitest';
import { documentId, tenantId } from '@coffre/protocol';
import { createDatabase } from '../../src/storage/createDatabase.ts';
import { DocumentStore } from '../../src/storage/DocumentStore.ts';
import { runDocumentStoreContractTests } from '../../src/storage/runDocumentStoreContractTests.ts';
import { runAccountRepositoryContractTests } from '../../src/accounts/runAccountRepositoryContractTests.ts';
import { runSharingRepositoryContractTests } from '../../src/sharing/runSharingRepositoryContractTests.ts';
import { runEnvelopeRepositoryContractTests } from '../../src/storage/runEnvelopeRepositoryContractTests.ts';
import { pgliteFixture } from './fixtures.ts';

// One data directory for the whole file: starting PGlite on a new directory (initdb) takes seconds.
let shared: ReturnType<typeof pgliteFixture> | undefined;
const fixture = () => (shared ??= pgliteFixture());
afterAll(async () => {
  await (await shared)?.teardown();
});

runDocumentStoreContractTests('PGlite (data directory)', async () => ({
  ...(await fixture()),
  teardown: () => Promise.resolve(), // closed once, after the whole file
}));

// The repositories run on the same directory: one initdb for the file.
const sharedFixture = async () => ({ ...(await fixture()), teardown: () => Promise.resolve() });
runEnvelopeRepositoryContractTests('PGlite (data directory)', sharedFixture);
runAccountRepositoryContractTests('PGlite (data directory)', sharedFixture);
runSharingRepositoryContractTests('PGlite (data directory)', sharedFixture);

describe('PGlite on disk as the application role', () => {
  const t = tenantId('pglite-role');

  it('runs as the application role in a postgres superuser session', async () => {
    const { db } = await fixture();
    const rows = await db.withoutTenant((sql) =>
      sql.query('select current_user::text as current_user, session_user::text as session_user'),
    );
    expect(rows).toEqual([{ current_user: 'coffre_app', session_user: 'postgres' }]);
  });

  it('rolls back and refuses a transaction that switches role', async () => {
    const { db, store } = await fixture();
    await store.ensureTenant(t);
    for (const escape of ['reset role', 'set role postgres']) {
      await expect(
        db.withTenant(t, async (sql) => {
          await sql.query(escape);
          await sql.query('insert into documents (tenant_id, id) values ($1, $2)', [t, 'escaped']);
        }),
      ).rejects.toMatchObject({ code: 'UNSAFE_DATABASE_ROLE' });
    }
    // The rollback undid the role switch: the instance is usable and still the application role.
    const rows = await db.withTenant(t, (sql) =>
      sql.query('select current_user::text as role, (select count(*) from documents) as documents'),
    );
    expect(rows).toEqual([{ role: 'coffre_app', documents: 0n }]);
  });

  it('keeps its data across a restart', async () => {
    const { store, withAdmin } = await fixture();
    await store.ensureTenant(t);
    const seq = await store.appendUpdate(t, documentId('kept'), new Uint8Array([1, 2]));
    await withAdmin(() => Promise.resolve()); // closes and reopens the directory
    await expect(store.load(t, documentId('kept'))).resolves.toEqual({
      state: null,
      updates: [new Uint8Array([1, 2])],
      lastSeq: seq,
    });
    await expect(new DocumentStore((await fixture()).db).stats(t, documentId('kept'))).resolves.toMatchObject({
      updateCount: 1,
    });
  });

  it('refuses to open a data directory twice', async () => {
    const { dataDir } = await fixture();
    await expect(createDatabase({ dataDir })).rejects.toThrow(/already open/);
  });
});
