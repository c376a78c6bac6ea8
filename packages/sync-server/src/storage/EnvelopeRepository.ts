import type { DeviceId, DocumentId } from '@coffre/protocol';
import { UnknownDocumentError, UnknownTenantError } from './errors.ts';
import { ScopedRepository } from './TenantScope.ts';

/** A row of a document's stored envelope: the merged state (part 0, seq = merged_through) or an update (part 1). */
export interface StoredPart {
  part: number;
  data: Uint8Array;
  seq: bigint;
}

/** The merged state (if any) and the updates after it, in seq order, read in one statement. */
export interface StoredEnvelope {
  state: StoredPart | undefined;
  tail: StoredPart[];
}

/** What {@link EnvelopeRepository.stats} reads, as stored. */
export interface EnvelopeStatsRow {
  exists: boolean;
  state_bytes: bigint | null;
  merged_through: bigint | null;
  update_count: bigint;
  update_bytes: bigint;
  max_seq: bigint | null;
}

/**
 * One statement (one snapshot) reading the state and the tail after it: with
 * two statements, a compaction committing in between would hide updates.
 */
const READ_ENVELOPE_SQL = `
with s as (
  select state, merged_through from document_states where tenant_id = $1 and document_id = $2
)
select 0 as part, s.state as data, s.merged_through as seq from s
union all
select 1 as part, u.data, u.seq from document_updates u
where u.tenant_id = $1 and u.document_id = $2 and u.seq > coalesce((select merged_through from s), 0)
order by part, seq`;

const STATS_SQL = `
select
  exists (select 1 from documents where tenant_id = $1 and id = $2) as exists,
  (select octet_length(state)::int8 from document_states where tenant_id = $1 and document_id = $2) as state_bytes,
  (select merged_through from document_states where tenant_id = $1 and document_id = $2) as merged_through,
  u.update_count, u.update_bytes, u.max_seq
from (
  select count(*) as update_count, coalesce(sum(octet_length(data)), 0)::int8 as update_bytes, max(seq) as max_seq
  from document_updates where tenant_id = $1 and document_id = $2
) u`;

/**
 * A document's stored envelope: the `documents` row as the lock appends and
 * compactions take, `document_states` (the merged state) and
 * `document_updates` (the tail). The locking rules live in
 * {@link DocumentStore}'s class comment; these are its statements.
 */
export class EnvelopeRepository extends ScopedRepository {
  /**
   * Makes sure the document row exists and holds `FOR KEY SHARE` on it until
   * the transaction commits, so compaction (`FOR UPDATE`) cannot run between
   * drawing a seq and committing. Retries when a concurrent delete removed
   * the row. Rejects with {@link UnknownDocumentError} when the row is
   * missing and `create` is false, {@link UnknownTenantError} when the
   * tenant row is.
   */
  async lockForAppend(documentId: DocumentId, create: boolean): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const locked = await this.sql.query('select 1 from documents where tenant_id = $1 and id = $2 for key share', [
        this.tenant,
        documentId,
      ]);
      if (locked.length > 0) return;
      if (!create) throw new UnknownDocumentError(documentId);
      try {
        await this.sql.query(
          'insert into documents (tenant_id, id) values ($1, $2) on conflict (tenant_id, id) do nothing',
          [this.tenant, documentId],
        );
      } catch (error) {
        if (isForeignKeyViolation(error)) throw new UnknownTenantError(this.tenant);
        throw error;
      }
    }
    throw new Error(`could not create document ${documentId}: it keeps being deleted`);
  }

  /** Binds an envelope client id to a device; a binding is never changed (a second one is ignored). */
  async addWriter(documentId: DocumentId, clientId: number, deviceId: DeviceId): Promise<void> {
    await this.sql.query(
      `insert into envelope_writers (tenant_id, document_id, client_id, device_id) values ($1, $2, $3, $4)
       on conflict (tenant_id, document_id, client_id) do nothing`,
      [this.tenant, documentId, clientId, deviceId],
    );
  }

  /** The devices bound to the envelope's client ids. */
  async writers(documentId: DocumentId): Promise<{ clientId: number; deviceId: DeviceId }[]> {
    const rows = await this.sql.query<{ client_id: bigint | number | string; device_id: DeviceId }>(
      'select client_id, device_id from envelope_writers where tenant_id = $1 and document_id = $2',
      [this.tenant, documentId],
    );
    return rows.map((row) => ({ clientId: Number(row.client_id), deviceId: row.device_id }));
  }

  /** Appends one update to the tail; resolves with its seq. */
  async appendUpdate(documentId: DocumentId, data: Uint8Array): Promise<bigint> {
    const rows = await this.sql.query<{ seq: bigint }>(
      'insert into document_updates (tenant_id, document_id, data) values ($1, $2, $3) returning seq',
      [this.tenant, documentId, data],
    );
    const seq = rows[0]?.seq;
    if (seq === undefined) throw new Error('insert returned no seq');
    return seq;
  }

  /** The merged state and the updates after it (one snapshot); an unknown document reads empty. */
  async read(documentId: DocumentId): Promise<StoredEnvelope> {
    const rows = await this.sql.query<StoredPart>(READ_ENVELOPE_SQL, [this.tenant, documentId]);
    const first = rows[0];
    const state = first?.part === 0 ? first : undefined;
    return { state, tail: state ? rows.slice(1) : rows };
  }

  /** Locks the document row `FOR UPDATE` (appends wait); resolves false when there is none. */
  async lockForCompaction(documentId: DocumentId): Promise<boolean> {
    const rows = await this.sql.query('select 1 from documents where tenant_id = $1 and id = $2 for update', [
      this.tenant,
      documentId,
    ]);
    return rows.length > 0;
  }

  /**
   * Stores the merged state through `mergedThrough`, deletes the updates it
   * covers (seq <= mergedThrough, never a later one) and touches the
   * document's `updated_at`.
   */
  async replaceState(documentId: DocumentId, state: Uint8Array, mergedThrough: bigint): Promise<void> {
    await this.sql.query(
      `insert into document_states (tenant_id, document_id, state, merged_through) values ($1, $2, $3, $4)
       on conflict (tenant_id, document_id)
       do update set state = excluded.state, merged_through = excluded.merged_through, updated_at = now()`,
      [this.tenant, documentId, state, mergedThrough],
    );
    await this.sql.query('delete from document_updates where tenant_id = $1 and document_id = $2 and seq <= $3', [
      this.tenant,
      documentId,
      mergedThrough,
    ]);
    await this.sql.query('update documents set updated_at = now() where tenant_id = $1 and id = $2', [
      this.tenant,
      documentId,
    ]);
  }

  /** Sizes and counts of the stored envelope, in one statement. */
  async stats(documentId: DocumentId): Promise<EnvelopeStatsRow> {
    const [row] = await this.sql.query<EnvelopeStatsRow>(STATS_SQL, [this.tenant, documentId]);
    if (!row) throw new Error('stats returned no row');
    return row;
  }

  /**
   * Deletes the document row (locking it like compaction does); its state,
   * updates, members, grants and links go by ON DELETE CASCADE. Resolves
   * true when it existed.
   */
  async deleteDocument(documentId: DocumentId): Promise<boolean> {
    const rows = await this.sql.query('delete from documents where tenant_id = $1 and id = $2 returning id', [
      this.tenant,
      documentId,
    ]);
    return rows.length > 0;
  }
}

function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23503';
}
