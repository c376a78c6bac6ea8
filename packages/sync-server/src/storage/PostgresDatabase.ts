import type { TenantId } from '@coffre/protocol';
import { isValidId, InvalidIdError } from '@coffre/protocol';
import pg from 'pg';
import type { PoolClient, PoolConfig } from 'pg';
import { SET_TENANT_SQL, toPlainBytes, type SqlDatabase, type SqlExecutor, type SqlValue } from './SqlDatabase.ts';

const BYTEA_OID = 17;
const INT8_OID = 20;

const parseByteaText = pg.types.getTypeParser(BYTEA_OID, 'text') as (value: string) => Buffer;

/** Parsers shared by every pool: bytea as a plain Uint8Array, int8 as bigint (as PgliteDatabase does). */
function typeOverrides(): pg.TypeOverrides {
  const types = new pg.TypeOverrides();
  types.setTypeParser(BYTEA_OID, 'text', (value: string) => toPlainBytes(parseByteaText(value)));
  types.setTypeParser(INT8_OID, 'text', (value: string) => BigInt(value));
  return types;
}

export interface PostgresDatabaseOptions {
  /**
   * Called with errors of idle pooled connections (server restart, network
   * drop). The pool drops such a connection and opens a new one on the next
   * transaction; without a handler those errors are ignored rather than
   * crashing the process.
   */
  onIdleClientError?: (error: Error) => void;
}

/**
 * {@link SqlDatabase} over a `pg` connection pool (production engine).
 *
 * Connect it with the application role for serving requests, or with an
 * administrator role to run `migrate`. Each transaction checks out one pooled
 * connection, runs BEGIN, the tenant `set_config(..., true)`, the caller's
 * statements and COMMIT, and returns the connection; nothing survives the
 * transaction, so it also works behind PgBouncer in transaction mode.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly engine = 'postgres';
  readonly #pool: pg.Pool;
  #closing: Promise<void> | undefined;

  /** @param config A connection URL (`postgres://user@host:5432/db`) or a `pg` pool configuration. */
  constructor(config: string | PoolConfig, options: PostgresDatabaseOptions = {}) {
    const poolConfig: PoolConfig = typeof config === 'string' ? { connectionString: config } : { ...config };
    this.#pool = new pg.Pool({ application_name: 'coffre-relay', ...poolConfig, types: typeOverrides() });
    const onError = options.onIdleClientError;
    this.#pool.on('error', (error: Error) => onError?.(error));
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
    this.#closing ??= this.#pool.end();
    return this.#closing;
  }

  async #transaction<T>(tenantId: string | null, fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.#closing) throw new Error('the database is closed');
    const client = await this.#pool.connect();
    try {
      await client.query('begin');
    } catch (error) {
      client.release(asError(error));
      throw error;
    }
    // A connection whose state is unknown (ROLLBACK failed) is destroyed, not reused.
    let broken: Error | undefined;
    const scope = new TransactionScope(client);
    try {
      if (tenantId !== null) await client.query(SET_TENANT_SQL, [tenantId]);
      const result = await fn(scope.executor);
      const commit = await client.query('commit');
      // COMMIT of a transaction in which a statement failed (and fn swallowed
      // the error) reports ROLLBACK instead of failing.
      if (commit.command !== 'COMMIT') throw new Error('the transaction was rolled back instead of committed');
      return result;
    } catch (error) {
      try {
        await client.query('rollback');
      } catch (rollbackError) {
        broken = asError(rollbackError);
      }
      throw error;
    } finally {
      scope.end();
      client.release(broken ?? false);
    }
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Hands out an executor that stops working once its transaction is over. */
class TransactionScope {
  readonly executor: SqlExecutor;
  #client: PoolClient | null;

  constructor(client: PoolClient) {
    this.#client = client;
    this.executor = {
      query: async <Row extends object>(text: string, params: readonly SqlValue[] = []): Promise<Row[]> => {
        const result = await this.#active().query(text, [...params]);
        return result.rows as Row[];
      },
      exec: async (script: string): Promise<void> => {
        await this.#active().query(script);
      },
    };
  }

  end(): void {
    this.#client = null;
  }

  #active(): PoolClient {
    if (!this.#client) throw new Error('this SqlExecutor belongs to a transaction that has ended');
    return this.#client;
  }
}
