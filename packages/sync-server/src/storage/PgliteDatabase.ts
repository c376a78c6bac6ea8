import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { lockDataDir } from './dataDirLock.ts';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { TenantId } from '@coffre/protocol';
import { isValidId, InvalidIdError } from '@coffre/protocol';
import { UnsafeDatabaseRoleError } from './errors.ts';
import { migrate, validateRoleName, type MigrateResult } from './migrate.ts';
import { DEFAULT_APP_ROLE } from './migrations.ts';
import { SET_TENANT_SQL, type SqlDatabase, type SqlExecutor, type SqlValue } from './SqlDatabase.ts';

const INT8_OID = 20;
/** int8 as bigint, as PostgresDatabase does (PGlite's default is a lossy number). */
const QUERY_OPTIONS = { parsers: { [INT8_OID]: (value: string) => BigInt(value) } };

/** Data directories opened by this process: two PGlite instances on one directory corrupt it. */

export interface PgliteDatabaseOptions {
  /** Where the database lives on disk (created if missing); in memory when omitted. */
  dataDir?: string;
  /**
   * The role to run as (PGlite's `username` option). The role must already
   * exist, so this needs a `dataDir` migrated earlier. Omitted: the
   * `postgres` superuser, for migrations only.
   */
  username?: string;
}

export interface OpenMigratedPgliteOptions {
  /** Where the database lives on disk (created if missing); in memory when omitted. */
  dataDir?: string;
  /** The application role to create and run as; default `coffre_app`. */
  appRole?: string;
  /** Stored on the role; PGlite has no authentication, so it is never checked. */
  appPassword?: string;
}

/**
 * {@link SqlDatabase} over PGlite (PostgreSQL compiled to WebAssembly, in
 * process): the embedded default engine, with the same SQL, migrations and
 * Row Level Security as PostgreSQL.
 *
 * PGlite has one connection and serialises transactions itself. Its
 * `username` option does not log in as that role: the session user stays the
 * `postgres` superuser and only `current_user` changes (a session-level
 * `SET ROLE`), so `RESET ROLE` would escape Row Level Security. When opened
 * for a role, every transaction therefore checks `current_user` when it
 * starts and before it commits: a transaction that changed role is rolled
 * back (which also undoes the `SET`/`RESET ROLE`), and an instance whose role
 * drifted outside a transaction refuses all work with
 * {@link UnsafeDatabaseRoleError}.
 */
export class PgliteDatabase implements SqlDatabase {
  readonly engine = 'pglite';
  /** Absolute data directory, or undefined in memory. */
  readonly dataDir: string | undefined;
  readonly #db: PGlite;
  #expectedRole: string | null;
  #closing: Promise<void> | undefined;
  #release: () => void = () => undefined;

  private constructor(db: PGlite, dataDir: string | undefined, expectedRole: string | null) {
    this.#db = db;
    this.dataDir = dataDir;
    this.#expectedRole = expectedRole;
  }

  /**
   * Starts PGlite. Without `username` the instance runs as the `postgres`
   * superuser: use it for {@link migrate} only, then close it (see
   * {@link PgliteDatabase.openMigrated}).
   */
  static async open(options: PgliteDatabaseOptions = {}): Promise<PgliteDatabase> {
    const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
    const username = options.username === undefined ? undefined : validateRoleName(options.username);
    if (username !== undefined && dataDir === undefined) {
      throw new Error('PGlite can only start as a role in a migrated dataDir; use PgliteDatabase.openMigrated');
    }
    let release = () => undefined as void;
    if (dataDir !== undefined) {
      release = lockDataDir(dataDir);
      mkdirSync(dataDir, { recursive: true });
    }
    const db = new PGlite({ dataDir, username });
    try {
      await db.waitReady;
    } catch (error) {
      release();
      await db.close().catch(() => undefined);
      if (username !== undefined && error instanceof Error && /role .* does not exist/.test(error.message)) {
        throw new Error(`PGlite role ${username} does not exist in ${dataDir}: run the migrations first`, {
          cause: error,
        });
      }
      throw error;
    }
    const instance = new PgliteDatabase(db, dataDir, username ?? null);
    instance.#release = release;
    return instance;
  }

