import type { TenantId } from '@coffre/protocol';
import type { SqlDatabase } from './SqlDatabase.ts';

/**
 * What an engine's test file hands a repository contract suite (see
 * runAccountRepositoryContractTests, runSharingRepositoryContractTests,
 * runEnvelopeRepositoryContractTests): the same database and admin access
 * as the DocumentStore suite's fixture.
 */
export interface RepositoryContractFixture {
  /** The database the repositories use, connected as the application role. */
  db: SqlDatabase;
  /** Runs `fn` with an administrator connection to the same database (cleanup of a shared PostgreSQL). */
  withAdmin: <T>(fn: (admin: SqlDatabase) => Promise<T>) => Promise<T>;
  /** Set when the database outlives the suite: the suite then deletes the tenants it created. */
  persistent?: boolean;
  /** Closes everything setup opened. */
  teardown: () => Promise<void>;
}

/**
 * Deletes every tenant whose id starts with `prefix` (their rows go by ON
 * DELETE CASCADE) when the database is persistent, then tears down.
 */
export async function finishRepositoryContract(fixture: RepositoryContractFixture, prefix: string): Promise<void> {
  try {
    if (fixture.persistent) {
      await fixture.withAdmin((admin) =>
        admin.withoutTenant((sql) => sql.query('delete from tenants where id like $1', [`${prefix}%`])),
      );
    }
  } finally {
    await fixture.teardown();
  }
}

/** Unique tenant ids for one run of a suite: `<prefix><label>-<n>`. */
export function tenantIds(prefix: string, make: (value: string) => TenantId): (label: string) => TenantId {
  let counter = 0;
  return (label) => make(`${prefix}${label}-${++counter}`);
}
