import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TenantId } from '@coffre/protocol';
import { createDatabase } from '../../src/storage/createDatabase.ts';
import { DocumentStore } from '../../src/storage/DocumentStore.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { DEFAULT_APP_ROLE } from '../../src/storage/migrations.ts';
import { PgliteDatabase } from '../../src/storage/PgliteDatabase.ts';
import { PostgresDatabase } from '../../src/storage/PostgresDatabase.ts';
import type { DocumentStoreContractFixture } from '../../src/storage/runDocumentStoreContractTests.ts';
import type { SqlDatabase, SqlExecutor } from '../../src/storage/SqlDatabase.ts';

/** Forwards to a database that can be replaced (PGlite reopens its directory around admin work). */
class SwappableDatabase implements SqlDatabase {
  inner: SqlDatabase;
  constructor(inner: SqlDatabase) {
    this.inner = inner;
  }
  get engine() {
    return this.inner.engine;
  }
  withTenant<T>(tenantId: TenantId, fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inner.withTenant(tenantId, fn);
  }
  withoutTenant<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inner.withoutTenant(fn);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * PGlite in a fresh temporary data directory, opened by createDatabase
 * (migrated, running as the application role). withAdmin closes it, opens
 * the directory as the superuser, then reopens it as the application role.
 */
export async function pgliteFixture(): Promise<DocumentStoreContractFixture & { dataDir: string }> {
  const dir = await tempDir('coffre-pglite-');
  const db = new SwappableDatabase(await createDatabase({ dataDir: dir.path }));
  return {
    dataDir: dir.path,
    db,
    store: new DocumentStore(db),
    async withAdmin(fn) {
      await db.inner.close();
      try {
        const admin = await PgliteDatabase.open({ dataDir: dir.path });
        try {
          return await fn(admin);
        } finally {
          await admin.close();
        }
      } finally {
        db.inner = await PgliteDatabase.open({ dataDir: dir.path, username: DEFAULT_APP_ROLE });
      }
    },
    async teardown() {
      await db.close();
      await dir.remove();
    },
  };
}

/** The same URL with another user (and no password: the local server trusts it). */
export function withUser(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = '';
  return parsed.toString();
}

/** PostgreSQL at `adminUrl` (a superuser): migrated, the store connected as the application role. */
export async function postgresFixture(adminUrl: string): Promise<DocumentStoreContractFixture> {
  const admin = new PostgresDatabase({ connectionString: adminUrl, max: 2 });
  try {
    await migrate(admin);
  } catch (error) {
    await admin.close();
    throw error;
  }
  const db = new PostgresDatabase(withUser(adminUrl, DEFAULT_APP_ROLE));
  return {
    db,
    store: new DocumentStore(db),
    persistent: true,
    withAdmin: (fn) => fn(admin),
    async teardown() {
      await db.close();
      await admin.close();
    },
  };
}
