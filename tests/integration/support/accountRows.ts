import type { TenantId } from '@coffre/protocol';
import type { RelayHarness } from './relayHarness.ts';

/** The account tables whose state bad input must leave alone. */
export const ACCOUNT_TABLES = ['tenants', 'users', 'recovery_codes', 'devices', 'refresh_tokens'] as const;

/**
 * Row count and a digest of every row of each account table (or of
 * `tables`) of one tenant, read as the relay's application role: equal
 * snapshots mean nothing changed.
 */
export async function accountRowsSnapshot(
  harness: RelayHarness,
  tenant: TenantId,
  tables: readonly string[] = ACCOUNT_TABLES,
): Promise<Record<string, string>> {
  return harness.relay.database.withTenant(tenant, async (sql) => {
    const snapshot: Record<string, string> = {};
    for (const table of tables) {
      const [row] = await sql.query<{ rows: bigint; digest: string | null }>(
        `select count(*) as rows, md5(string_agg(t::text, '|' order by t::text)) as digest from ${table} t`,
      );
      snapshot[table] = `${row?.rows ?? 0n} rows, ${row?.digest ?? 'empty'}`;
    }
    return snapshot;
  });
}
