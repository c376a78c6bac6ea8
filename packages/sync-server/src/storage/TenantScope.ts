import type { TenantId } from '@coffre/protocol';
import type { SqlDatabase, SqlExecutor } from './SqlDatabase.ts';

/**
 * Opens tenant transactions and hands each one a set of repositories bound
 * to it. The transaction is {@link SqlDatabase.withTenant} unchanged (its
 * first statement sets `coffre.tenant_id`, so Row Level Security shows and
 * accepts only that tenant's rows), and every repository of the set is
 * built for that transaction and that tenant: a repository cannot be called
 * with another tenant's id, nor outlive its transaction.
 *
 * @example
 * const scope = new TenantScope(database, (sql, tenant) => ({ users: new UserRepository(sql, tenant) }));
 * const account = await scope.run(tenant, ({ users }) => users.account(userId));
 */
export class TenantScope<Repositories> {
  readonly #database: SqlDatabase;
  readonly #bind: (sql: SqlExecutor, tenant: TenantId) => Repositories;

  constructor(database: SqlDatabase, bind: (sql: SqlExecutor, tenant: TenantId) => Repositories) {
    this.#database = database;
    this.#bind = bind;
  }

  /** Runs `fn` in one tenant transaction: commits when it resolves, rolls back when it rejects. */
  run<T>(tenant: TenantId, fn: (repositories: Repositories) => Promise<T>): Promise<T> {
    return this.#database.withTenant(tenant, (sql) => fn(this.#bind(sql, tenant)));
  }
}

/** What every repository holds: the transaction it runs in and the tenant that transaction is set to. */
export abstract class ScopedRepository {
  protected readonly sql: SqlExecutor;
  protected readonly tenant: TenantId;

  constructor(sql: SqlExecutor, tenant: TenantId) {
    this.sql = sql;
    this.tenant = tenant;
  }
}

/** A `text[]` parameter: ids never contain commas or braces (see the protocol's id rules). */
export function textArray(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}