  /**
   * Migrates as the superuser, then returns an instance running as the
   * application role. With a `dataDir` the superuser instance is closed and
   * the directory reopened with PGlite's `username` option; in memory (one
   * instance, nothing to reopen) the same session switches with
   * `SET ROLE`, which is what `username` does anyway.
   */
  static async openMigrated(
    options: OpenMigratedPgliteOptions = {},
  ): Promise<{ db: PgliteDatabase; migration: MigrateResult }> {
    const appRole = validateRoleName(options.appRole ?? DEFAULT_APP_ROLE);
    const admin = await PgliteDatabase.open({ dataDir: options.dataDir });
    let migration: MigrateResult;
    try {
      migration = await migrate(admin, { appRole, appPassword: options.appPassword });
      if (admin.dataDir === undefined) {
        await admin.#db.query(`set role "${appRole}"`);
        admin.#expectedRole = appRole;
        return { db: admin, migration };
      }
    } catch (error) {
      await admin.close();
      throw error;
    }
    await admin.close();
    return { db: await PgliteDatabase.open({ dataDir: options.dataDir, username: appRole }), migration };
  }

  withTenant<T>(tenantId: TenantId, fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    if (!isValidId(tenantId)) return Promise.reject(new InvalidIdError('tenant', tenantId));
    return this.#transaction(tenantId, fn);
  }

  withoutTenant<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#transaction(null, fn);
  }

  async ping(): Promise<void> {
    await this.withoutTenant((sql) => sql.query('select 1'));
  }

  close(): Promise<void> {
    this.#closing ??= this.#db.close().finally(() => {
      this.#release();
    });
    return this.#closing;
  }

  async #transaction<T>(tenantId: string | null, fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.#closing) throw new Error('the database is closed');
    const expected = this.#expectedRole;
    return this.#db.transaction(async (tx) => {
      const first =
        tenantId === null
          ? await tx.query<{ role: string }>('select current_user::text as role')
          : await tx.query<{ role: string }>(`${SET_TENANT_SQL}, current_user::text as role`, [tenantId]);
      if (expected !== null) checkRole(first.rows[0]?.role, expected, 'before');
      const scope = new TransactionScope(tx);
      try {
        const result = await fn(scope.executor);
        if (expected !== null) {
          const last = await tx.query<{ role: string }>('select current_user::text as role');
          checkRole(last.rows[0]?.role, expected, 'during');
        }
        return result;
      } finally {
        scope.end();
      }
    });
  }
}

function checkRole(actual: string | undefined, expected: string, when: 'before' | 'during'): void {
  if (actual === expected) return;
  throw new UnsafeDatabaseRoleError(actual ?? '(unknown)', [
    when === 'before'
      ? `the PGlite session is no longer running as ${JSON.stringify(expected)}; refusing to run the transaction`
      : `the transaction switched away from ${JSON.stringify(expected)}; it was rolled back`,
  ]);
}

/** Hands out an executor that stops working once its transaction is over. */
class TransactionScope {
  readonly executor: SqlExecutor;
  #tx: Transaction | null;

  constructor(tx: Transaction) {
    this.#tx = tx;
    this.executor = {
      query: async <Row extends object>(text: string, params: readonly SqlValue[] = []): Promise<Row[]> => {
        const result = await this.#active().query<Row>(text, [...params], QUERY_OPTIONS);
        return result.rows;
      },
      exec: async (script: string): Promise<void> => {
        await this.#active().exec(script, QUERY_OPTIONS);
      },
    };
  }

  end(): void {
    this.#tx = null;
  }

  #active(): Transaction {
    if (!this.#tx) throw new Error('this SqlExecutor belongs to a transaction that has ended');
    return this.#tx;
  }
}
