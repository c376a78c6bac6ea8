import type { DocumentId } from '@coffre/protocol';
import { ScopedRepository, textArray } from '../storage/TenantScope.ts';

/**
 * The `drive_chunks` table: which chunks each space holds, and their sizes
 * for quotas. A row is inserted only after its bytes are durable in the
 * blob store (see `DriveService.putChunk`).
 */
export class ChunkRepository extends ScopedRepository {
  /** Which of `addresses` the space holds. */
  async held(space: DocumentId, addresses: readonly string[]): Promise<Set<string>> {
    if (addresses.length === 0) return new Set();
    const rows = await this.sql.query<{ address: string }>(
      'select address from drive_chunks where tenant_id = $1 and space_id = $2 and address = any($3::text[])',
      [this.tenant, space, textArray(addresses)],
    );
    return new Set(rows.map((row) => row.address));
  }

  /** Whether the space has any chunk recorded. */
  async any(space: DocumentId): Promise<boolean> {
    const rows = await this.sql.query('select 1 from drive_chunks where tenant_id = $1 and space_id = $2 limit 1', [
      this.tenant,
      space,
    ]);
    return rows.length > 0;
  }

  /** Records a stored chunk; false when the space had it already. */
  async insert(space: DocumentId, address: string, size: number): Promise<boolean> {
    const rows = await this.sql.query(
      `insert into drive_chunks (tenant_id, space_id, address, size) values ($1, $2, $3, $4)
       on conflict (tenant_id, space_id, address) do nothing returning 1`,
      [this.tenant, space, address, size],
    );
    return rows.length > 0;
  }

  /** Bytes the tenant's spaces hold, each chunk counted once per space. */
  async usage(): Promise<number> {
    const [row] = await this.sql.query<{ bytes: string | number | null }>(
      'select coalesce(sum(size), 0) as bytes from drive_chunks where tenant_id = $1',
      [this.tenant],
    );
    return Number(row?.bytes ?? 0);
  }

  /**
   * Locks the tenant's row until the transaction ends: uploads of one
   * tenant check the quota and record their chunk one at a time, so two
   * uploads cannot both fit in the last free bytes.
   */
  async lockTenant(): Promise<void> {
    await this.sql.query('select 1 from tenants where id = $1 for update', [this.tenant]);
  }
}
