import type { DeviceId, DocumentId, TenantId } from '@coffre/protocol';
import { InvalidIdError, isValidId } from '@coffre/protocol';
import { UnknownDocumentError, UnknownTenantError } from './errors.ts';
import type { SqlDatabase, SqlExecutor } from './SqlDatabase.ts';

/** A document as stored: the merged state (if any) and the updates appended since, in order. */
export interface LoadedDocument {
  /** Every update with seq <= the state's merged_through, merged; null before the first compaction. */
  state: Uint8Array | null;
  /** Updates not merged into `state` yet, in seq order. */
  updates: Uint8Array[];
  /** The highest seq stored or merged; 0n when nothing was ever stored. */
  lastSeq: bigint;
}

export interface DocumentStats {
  /** Whether the document row exists. */
  exists: boolean;
  /** Bytes of the merged state (0 without one). */
  stateBytes: number;
  /** Bytes of the updates not merged yet. */
  updateBytes: number;
  /** stateBytes + updateBytes. */
  totalBytes: number;
  /** Number of updates not merged yet. */
  updateCount: number;
  /** The highest seq stored or merged; 0n when nothing was ever stored. */
  lastSeq: bigint;
}

export interface CompactResult {
  /** False when there was nothing to merge (no document, or no updates after the state). */
  compacted: boolean;
  /** How many updates were merged into the state and deleted. */
  mergedUpdates: number;
  /** The state's merged_through after the call (0n without a state). */
  mergedThrough: bigint;
  /** Bytes of the state after the call. */
  stateBytes: number;
}

/** A Yjs client id of the envelope and the device bound to it (see the relay's EnvelopeWriters). */
export interface StoredWriter {
  clientId: number;
  deviceId: DeviceId;
}

/** Merges a state and updates into one update: pass `Y.mergeUpdates`. */
export type MergeUpdates = (parts: Uint8Array[]) => Uint8Array;

interface StoredPart {
  /** 0: the merged state (seq is merged_through); 1: an update. */
  part: number;
  data: Uint8Array;
  seq: bigint;
}

/**
 * One statement (one snapshot) reading the state and the tail after it: with
 * two statements, a compaction committing in between would hide updates.
 */
