import type { DeviceId, DocumentId, TenantId } from '@coffre/protocol';
import { InvalidIdError, isValidId } from '@coffre/protocol';
import { EnvelopeRepository } from './EnvelopeRepository.ts';
import type { SqlDatabase } from './SqlDatabase.ts';
import { TenantRepository } from './TenantRepository.ts';
import { TenantScope } from './TenantScope.ts';

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

/** Merges a state and updates into one update: pass `Y.mergeUpdates`. */
export type MergeUpdates = (parts: Uint8Array[]) => Uint8Array;

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
/** A Yjs client id of the envelope and the device bound to it (see the relay's EnvelopeWriters). */
export interface StoredWriter {
  clientId: number;
  deviceId: DeviceId;
}

export class DocumentStore {
  readonly #scope: TenantScope<{ tenants: TenantRepository; envelopes: EnvelopeRepository }>;

  constructor(db: SqlDatabase) {
    this.#scope = new TenantScope(db, (sql, tenant) => ({
      tenants: new TenantRepository(sql, tenant),
      envelopes: new EnvelopeRepository(sql, tenant),
    }));
  }

  /** Creates the tenant row if missing; resolves true when it was created. */
  async ensureTenant(tenantId: TenantId, name?: string): Promise<boolean> {
    return this.#scope.run(tenantId, ({ tenants }) => tenants.create(name ?? null));
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
    return this.#scope.run(tenantId, async ({ envelopes }) => {
      await envelopes.lockForAppend(documentId, options.createDocument ?? true);
      const seq = await envelopes.appendUpdate(documentId, data);
      for (const writer of options.writers ?? [])
        await envelopes.addWriter(documentId, writer.clientId, writer.deviceId);
      return seq;
    });
  }

  /** The devices bound to the envelope's client ids (stored with {@link appendUpdate}). */
  async loadWriters(tenantId: TenantId, documentId: DocumentId): Promise<StoredWriter[]> {
    checkDocumentId(documentId);
    return this.#scope.run(tenantId, ({ envelopes }) => envelopes.writers(documentId));
  }

  /** Reads the merged state and the updates after it (one snapshot). Unknown documents load empty. */
  async load(tenantId: TenantId, documentId: DocumentId): Promise<LoadedDocument> {
    checkDocumentId(documentId);
    return this.#scope.run(tenantId, async ({ envelopes }) => {
      const { state, tail } = await envelopes.read(documentId);
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
    return this.#scope.run(tenantId, async ({ envelopes }) => {
      if (!(await envelopes.lockForCompaction(documentId))) {
        return { compacted: false, mergedUpdates: 0, mergedThrough: 0n, stateBytes: 0 };
      }
      const { state, tail } = await envelopes.read(documentId);
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
      await envelopes.replaceState(documentId, merged, last.seq);
      return { compacted: true, mergedUpdates: tail.length, mergedThrough: last.seq, stateBytes: merged.byteLength };
    });
  }

  /** Bytes stored for the document (state + unmerged updates) and the number of unmerged updates. */
  async stats(tenantId: TenantId, documentId: DocumentId): Promise<DocumentStats> {
    checkDocumentId(documentId);
    return this.#scope.run(tenantId, async ({ envelopes }) => {
      const row = await envelopes.stats(documentId);
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
    return this.#scope.run(tenantId, ({ envelopes }) => envelopes.deleteDocument(documentId));
  }
}

function checkDocumentId(documentId: DocumentId): void {
  if (!isValidId(documentId)) throw new InvalidIdError('document', documentId);
}
