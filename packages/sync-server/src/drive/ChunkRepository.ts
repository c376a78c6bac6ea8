import type { DocumentId } from '@coffre/protocol';
import { ScopedRepository, textArray } from '../storage/TenantScope.ts';

/** A chunk a sweep may release: its address and its size (what the usage goes down by). */
export interface ChunkRow {
  address: string;
  size: number;
}

/**
 * The `drive_chunks` table: which chunks each space holds, their sizes for
 * quotas, and when each was last claimed (for garbage collection). A row is
 * inserted only after its bytes are durable in the blob store (see
 * `DriveService.putChunk`). Also `drive_releases` (released chunks whose
 * bytes are being deleted) and the tenant's `drive_generation`.
 *
 * Statements that lock several chunk rows lock them in address order, so
 * two of them over the same rows (two devices asking about the same file, a
 * release) wait for each other instead of deadlocking.
 */
export class ChunkRepository extends ScopedRepository {
  /** Which of `addresses` the space holds (reads claim nothing). */
  async held(space: DocumentId, addresses: readonly string[]): Promise<Set<string>> {
    if (addresses.length === 0) return new Set();
    const rows = await this.sql.query<{ address: string }>(
      'select address from drive_chunks where tenant_id = $1 and space_id = $2 and address = any($3::text[])',
      [this.tenant, space, textArray(addresses)],
    );
    return new Set(rows.map((row) => row.address));
  }

  /**
   * Claims those of `addresses` the space holds (their `claimed_at` becomes
   * now) and answers which they are. One statement: a row a concurrent
   * release is deleting makes it wait, and is then answered as not held,
   * so the caller uploads it again rather than relying on it.
   */
  async claim(space: DocumentId, addresses: readonly string[]): Promise<Set<string>> {
    if (addresses.length === 0) return new Set();
    const rows = await this.sql.query<{ address: string }>(
      `update drive_chunks set claimed_at = now()
       where tenant_id = $1 and space_id = $2 and address in (
         select address from drive_chunks
         where tenant_id = $1 and space_id = $2 and address = any($3::text[])
         order by address for update)
       returning address`,
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

  /** Records stored chunks, claimed now; answers those the space did not have already. */
  async insert(space: DocumentId, chunks: readonly ChunkRow[]): Promise<Set<string>> {
    if (chunks.length === 0) return new Set();
    const rows = await this.sql.query<{ address: string }>(
      `insert into drive_chunks (tenant_id, space_id, address, size)
       select $1, $2, address, size from unnest($3::text[], $4::int[]) as chunk(address, size)
       on conflict (tenant_id, space_id, address) do nothing returning address`,
      [
        this.tenant,
        space,
        textArray(chunks.map((chunk) => chunk.address)),
        textArray(chunks.map((c) => String(c.size))),
      ],
    );
    return new Set(rows.map((row) => row.address));
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
   * Locks the tenant's row until the transaction ends and reads its Drive
   * generation: uploads of one tenant check the quota and record their chunk
   * one at a time, so two uploads cannot both fit in the last free bytes, and
   * no chunk bytes are deleted meanwhile.
   */
  async lockTenant(): Promise<number> {
    const [row] = await this.sql.query<{ generation: string | number }>(
      'select drive_generation as generation from tenants where id = $1 for update',
      [this.tenant],
    );
    return Number(row?.generation ?? 0);
  }

  /** The tenant's Drive generation, without a lock (an upload's first look, before it writes its bytes). */
  async generation(): Promise<number> {
    const [row] = await this.sql.query<{ generation: string | number }>(
      'select drive_generation as generation from tenants where id = $1',
      [this.tenant],
    );
    return Number(row?.generation ?? 0);
  }

  /**
   * Says "chunk bytes may have been deleted": every transaction that deletes
   * bytes calls it before it commits, so an upload that wrote its bytes
   * before then (and may have seen them deleted) writes them again.
   */
  async bumpGeneration(): Promise<void> {
    await this.sql.query('update tenants set drive_generation = drive_generation + 1 where id = $1', [this.tenant]);
  }

  /** A page of the space's chunks last claimed before `claimedBefore`, by address after `after`. */
  async unclaimedSince(
    space: DocumentId,
    claimedBefore: Date,
    after: string | null,
    limit: number,
  ): Promise<ChunkRow[]> {
    const rows = await this.sql.query<{ address: string; size: number }>(
      `select address, size from drive_chunks
       where tenant_id = $1 and space_id = $2 and claimed_at < $3 and address > $4
       order by address limit $5`,
      [this.tenant, space, claimedBefore.toISOString(), after ?? '', limit],
    );
    return rows.map((row) => ({ address: row.address, size: Number(row.size) }));
  }

  /**
   * Deletes the rows of those of `addresses` not claimed since
   * `claimedBefore`, and records each in `drive_releases` (its bytes are
   * deleted next, see {@link takeReleases}); one statement, so the two go
   * together. Answers what was deleted.
   */
  async release(space: DocumentId, addresses: readonly string[], claimedBefore: Date): Promise<ChunkRow[]> {
    if (addresses.length === 0) return [];
    const rows = await this.sql.query<{ address: string; size: number }>(
      `with gone as (
         delete from drive_chunks
         where tenant_id = $1 and space_id = $2 and claimed_at < $4 and address in (
           select address from drive_chunks
           where tenant_id = $1 and space_id = $2 and address = any($3::text[]) and claimed_at < $4
           order by address for update)
         returning address, size),
       pending as (
         insert into drive_releases (tenant_id, space_id, address) select $1, $2, address from gone
         on conflict do nothing)
       select address, size from gone order by address`,
      [this.tenant, space, textArray(addresses), claimedBefore.toISOString()],
    );
    return rows.map((row) => ({ address: row.address, size: Number(row.size) }));
  }

  /**
   * Takes up to `limit` released chunks of the space whose bytes are still
   * to be deleted. Called under the tenant lock, as is everything that
   * changes `drive_releases`, so no row lock is needed.
   */
  async takeReleases(space: DocumentId, limit: number): Promise<string[]> {
    const rows = await this.sql.query<{ address: string }>(
      `delete from drive_releases where tenant_id = $1 and space_id = $2 and address in (
         select address from drive_releases where tenant_id = $1 and space_id = $2 order by address limit $3)
       returning address`,
      [this.tenant, space, limit],
    );
    return rows.map((row) => row.address);
  }

  /** Whether a release of the space still has bytes to delete (one that crashed midway). */
  async anyReleases(space: DocumentId): Promise<boolean> {
    const rows = await this.sql.query('select 1 from drive_releases where tenant_id = $1 and space_id = $2 limit 1', [
      this.tenant,
      space,
    ]);
    return rows.length > 0;
  }

  /**
   * Calls off the deletion of released chunks' bytes (they are being
   * uploaded again); answers those whose deletion was pending.
   */
  async cancelReleases(space: DocumentId, addresses: readonly string[]): Promise<Set<string>> {
    if (addresses.length === 0) return new Set();
    const rows = await this.sql.query<{ address: string }>(
      `delete from drive_releases where tenant_id = $1 and space_id = $2 and address = any($3::text[])
       returning address`,
      [this.tenant, space, textArray(addresses)],
    );
    return new Set(rows.map((row) => row.address));
  }
}
