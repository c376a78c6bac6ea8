import pg from 'pg';
import { type TenantId, tenantId } from '@coffre/protocol';
import { TENANT_TABLES } from '@coffre/sync-server';
import type { RelayHarness } from './relayHarness.ts';

/** Every row of every tenant table the tenant can see, as the relay's application role reads it. */
export async function dumpTenant(harness: RelayHarness, tenant: TenantId | string): Promise<string> {
  let dump = '';
  await harness.relay.database.withTenant(tenantId(tenant), async (sql) => {
    for (const table of TENANT_TABLES) {
      for (const row of await sql.query(`select * from ${table}`)) dump += rowText(row);
    }
  });
  return dump;
}

/** Every row of every table of the public schema, read by the administrator. */
export async function dumpPostgres(adminUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>(
      "select tablename from pg_tables where schemaname = 'public'",
    );
    let dump = '';
    for (const { tablename } of tables.rows) {
      for (const row of (await client.query(`select * from "${tablename}"`)).rows as Record<string, unknown>[]) {
        dump += rowText(row);
      }
    }
    return dump;
  } finally {
    await client.end();
  }
}

/** A row as text; binary columns as latin1 so any embedded ASCII marker is found. */
function rowText(row: Record<string, unknown>): string {
  return `${Object.values(row)
    .map((value) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : String(value)))
    .join('\n')}\n`;
}
