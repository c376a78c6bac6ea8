import { ScopedRepository } from './TenantScope.ts';

/**
 * The `tenants` table: the row every other table's rows hang from (their
 * `tenant_id` references it, ON DELETE CASCADE). Only the scope's own tenant
 * row is visible (Row Level Security on `id`).
 */
export class TenantRepository extends ScopedRepository {
  /** Inserts the tenant row unless it exists; resolves true when it was inserted. */
  async create(name: string | null): Promise<boolean> {
    const rows = await this.sql.query(
      'insert into tenants (id, name) values ($1, $2) on conflict (id) do nothing returning id',
      [this.tenant, name],
    );
    return rows.length > 0;
  }

  /** Whether the tenant row exists. */
  async exists(): Promise<boolean> {
    const rows = await this.sql.query('select 1 from tenants where id = $1', [this.tenant]);
    return rows.length > 0;
  }

  /**
   * Locks the tenant row until the transaction ends (`FOR UPDATE`), so
   * transactions that must not interleave per tenant (registrations) run one
   * after the other; resolves false when the tenant does not exist.
   */
  async lock(): Promise<boolean> {
    const rows = await this.sql.query('select id from tenants where id = $1 for update', [this.tenant]);
    return rows.length > 0;
  }
}
