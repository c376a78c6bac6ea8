import { SchemaNotMigratedError } from './errors.ts';
import { migrate, type MigrateResult } from './migrate.ts';
import { TENANT_TABLES } from './migrations.ts';
import { PgliteDatabase } from './PgliteDatabase.ts';
import { PgliteWorkerDatabase } from './PgliteWorkerDatabase.ts';
import { PostgresDatabase } from './PostgresDatabase.ts';
import { assertSafeApplicationRole } from './roleSafety.ts';
import type { SqlDatabase } from './SqlDatabase.ts';

export interface CreateDatabaseOptions {
  /**
   * PGlite data directory (created if missing). Used when `databaseUrl` is
   * not set; PGlite runs in memory when this is not set either.
   */
  dataDir?: string;
  /** PostgreSQL URL of the application role; selects PostgreSQL. */
  databaseUrl?: string;
  /** The application role: created by migrations, used by PGlite at run time. Default `coffre_app`. */
  appRole?: string;
  /** Password given to the application role when migrations run (ignored by PGlite). */
  appPassword?: string;
  /**
   * PostgreSQL URL of an administrator (owner / superuser) connection: when
   * set, migrations run with it before connecting. When not set, the schema
   * must already be migrated (`coffre-relay migrate`).
   */
  adminDatabaseUrl?: string;
  /**
   * Run PGlite on the calling thread instead of a worker thread. The worker
   * (the default) keeps PGlite's CPU work off the relay's event loop.
   */
  pgliteOnMainThread?: boolean;
}

/**
 * Opens the database the relay serves requests with, ready to use:
 *
 * - **PGlite** (no `databaseUrl`): opens `dataDir` (or memory) as the
 *   superuser, runs the migrations (which create the application role),
 *   closes it and reopens as the application role.
 * - **PostgreSQL** (`databaseUrl`): runs the migrations with
 *   `adminDatabaseUrl` when given, then connects with `databaseUrl` and
 *   checks that the schema is there.
 *
 * Either way it finishes with {@link assertSafeApplicationRole}, so it
 * rejects with `UnsafeDatabaseRoleError` rather than run as a role that
 * could bypass Row Level Security (e.g. `databaseUrl` naming a superuser).
 */
export async function createDatabase(options: CreateDatabaseOptions = {}): Promise<SqlDatabase> {
  let db: SqlDatabase;
  if (options.databaseUrl === undefined && options.pgliteOnMainThread) {
    ({ db } = await PgliteDatabase.openMigrated({
      dataDir: options.dataDir,
      appRole: options.appRole,
      appPassword: options.appPassword,
    }));
  } else if (options.databaseUrl === undefined) {
    db = await PgliteWorkerDatabase.open({ dataDir: options.dataDir, appRole: options.appRole });
  } else {
    if (options.adminDatabaseUrl !== undefined) await migratePostgres(options.adminDatabaseUrl, options);
    db = new PostgresDatabase(options.databaseUrl);
  }
  try {
    await assertMigrated(db);
    await assertSafeApplicationRole(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

export interface MigrateDatabaseOptions {
  /** PGlite data directory; used when `adminDatabaseUrl` is not set. */
  dataDir?: string;
  /** PostgreSQL URL of an administrator connection; selects PostgreSQL. */
  adminDatabaseUrl?: string;
  /** The application role to create and grant to. Default `coffre_app`. */
  appRole?: string;
  /** Sets the application role's password (PostgreSQL). */
  appPassword?: string;
}

/**
 * Runs the migrations (`coffre-relay migrate`): on PostgreSQL with
 * `adminDatabaseUrl`, else on the PGlite `dataDir` as its superuser.
 * Resolves with the versions applied (empty when up to date).
 */
export async function migrateDatabase(options: MigrateDatabaseOptions): Promise<number[]> {
  if (options.adminDatabaseUrl !== undefined) {
    return (await migratePostgres(options.adminDatabaseUrl, options)).applied;
  }
  if (options.dataDir === undefined) throw new Error('migrateDatabase needs adminDatabaseUrl or dataDir');
  const admin = await PgliteDatabase.open({ dataDir: options.dataDir });
  try {
    return (await migrate(admin, { appRole: options.appRole, appPassword: options.appPassword })).applied;
  } finally {
    await admin.close();
  }
}

async function migratePostgres(
  adminDatabaseUrl: string,
  options: { appRole?: string; appPassword?: string },
): Promise<MigrateResult> {
  const admin = new PostgresDatabase({ connectionString: adminDatabaseUrl, max: 1 });
  try {
    return await migrate(admin, { appRole: options.appRole, appPassword: options.appPassword });
  } finally {
    await admin.close();
  }
}

async function assertMigrated(db: SqlDatabase): Promise<void> {
  const missing = await db.withoutTenant(async (sql) => {
    const rows = await sql.query<{ name: string }>(
      'select name from unnest($1::text[]) as t(name) where to_regclass(name) is null',
      [`{${TENANT_TABLES.join(',')}}`],
    );
    return rows.map((row) => row.name);
  });
  if (missing.length > 0) throw new SchemaNotMigratedError(missing);
}
