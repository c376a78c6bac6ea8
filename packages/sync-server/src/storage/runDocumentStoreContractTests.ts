import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { deviceId, documentId, tenantId, type DocumentId, type TenantId } from '@coffre/protocol';
import type { DocumentStore } from './DocumentStore.ts';
import { MigrationMismatchError } from './errors.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS, TENANT_TABLES } from './migrations.ts';
import { assertSafeApplicationRole } from './roleSafety.ts';
import type { SqlDatabase, SqlExecutor, SqlValue } from './SqlDatabase.ts';

/*
 * One piece, though long: the contract every document-store engine
 * (PostgreSQL, PGlite) keeps, as one vitest suite, so both engines run
 * exactly the same cases.
 */

/** What an engine's test file hands the contract suite. */
export interface DocumentStoreContractFixture {
  /** The store under test, over `db`. */
  store: DocumentStore;
  /** The database the store uses, connected as the application role. */
  db: SqlDatabase;
  /**
   * Runs `fn` with an administrator (superuser) connection to the same
   * database, e.g. to rerun migrations. `db` may be reconnected meanwhile
   * (PGlite cannot open one directory twice) but stays usable afterwards.
   */
  withAdmin: <T>(fn: (admin: SqlDatabase) => Promise<T>) => Promise<T>;
  /**
   * Set when the database outlives the suite (a shared PostgreSQL): the suite
   * then deletes the tenants it created, through `withAdmin`, before teardown.
   */
  persistent?: boolean;
  /** Closes everything setup opened. */
  teardown: () => Promise<void>;
}

/**
 * The rules every {@link SqlDatabase} + {@link DocumentStore} pair must keep,
 * as a vitest suite: run it once per engine. `setup` runs once for the suite;
 * tests isolate themselves with random tenant ids, so the suite can run
 * repeatedly against one PostgreSQL database.
 */
