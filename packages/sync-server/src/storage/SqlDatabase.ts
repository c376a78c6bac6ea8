import type { TenantId } from '@coffre/protocol';

/**
 * A value that can be bound to a `$n` placeholder. Both engines bind
 * `Uint8Array` as `bytea` and `bigint` as its decimal text.
 */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array | Date;

/**
 * Runs statements inside the transaction opened by {@link SqlDatabase}.
 *
 * Result values are normalised so both engines agree: `bytea` is a plain
 * `Uint8Array` (never a Node `Buffer`), `int8`/`bigint` is a JS `bigint`
 * (so `count(*)` is a bigint too), `numeric` is a string, `timestamptz` a `Date`.
 */
export interface SqlExecutor {
  /**
   * One statement with `$1..$n` placeholders. The row type is the caller's
   * claim about the statement; nothing checks it at run time.
   */
  query<Row extends object = Record<string, unknown>>(text: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** A script of several statements without parameters (migrations, DDL). */
  exec(script: string): Promise<void>;
}

/** Which implementation is behind a {@link SqlDatabase}. */
export type SqlEngine = 'postgres' | 'pglite';

/**
 * The relay's only way to reach SQL. Every unit of work is one transaction;
 * connections are never handed out, so the tenant setting cannot leak from
 * one request to another.
 *
 * Do not nest calls: with PGlite (one connection) a nested call waits for the
 * outer transaction and never finishes.
 */
export interface SqlDatabase {
  readonly engine: SqlEngine;
  /**
   * Runs `fn` in one transaction whose first statement is
   * `select set_config('coffre.tenant_id', $1, true)` (transaction-local, so
   * safe behind PgBouncer in transaction mode). Row Level Security then shows
   * and accepts only that tenant's rows. Commits when `fn` resolves (the
   * promise resolves after COMMIT succeeded), rolls back when it rejects.
   */
  withTenant<T>(tenantId: TenantId, fn: (sql: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one transaction with no tenant set. For the application
   * role, every tenant table then looks empty; use it for role checks and,
   * on an administrator connection, for migrations.
   */
  withoutTenant<T>(fn: (sql: SqlExecutor) => Promise<T>): Promise<T>;
  /** Resolves when the database answers `select 1` (readiness probes). */
  ping(): Promise<void>;
  /** Waits for running transactions, then releases connections / the engine. */
  close(): Promise<void>;
}

/** The transaction-local setting the policies compare `tenant_id` with. */
export const TENANT_SETTING = 'coffre.tenant_id';

/** The statement every tenant transaction starts with. */
export const SET_TENANT_SQL = `select set_config('${TENANT_SETTING}', $1, true)`;

/**
 * A `Uint8Array` that shares no memory with anything else: a Node `Buffer`
 * cut from the shared allocation pool is copied (its `.buffer` would expose
 * neighbouring bytes), a `Buffer` owning its whole `ArrayBuffer` is viewed.
 */
export function toPlainBytes(bytes: Uint8Array): Uint8Array {
  if (!Buffer.isBuffer(bytes)) return bytes;
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) {
    return new Uint8Array(bytes.buffer, 0, bytes.byteLength);
  }
  return new Uint8Array(bytes);
}
