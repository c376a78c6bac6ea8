import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentId, tenantId } from '@coffre/protocol';
import { createDatabase, migrateDatabase } from '../../src/storage/createDatabase.ts';
import { DocumentStore } from '../../src/storage/DocumentStore.ts';
import { DEFAULT_APP_ROLE } from '../../src/storage/migrations.ts';
import { PostgresDatabase } from '../../src/storage/PostgresDatabase.ts';
import { runDocumentStoreContractTests } from '../../src/storage/runDocumentStoreContractTests.ts';
import { runAccountRepositoryContractTests } from '../../src/accounts/runAccountRepositoryContractTests.ts';
import { runSharingRepositoryContractTests } from '../../src/sharing/runSharingRepositoryContractTests.ts';
import { runEnvelopeRepositoryContractTests } from '../../src/storage/runEnvelopeRepositoryContractTests.ts';
import { postgresFixture, withUser } from './fixtures.ts';

/** A superuser URL, e.g. postgres://postgres@127.0.0.1:5432/test; these tests are skipped without it. */
const adminUrl = process.env.DATABASE_URL;

if (adminUrl) {
  runDocumentStoreContractTests('PostgreSQL', () => postgresFixture(adminUrl));
  runEnvelopeRepositoryContractTests('PostgreSQL', () => postgresFixture(adminUrl));
  runAccountRepositoryContractTests('PostgreSQL', () => postgresFixture(adminUrl));
  runSharingRepositoryContractTests('PostgreSQL', () => postgresFixture(adminUrl));
}

describe.skipIf(!adminUrl)('PostgreSQL start-up', () => {
  const admin = adminUrl ?? '';
  const appUrl = adminUrl ? withUser(adminUrl, DEFAULT_APP_ROLE) : '';

  it('migrates with the admin URL and serves with the application role', async () => {
    const db = await createDatabase({ databaseUrl: appUrl, adminDatabaseUrl: admin });
    try {
      const rows = await db.withoutTenant((sql) =>
        sql.query('select current_user::text as current_user, session_user::text as session_user'),
      );
      expect(rows).toEqual([{ current_user: DEFAULT_APP_ROLE, session_user: DEFAULT_APP_ROLE }]);
      await db.ping();
    } finally {
      await db.close();
    }
    await expect(migrateDatabase({ adminDatabaseUrl: admin })).resolves.toEqual([]);
  });

  it('refuses to serve with a superuser URL', async () => {
    await expect(createDatabase({ databaseUrl: admin })).rejects.toMatchObject({
      name: 'UnsafeDatabaseRoleError',
      code: 'UNSAFE_DATABASE_ROLE',
    });
  });

  it('refuses the administrator as the application role', async () => {
    const user = new URL(admin).username;
    await expect(migrateDatabase({ adminDatabaseUrl: admin, appRole: user })).rejects.toThrow(
      /cannot be the role running migrations/,
    );
  });

  describe('with concurrent connections', () => {
    let db: PostgresDatabase;
    beforeAll(() => {
      db = new PostgresDatabase({ connectionString: appUrl, max: 12 });
    });
    afterAll(() => db.close());

    it('never loses an append racing compactions', async () => {
      const { mergeUpdates, Doc, encodeStateAsUpdate, applyUpdate } = await import('yjs');
      const store = new DocumentStore(db);
      const t = tenantId(`pg-race-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
      await store.ensureTenant(t);
      const d = documentId('hot');
      const total = 300;
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        const ydoc = new Doc();
        ydoc.getMap('m').set(`k${i}`, i);
        work.push(store.appendUpdate(t, d, encodeStateAsUpdate(ydoc)));
        if (i % 10 === 3) work.push(store.compact(t, d, mergeUpdates));
      }
      await Promise.all(work);
      const loaded = await store.load(t, d);
      const ydoc = new Doc();
      if (loaded.state) applyUpdate(ydoc, loaded.state);
      for (const update of loaded.updates) applyUpdate(ydoc, update);
      expect(ydoc.getMap('m').size).toBe(total);
      const cleanup = new PostgresDatabase(admin);
      await cleanup
        .withoutTenant((sql) => sql.query('delete from tenants where id = $1', [t]))
        .finally(() => cleanup.close());
    });
  });
});
