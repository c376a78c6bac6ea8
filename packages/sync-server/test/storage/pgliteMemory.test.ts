import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentId, tenantId } from '@coffre/protocol';
import { createDatabase } from '../../src/storage/createDatabase.ts';
import { DocumentStore } from '../../src/storage/DocumentStore.ts';
import { PgliteDatabase } from '../../src/storage/PgliteDatabase.ts';
import type { SqlDatabase } from '../../src/storage/SqlDatabase.ts';

describe('PGlite in memory', () => {
  let db: SqlDatabase;
  const t = tenantId('memory');

  beforeAll(async () => {
    db = await createDatabase();
  });
  afterAll(() => db.close());

  it('stores and loads as the application role', async () => {
    const store = new DocumentStore(db);
    await store.ensureTenant(t);
    const seq = await store.appendUpdate(t, documentId('d'), new Uint8Array([3]));
    await expect(store.load(t, documentId('d'))).resolves.toEqual({
      state: null,
      updates: [new Uint8Array([3])],
      lastSeq: seq,
    });
    const rows = await db.withoutTenant((sql) =>
      sql.query('select current_user::text as role, (select count(*) from documents) as visible'),
    );
    expect(rows).toEqual([{ role: 'coffre_app', visible: 0n }]);
  });

  it('refuses all work once the session escaped the application role', async () => {
    // Ending the transaction by hand makes the RESET ROLE outlive the final rollback.
    await expect(
      db.withTenant(t, async (sql) => {
        await sql.exec('commit');
        await sql.exec('reset role');
        await sql.exec('begin');
      }),
    ).rejects.toMatchObject({ code: 'UNSAFE_DATABASE_ROLE' });
    await expect(db.withTenant(t, (sql) => sql.query('select 1'))).rejects.toMatchObject({
      code: 'UNSAFE_DATABASE_ROLE',
    });
    await expect(db.ping()).rejects.toMatchObject({ code: 'UNSAFE_DATABASE_ROLE' });
  });

  it('cannot start as a role without a migrated data directory', async () => {
    await expect(PgliteDatabase.open({ username: 'coffre_app' })).rejects.toThrow(/migrated dataDir/);
  });
});