const READ_DOCUMENT_SQL = `
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
 * Durable storage of Yjs (envelope) updates per tenant and document, over a
 * {@link SqlDatabase}. Every method runs in one transaction scoped to the
 * tenant by Row Level Security, so a bug here cannot reach another tenant's
 * rows.
 *
 * Concurrency (PostgreSQL; PGlite runs one transaction at a time): an append
 * holds `FOR KEY SHARE` on the document row from before its seq is drawn
 * until it commits; compaction and deletion take `FOR UPDATE` on that row.
 * So when compaction reads the tail, every update with a smaller seq has
 * committed, and any append not yet committed gets a larger seq after the
 * compaction: only rows it merged (seq <= merged_through) are deleted.
 */
export class DocumentStore {
  readonly #db: SqlDatabase;

  constructor(db: SqlDatabase) {
    this.#db = db;
  }

  /** Creates the tenant row if missing; resolves true when it was created. */
  async ensureTenant(tenantId: TenantId, name?: string): Promise<boolean> {
    return this.#db.withTenant(tenantId, async (sql) => {
      const rows = await sql.query(
        'insert into tenants (id, name) values ($1, $2) on conflict (id) do nothing returning id',
        [tenantId, name ?? null],
      );
      return rows.length > 0;
    });
  }

  /**
   * Appends one update (creating the document row if missing, unless
   * `createDocument` is false) and resolves with its seq once the
   * transaction has committed: the update is durable when the promise
   * resolves. Rejects with {@link UnknownTenantError} when the tenant row
   * does not exist, and with {@link UnknownDocumentError} when the document
   * does not and may not be created (documents of the sharing API are
   * created with their owner; one deleted stays deleted).
   */
  async appendUpdate(
    tenantId: TenantId,
    documentId: DocumentId,
    data: Uint8Array,
    options: { createDocument?: boolean; writers?: readonly StoredWriter[] } = {},
  ): Promise<bigint> {
    checkDocumentId(documentId);
    if (!(data instanceof Uint8Array)) throw new TypeError('an update must be a Uint8Array');
    if (data.byteLength === 0) throw new RangeError('an update cannot be empty');
    return this.#db.withTenant(tenantId, async (sql) => {
      await lockDocumentForAppend(sql, tenantId, documentId, options.createDocument ?? true);
      const rows = await sql.query<{ seq: bigint }>(
        'insert into document_updates (tenant_id, document_id, data) values ($1, $2, $3) returning seq',
        [tenantId, documentId, data],
      );
      const seq = rows[0]?.seq;
      if (seq === undefined) throw new Error('insert returned no seq');
      for (const writer of options.writers ?? []) {
        await sql.query(
          `insert into envelope_writers (tenant_id, document_id, client_id, device_id) values ($1, $2, $3, $4)
           on conflict (tenant_id, document_id, client_id) do nothing`,
          [tenantId, documentId, writer.clientId, writer.deviceId],
        );
      }
      return seq;
    });
  }

  /** The devices bound to the envelope's client ids (stored with {@link appendUpdate}). */
  async loadWriters(tenantId: TenantId, documentId: DocumentId): Promise<StoredWriter[]> {
    checkDocumentId(documentId);
    return this.#db.withTenant(tenantId, async (sql) => {
      const rows = await sql.query<{ client_id: bigint | number | string; device_id: DeviceId }>(
        'select client_id, device_id from envelope_writers where tenant_id = $1 and document_id = $2',
        [tenantId, documentId],
      );
      return rows.map((row) => ({ clientId: Number(row.client_id), deviceId: row.device_id }));
    });
  }

  /** Reads the merged state and the updates after it (one snapshot). Unknown documents load empty. */
  async load(tenantId: TenantId, documentId: DocumentId): Promise<LoadedDocument> {
    checkDocumentId(documentId);
    return this.#db.withTenant(tenantId, async (sql) => {
      const { state, tail } = await readDocument(sql, tenantId, documentId);
      return {
        state: state?.data ?? null,
        updates: tail.map((row) => row.data),
        lastSeq: tail.at(-1)?.seq ?? state?.seq ?? 0n,
      };
    });
  }

  /**
   * Folds the updates after the state into the state, in one transaction:
   * locks the document row (appends wait, see the class comment), reads the
   * state and tail, stores `merge([state, ...tail])` with merged_through = the
   * tail's last seq, and deletes only updates with seq <= merged_through.
   * `merge` runs inside the transaction: keep it synchronous and quick.
   */
  async compact(tenantId: TenantId, documentId: DocumentId, merge: MergeUpdates): Promise<CompactResult> {
    checkDocumentId(documentId);
    return this.#db.withTenant(tenantId, async (sql) => {
      const locked = await sql.query('select 1 from documents where tenant_id = $1 and id = $2 for update', [
        tenantId,
        documentId,
      ]);
      if (locked.length === 0) return { compacted: false, mergedUpdates: 0, mergedThrough: 0n, stateBytes: 0 };
      const { state, tail } = await readDocument(sql, tenantId, documentId);
      const last = tail.at(-1);
      if (!last) {
        return {
          compacted: false,
          mergedUpdates: 0,
          mergedThrough: state?.seq ?? 0n,
          stateBytes: state?.data.byteLength ?? 0,
        };
      }
      const parts = tail.map((row) => row.data);
      if (state) parts.unshift(state.data);
      const merged = merge(parts);
      if (!(merged instanceof Uint8Array)) throw new TypeError('merge must return a Uint8Array');
      await sql.query(
        `insert into document_states (tenant_id, document_id, state, merged_through) values ($1, $2, $3, $4)
         on conflict (tenant_id, document_id)
         do update set state = excluded.state, merged_through = excluded.merged_through, updated_at = now()`,
        [tenantId, documentId, merged, last.seq],
      );
      await sql.query('delete from document_updates where tenant_id = $1 and document_id = $2 and seq <= $3', [
        tenantId,
        documentId,
        last.seq,
      ]);
      await sql.query('update documents set updated_at = now() where tenant_id = $1 and id = $2', [
        tenantId,
        documentId,
      ]);
      return { compacted: true, mergedUpdates: tail.length, mergedThrough: last.seq, stateBytes: merged.byteLength };
    });
  }

  /** Bytes stored for the document (state + unmerged updates) and the number of unmerged updates. */
  async stats(tenantId: TenantId, documentId: DocumentId): Promise<DocumentStats> {
    checkDocumentId(documentId);
    return this.#db.withTenant(tenantId, async (sql) => {
      const rows = await sql.query<{
        exists: boolean;
        state_bytes: bigint | null;
        merged_through: bigint | null;
        update_count: bigint;
        update_bytes: bigint;
        max_seq: bigint | null;
      }>(STATS_SQL, [tenantId, documentId]);
      const row = rows[0];
      if (!row) throw new Error('stats returned no row');
      const stateBytes = Number(row.state_bytes ?? 0n);
      const updateBytes = Number(row.update_bytes);
      return {
        exists: row.exists,
        stateBytes,
        updateBytes,
        totalBytes: stateBytes + updateBytes,
        updateCount: Number(row.update_count),
        lastSeq: row.max_seq ?? row.merged_through ?? 0n,
      };
    });
  }

  /** Deletes the document with its state and updates; resolves true when it existed. */
  async deleteDocument(tenantId: TenantId, documentId: DocumentId): Promise<boolean> {
    checkDocumentId(documentId);
    return this.#db.withTenant(tenantId, async (sql) => {
      // Deleting the row locks it like compaction does; states and updates go by ON DELETE CASCADE.
      const rows = await sql.query('delete from documents where tenant_id = $1 and id = $2 returning id', [
        tenantId,
        documentId,
      ]);
      return rows.length > 0;
    });
  }
}

function checkDocumentId(documentId: DocumentId): void {
  if (!isValidId(documentId)) throw new InvalidIdError('document', documentId);
}

async function readDocument(
  sql: SqlExecutor,
  tenantId: TenantId,
  documentId: DocumentId,
): Promise<{ state: StoredPart | undefined; tail: StoredPart[] }> {
  const rows = await sql.query<StoredPart>(READ_DOCUMENT_SQL, [tenantId, documentId]);
  const first = rows[0];
  const state = first?.part === 0 ? first : undefined;
  return { state, tail: state ? rows.slice(1) : rows };
}

/**
 * Makes sure the document row exists and holds `FOR KEY SHARE` on it until
 * the append commits, so compaction (`FOR UPDATE`) cannot run between drawing
 * the seq and committing. Retries when a concurrent delete removed the row.
 */
async function lockDocumentForAppend(
  sql: SqlExecutor,
  tenantId: TenantId,
  documentId: DocumentId,
  create: boolean,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const locked = await sql.query('select 1 from documents where tenant_id = $1 and id = $2 for key share', [
      tenantId,
      documentId,
    ]);
    if (locked.length > 0) return;
    if (!create) throw new UnknownDocumentError(documentId);
    try {
      await sql.query('insert into documents (tenant_id, id) values ($1, $2) on conflict (tenant_id, id) do nothing', [
        tenantId,
        documentId,
      ]);
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new UnknownTenantError(tenantId);
      throw error;
    }
  }
  throw new Error(`could not create document ${documentId}: it keeps being deleted`);
}

function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23503';
}