export function runDocumentStoreContractTests(name: string, setup: () => Promise<DocumentStoreContractFixture>): void {
  describe(`DocumentStore contract: ${name}`, () => {
    let fixture: DocumentStoreContractFixture | undefined;
    const run = randomBytes(5).toString('hex');
    let counter = 0;

    const ctx = (): DocumentStoreContractFixture => {
      if (!fixture) throw new Error('contract fixture was not set up');
      return fixture;
    };
    /** A tenant id unique to this run and call. */
    const newTenant = (label: string): TenantId => tenantId(`t${run}-${label}-${++counter}`);
    const doc = (label: string): DocumentId => documentId(label);
    const tenantWithRow = async (label: string): Promise<TenantId> => {
      const t = newTenant(label);
      await ctx().store.ensureTenant(t);
      return t;
    };

    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      if (!fixture) return;
      try {
        if (fixture.persistent) {
          // Every tenant id of this run starts with t<run>-; cascades remove their documents.
          await fixture.withAdmin((admin) =>
            admin.withoutTenant((sql) => sql.query('delete from tenants where id like $1', [`t${run}-%`])),
          );
        }
      } finally {
        await fixture.teardown();
      }
    });

    it('returns nothing for an unknown document', async () => {
      const { store } = ctx();
      const t = await tenantWithRow('unknown');
      await expect(store.load(t, doc('missing'))).resolves.toEqual({ state: null, updates: [], lastSeq: 0n });
      await expect(store.stats(t, doc('missing'))).resolves.toEqual({
        exists: false,
        stateBytes: 0,
        updateBytes: 0,
        totalBytes: 0,
        updateCount: 0,
        lastSeq: 0n,
      });
      // A tenant without a row has nothing either, and loading does not fail.
      await expect(store.load(newTenant('no-row'), doc('missing'))).resolves.toEqual({
        state: null,
        updates: [],
        lastSeq: 0n,
      });
    });

    it('creates a tenant once', async () => {
      const { store } = ctx();
      const t = newTenant('ensure');
      await expect(store.ensureTenant(t)).resolves.toBe(true);
      await expect(store.ensureTenant(t)).resolves.toBe(false);
    });

    it('appended updates load in order', async () => {
      const { store, db } = ctx();
      const t = await tenantWithRow('order');
      const d = doc('ordered');
      const parts = [new Uint8Array([1, 2, 3]), new Uint8Array([4]), new Uint8Array([5, 6])];
      const seqs: bigint[] = [];
      for (const part of parts) seqs.push(await store.appendUpdate(t, d, part));
      for (const [i, seq] of seqs.entries()) {
        expect(typeof seq).toBe('bigint');
        if (i > 0) expect(seq).toBeGreaterThan(seqs[i - 1] ?? 0n);
      }
      // Committed: another transaction sees them.
      const counted = await db.withTenant(t, (sql) =>
        sql.query<{ n: bigint }>('select count(*) as n from document_updates where document_id = $1', [d]),
      );
      expect(counted[0]?.n).toBe(3n);

      const loaded = await store.load(t, d);
      expect(loaded.state).toBeNull();
      expect(loaded.updates).toEqual(parts);
      expect(loaded.lastSeq).toBe(seqs.at(-1));
      for (const update of loaded.updates) {
        expect(Buffer.isBuffer(update)).toBe(false);
        expect(update.constructor).toBe(Uint8Array);
      }
      await expect(store.stats(t, d)).resolves.toEqual({
        exists: true,
        stateBytes: 0,
        updateBytes: 6,
        totalBytes: 6,
        updateCount: 3,
        lastSeq: seqs.at(-1),
      });
    });

    it('rejects an update for a tenant that does not exist', async () => {
      const { store } = ctx();
      await expect(store.appendUpdate(newTenant('ghost'), doc('d'), new Uint8Array([1]))).rejects.toMatchObject({
        code: 'UNKNOWN_TENANT',
      });
    });

    it('does not bring back a deleted document when told not to create one', async () => {
      const { store } = ctx();
      const t = await tenantWithRow('deleted');
      await store.appendUpdate(t, doc('gone'), new Uint8Array([1]));
      await store.deleteDocument(t, doc('gone'));
      await expect(
        store.appendUpdate(t, doc('gone'), new Uint8Array([2]), { createDocument: false }),
      ).rejects.toMatchObject({ code: 'UNKNOWN_DOCUMENT' });
      expect((await store.stats(t, doc('gone'))).exists).toBe(false);
    });

    it('compaction merges the tail into the state', async () => {
      const { store } = ctx();
      const t = await tenantWithRow('compact');
      const d = doc('notes');
      const updates = mapUpdates(0, 5);
      for (const update of updates) await store.appendUpdate(t, d, update);

      const first = await store.compact(t, d, Y.mergeUpdates);
      expect(first.compacted).toBe(true);
      expect(first.mergedUpdates).toBe(5);
      const afterFirst = await store.load(t, d);
      expect(afterFirst.state).not.toBeNull();
      expect(afterFirst.updates).toEqual([]);
      expect(afterFirst.lastSeq).toBe(first.mergedThrough);
      expect(keysOf(afterFirst)).toEqual(keyRange(0, 5));
      const stats = await store.stats(t, d);
      expect(stats).toMatchObject({ exists: true, updateCount: 0, updateBytes: 0, lastSeq: first.mergedThrough });
      expect(stats.stateBytes).toBe(first.stateBytes);

      const [late] = mapUpdates(5, 1);
      const lateSeq = await store.appendUpdate(t, d, late ?? new Uint8Array());
      expect(lateSeq).toBeGreaterThan(first.mergedThrough);
      const withTail = await store.load(t, d);
      expect(withTail.updates).toHaveLength(1);
      expect(withTail.lastSeq).toBe(lateSeq);
      expect(keysOf(withTail)).toEqual(keyRange(0, 6));

      const second = await store.compact(t, d, Y.mergeUpdates);
      expect(second).toMatchObject({ compacted: true, mergedUpdates: 1, mergedThrough: lateSeq });
      expect(keysOf(await store.load(t, d))).toEqual(keyRange(0, 6));

      const idle = await store.compact(t, d, Y.mergeUpdates);
      expect(idle).toMatchObject({ compacted: false, mergedUpdates: 0, mergedThrough: lateSeq });
      await expect(store.compact(t, doc('never-written'), Y.mergeUpdates)).resolves.toMatchObject({
        compacted: false,
      });
    });

    it('a failed merge changes nothing', async () => {
      const { store } = ctx();
      const t = await tenantWithRow('bad-merge');
      const d = doc('d');
      for (const update of mapUpdates(0, 2)) await store.appendUpdate(t, d, update);
      await expect(
        store.compact(t, d, () => {
          throw new Error('merge failed');
        }),
      ).rejects.toThrow('merge failed');
      const loaded = await store.load(t, d);
      expect(loaded.state).toBeNull();
      expect(loaded.updates).toHaveLength(2);
    });

    it('compaction keeps updates appended concurrently', async () => {
      const { store } = ctx();
      const t = await tenantWithRow('race');
      const d = doc('busy');

      // An append started while the merge runs (inside compaction's transaction).
      for (const update of mapUpdates(0, 3)) await store.appendUpdate(t, d, update);
      let during: Promise<bigint> | undefined;
      const result = await store.compact(t, d, (parts) => {
        during ??= store.appendUpdate(t, d, mapUpdates(3, 1)[0] ?? new Uint8Array());
        return Y.mergeUpdates(parts);
      });
      expect(during).toBeDefined();
      const duringSeq = await (during ?? Promise.reject(new Error('no append')));
      expect(duringSeq).toBeGreaterThan(result.mergedThrough);
      const afterMerge = await store.load(t, d);
      expect(afterMerge.updates).toHaveLength(1);
      expect(keysOf(afterMerge)).toEqual(keyRange(0, 4));

      // Many appends racing several compactions.
      const total = 60;
      const racing = mapUpdates(4, total);
      const work: Promise<unknown>[] = [];
      for (const [i, update] of racing.entries()) {
        work.push(store.appendUpdate(t, d, update));
        if (i % 12 === 5) work.push(store.compact(t, d, Y.mergeUpdates));
      }
      await Promise.all(work);
      expect(keysOf(await store.load(t, d))).toEqual(keyRange(0, 4 + total));
      await store.compact(t, d, Y.mergeUpdates);
      const final = await store.load(t, d);
      expect(final.updates).toEqual([]);
      expect(keysOf(final)).toEqual(keyRange(0, 4 + total));
    });

    it('a document id belongs to its tenant', async () => {
      const { store } = ctx();
      const a = await tenantWithRow('same-a');
      const b = await tenantWithRow('same-b');
      const d = doc('shared-name');
      await store.appendUpdate(a, d, new Uint8Array([0xa]));
      await store.appendUpdate(b, d, new Uint8Array([0xb]));
      expect((await store.load(a, d)).updates).toEqual([new Uint8Array([0xa])]);
      expect((await store.load(b, d)).updates).toEqual([new Uint8Array([0xb])]);
      await store.deleteDocument(a, d);
      expect((await store.load(b, d)).updates).toEqual([new Uint8Array([0xb])]);
    });

    it('keeps the device bound to each envelope client id, stored with the update that bound it', async () => {
      const { store } = ctx();
      const t = await tenantWithRow('writers');
      const d = doc('bound');
      await store.appendUpdate(t, d, new Uint8Array([1]), {
        writers: [{ clientId: 2 ** 40, deviceId: deviceId('laptop') }],
      });
      // A binding is never changed: a second one for the same id is ignored.
      await store.appendUpdate(t, d, new Uint8Array([2]), {
        writers: [
          { clientId: 2 ** 40, deviceId: deviceId('phone') },
          { clientId: 9, deviceId: deviceId('phone') },
        ],
      });
      const writers = await store.loadWriters(t, d);
      expect(writers.sort((x, y) => x.clientId - y.clientId)).toEqual([
        { clientId: 9, deviceId: 'phone' },
        { clientId: 2 ** 40, deviceId: 'laptop' },
      ]);
      await store.deleteDocument(t, d);
      expect(await store.loadWriters(t, d)).toEqual([]);
    });

    it("a tenant sees none of another tenant's rows", async () => {
      const { store, db } = ctx();
      const a = await tenantWithRow('iso-a');
      const b = await tenantWithRow('iso-b');
      for (const t of [a, b]) {
        for (const update of mapUpdates(0, 2)) await store.appendUpdate(t, doc('merged'), update);
        await store.compact(t, doc('merged'), Y.mergeUpdates);
        await store.appendUpdate(t, doc('tail'), new Uint8Array([1]), {
          writers: [{ clientId: 42, deviceId: deviceId('laptop') }],
        });
        await db.withTenant(t, (sql) => insertAccountRows(sql, t));
        await db.withTenant(t, (sql) => insertSharingRows(sql, t, 'merged'));
      }
      for (const t of [a, b]) {
        await db.withTenant(t, async (sql) => {
          for (const table of TENANT_TABLES) {
            const owners = await tenantsOfRows(sql, table);
            expect(owners.length, `${table} rows of ${t}`).toBeGreaterThan(0);
            expect(new Set(owners), `${table} seen by ${t}`).toEqual(new Set([t]));
          }
        });
      }
      await db.withoutTenant(async (sql) => {
        for (const table of TENANT_TABLES) {
          expect(await tenantsOfRows(sql, table), `${table} without a tenant`).toEqual([]);
        }
      });
    });

    it('the application role cannot insert a row for another tenant', async () => {
      const { store, db } = ctx();
      const a = await tenantWithRow('check-a');
      const b = await tenantWithRow('check-b');
      await store.appendUpdate(a, doc('mine'), new Uint8Array([1]));
      await store.appendUpdate(b, doc('theirs'), new Uint8Array([2]));
      const attempts: [string, string, SqlValue[]][] = [
        ['tenants', 'insert into tenants (id) values ($1)', [`${b}-x`]],
        ['documents', 'insert into documents (tenant_id, id) values ($1, $2)', [b, 'planted']],
        [
          'document_updates',
          'insert into document_updates (tenant_id, document_id, data) values ($1, $2, $3)',
          [b, 'theirs', new Uint8Array([9])],
        ],
        [
          'document_states',
          'insert into document_states (tenant_id, document_id, state, merged_through) values ($1, $2, $3, 0)',
          [b, 'theirs', new Uint8Array([9])],
        ],
        ['users', USER_INSERT_SQL, userRow(b, 'planted')],
        ['document_members', MEMBER_INSERT_SQL, [b, 'theirs', 'planted']],
        [
          'envelope_writers',
          'insert into envelope_writers (tenant_id, document_id, client_id, device_id) values ($1, $2, 7, $3)',
          [b, 'theirs', 'planted'],
        ],
        [
          'drive_chunks',
          'insert into drive_chunks (tenant_id, space_id, address, size) values ($1, $2, $3, 16)',
          [b, 'theirs', 'a'.repeat(64)],
        ],
        [
          'drive_sweeps',
          `insert into drive_sweeps (tenant_id, space_id, id, user_id, claimed_before, expires_at)
           values ($1, $2, $3, 'planted', now(), now())`,
          [b, 'theirs', 'b'.repeat(32)],
        ],
        [
          'drive_releases',
          'insert into drive_releases (tenant_id, space_id, address) values ($1, $2, $3)',
          [b, 'theirs', 'c'.repeat(64)],
        ],
      ];
      for (const [label, text, params] of attempts) {
        await expect(
          db.withTenant(a, (sql) => sql.query(text, params)),
          `${label} as ${a}`,
        ).rejects.toThrow(/row-level security|foreign key/);
        await expect(
          db.withoutTenant((sql) => sql.query(text, params)),
          `${label} without a tenant`,
        ).rejects.toThrow(/row-level security|foreign key/);
      }
      // Moving one's own rows to another tenant fails WITH CHECK too.
      await expect(
        db.withTenant(a, (sql) => sql.query('update documents set tenant_id = $1 where tenant_id = $2', [b, a])),
      ).rejects.toThrow(/row-level security/);
      expect((await store.load(b, doc('planted'))).updates).toEqual([]);
      expect((await store.load(b, doc('theirs'))).updates).toEqual([new Uint8Array([2])]);
      expect((await store.load(a, doc('mine'))).updates).toEqual([new Uint8Array([1])]);
    });

    it('every table the application role can read has forced row level security', async () => {
      const { db } = ctx();
      const tables = await db.withoutTenant((sql) =>
        sql.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: bigint }>(
          `select c.relname::text as relname, c.relrowsecurity, c.relforcerowsecurity,
                  (select count(*) from pg_policy p where p.polrelid = c.oid) as policies
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = current_schema() and c.relkind in ('r', 'p')
             and has_table_privilege(c.oid, 'select')`,
        ),
      );
      expect(tables.map((table) => table.relname)).toEqual(expect.arrayContaining([...TENANT_TABLES]));
      for (const table of tables) {
        expect(table, table.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
        expect(table.policies, table.relname).toBeGreaterThan(0n);
      }
    });

    it('the application role is neither superuser nor bypassrls', async () => {
      const { db } = ctx();
      const rows = await db.withoutTenant((sql) =>
        sql.query<{ rolsuper: boolean; rolbypassrls: boolean; owned: bigint }>(
          `select rolsuper, rolbypassrls,
                  (select count(*) from pg_class c where c.relowner = r.oid) as owned
           from pg_roles r where rolname = current_user`,
        ),
      );
      expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false, owned: 0n }]);
      await expect(assertSafeApplicationRole(db)).resolves.toBeUndefined();
    });

    it('assertSafeApplicationRole rejects a superuser connection', async () => {
      await ctx().withAdmin(async (admin) => {
        await expect(assertSafeApplicationRole(admin)).rejects.toMatchObject({
          name: 'UnsafeDatabaseRoleError',
          code: 'UNSAFE_DATABASE_ROLE',
        });
      });
    });

    it('migrations are idempotent', async () => {
      const { store, withAdmin } = ctx();
      const t = await tenantWithRow('migrate');
      await store.appendUpdate(t, doc('kept'), new Uint8Array([7]));
      await withAdmin(async (admin) => {
        await expect(migrate(admin)).resolves.toEqual({ applied: [], version: MIGRATIONS.at(-1)?.version });
        await expect(migrate(admin)).resolves.toEqual({ applied: [], version: MIGRATIONS.at(-1)?.version });
        const recorded = await admin.withoutTenant((sql) =>
          sql.query<{ version: number }>('select version from schema_migrations order by version'),
        );
        expect(recorded.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
        // An applied migration whose text changed is refused, and nothing is applied.
        const [first, ...rest] = MIGRATIONS;
        if (!first) throw new Error('no migrations');
        await expect(
          migrate(admin, { migrations: [{ ...first, sql: `${first.sql}\n-- edited` }, ...rest] }),
        ).rejects.toBeInstanceOf(MigrationMismatchError);
      });
      const after = await store.load(t, doc('kept'));
      expect(after.updates).toEqual([new Uint8Array([7])]);
      await store.appendUpdate(t, doc('kept'), new Uint8Array([8]));
      expect((await store.load(t, doc('kept'))).updates).toHaveLength(2);
    });

    it('deleting a document removes its state and updates', async () => {
      const { store, db } = ctx();
      const t = await tenantWithRow('delete');
      const d = doc('doomed');
      for (const update of mapUpdates(0, 3)) await store.appendUpdate(t, d, update);
      await store.compact(t, d, Y.mergeUpdates);
      await store.appendUpdate(t, d, mapUpdates(3, 1)[0] ?? new Uint8Array());
      await expect(store.deleteDocument(t, d)).resolves.toBe(true);
      await expect(store.load(t, d)).resolves.toEqual({ state: null, updates: [], lastSeq: 0n });
      const left = await db.withTenant(t, (sql) =>
        sql.query<{ n: bigint }>(
          `select (select count(*) from document_states where document_id = $1)
                + (select count(*) from document_updates where document_id = $1)
                + (select count(*) from documents where id = $1) as n`,
          [d],
        ),
      );
      expect(left[0]?.n).toBe(0n);
      await expect(store.deleteDocument(t, d)).resolves.toBe(false);
    });

    it('a failed transaction leaves nothing behind', async () => {
      const { db, store } = ctx();
      const t = await tenantWithRow('rollback');
      await expect(
        db.withTenant(t, async (sql) => {
          await sql.query('insert into documents (tenant_id, id) values ($1, $2)', [t, 'thrown']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      // A statement error swallowed by the callback must not commit the rest.
      await expect(
        db.withTenant(t, async (sql) => {
          await sql.query('insert into documents (tenant_id, id) values ($1, $2)', [t, 'swallowed']);
          await sql.query('select 1 / 0').catch(() => undefined);
        }),
      ).rejects.toThrow();
      const ids = await db.withTenant(t, (sql) => sql.query<{ id: string }>('select id from documents'));
      expect(ids).toEqual([]);
      await expect(store.stats(t, doc('thrown'))).resolves.toMatchObject({ exists: false });
    });

    it('an executor stops working when its transaction ends', async () => {
      const { db } = ctx();
      const t = await tenantWithRow('leak');
      let leaked: SqlExecutor | undefined;
      await db.withTenant(t, async (sql) => {
        leaked = sql;
        await sql.query('select 1');
      });
      if (!leaked) throw new Error('no executor');
      await expect(leaked.query('select 1')).rejects.toThrow(/transaction that has ended/);
    });

    it('rejects invalid ids before touching the database', async () => {
      const { store } = ctx();
      const t = await tenantWithRow('ids');
      await expect(store.load('../x' as TenantId, doc('d'))).rejects.toMatchObject({ code: 'INVALID_ID' });
      await expect(store.load(t, '' as DocumentId)).rejects.toThrow(/invalid document id/);
      await expect(store.appendUpdate(t, doc('d'), new Uint8Array())).rejects.toThrow(RangeError);
    });
  });
}

/** `count` updates, each from its own Y.Doc, setting key `k<i>` for i in [from, from + count). */
function mapUpdates(from: number, count: number): Uint8Array[] {
  const updates: Uint8Array[] = [];
  for (let i = from; i < from + count; i++) {
    const ydoc = new Y.Doc();
    ydoc.getMap('m').set(`k${i}`, i);
    updates.push(Y.encodeStateAsUpdate(ydoc));
  }
  return updates;
}

function keyRange(from: number, to: number): string[] {
  const keys: string[] = [];
  for (let i = from; i < to; i++) keys.push(`k${i}`);
  return keys.sort();
}

function keysOf(loaded: { state: Uint8Array | null; updates: Uint8Array[] }): string[] {
  const ydoc = new Y.Doc();
  if (loaded.state) Y.applyUpdate(ydoc, loaded.state);
  for (const update of loaded.updates) Y.applyUpdate(ydoc, update);
  return [...ydoc.getMap('m').keys()].sort();
}

const USER_INSERT_SQL = `insert into users (tenant_id, id, email, role, auth_salt, kdf_ops, kdf_mem, auth_hash,
  auth_hash_salt, key_bundle, signing_public_key, box_public_key) values ($1, $2, $3, 'member', $4, 2, 67108864, $5, $6,
  $7, $8, $9)`;

function userRow(tenant: TenantId, id: string): SqlValue[] {
  const bytes = (length: number) => new Uint8Array(randomBytes(length));
  return [tenant, id, `${id}@example.com`, bytes(16), bytes(32), bytes(32), bytes(64), bytes(32), bytes(32)];
}

/** One row in each account table (a user with a device, a refresh token and a recovery code). */
async function insertAccountRows(sql: SqlExecutor, tenant: TenantId): Promise<void> {
  const bytes = (length: number) => new Uint8Array(randomBytes(length));
  await sql.query(USER_INSERT_SQL, userRow(tenant, 'user'));
  await sql.query('insert into recovery_codes (tenant_id, user_id, code_hash) values ($1, $2, $3)', [
    tenant,
    'user',
    bytes(32),
  ]);
  await sql.query(
    `insert into devices (tenant_id, id, user_id, name, signing_public_key, box_public_key)
     values ($1, 'device', 'user', 'laptop', $2, $3)`,
    [tenant, bytes(32), bytes(32)],
  );
  await sql.query(
    `insert into refresh_tokens (tenant_id, token_hash, family_id, user_id, device_id, expires_at)
     values ($1, $2, 'family', 'user', 'device', now() + interval '1 day')`,
    [tenant, bytes(32)],
  );
}

const MEMBER_INSERT_SQL = `insert into document_members (tenant_id, document_id, user_id, role)
  values ($1, $2, $3, 'owner')`;

/** One row in each sharing table for `documentId`: its owner ('user'), a grant, a link and a link key. */
async function insertSharingRows(sql: SqlExecutor, tenant: TenantId, documentId: string): Promise<void> {
  const bytes = (length: number) => new Uint8Array(randomBytes(length));
  await sql.query(MEMBER_INSERT_SQL, [tenant, documentId, 'user']);
  await sql.query(
    `insert into key_grants (tenant_id, document_id, key_epoch, recipient_user_id, granter_user_id, role,
                             sealed_key, signature)
     values ($1, $2, 0, 'user', 'user', 'owner', $3, $4)`,
    [tenant, documentId, bytes(80), bytes(64)],
  );
  await sql.query(
    `insert into grant_log (tenant_id, document_id, key_epoch, recipient_user_id, granter_user_id, role,
                            sealed_key, signature)
     values ($1, $2, 0, 'user', 'user', 'owner', $3, $4)`,
    [tenant, documentId, bytes(80), bytes(64)],
  );
  const linkId = randomBytes(16).toString('hex');
  await sql.query(
    `insert into links (tenant_id, id, document_id, role, verifier, created_by)
     values ($1, $2, $3, 'viewer', $4, 'user')`,
    [tenant, linkId, documentId, bytes(32)],
  );
  await sql.query('insert into link_keys (tenant_id, link_id, key_epoch, sealed_key) values ($1, $2, 0, $3)', [
    tenant,
    linkId,
    bytes(72),
  ]);
  await sql.query('insert into drive_chunks (tenant_id, space_id, address, size) values ($1, $2, $3, 16)', [
    tenant,
    documentId,
    randomBytes(32).toString('hex'),
  ]);
  await sql.query(
    `insert into drive_sweeps (tenant_id, space_id, id, user_id, claimed_before, expires_at)
     values ($1, $2, $3, 'user', now(), now() + interval '1 hour')`,
    [tenant, documentId, randomBytes(16).toString('hex')],
  );
  await sql.query('insert into drive_releases (tenant_id, space_id, address) values ($1, $2, $3)', [
    tenant,
    documentId,
    randomBytes(32).toString('hex'),
  ]);
}

async function tenantsOfRows(sql: SqlExecutor, table: string): Promise<string[]> {
  const column = table === 'tenants' ? 'id' : 'tenant_id';
  const rows = await sql.query<{ owner: string }>(`select ${column} as owner from ${table}`);
  return rows.map((row) => row.owner);
}
