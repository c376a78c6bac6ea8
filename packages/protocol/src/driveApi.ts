/**
 * The Drive's HTTP contract (issue 11): encrypted chunks of files, kept by
 * the relay per tenant and per space (the document a file belongs to), by
 * address. A chunk's address is the lowercase hex BLAKE2b-256 of its
 * ciphertext, so the relay checks every upload against it and stores a
 * chunk once per space; it never sees a key, a name or a plaintext byte.
 *
 * - `PUT .../chunks/{address}` with the ciphertext as an
 *   `application/octet-stream` body (owners and editors of the space);
 *   `201` when new, `200` when the space held it already. `CHUNK_MISMATCH`
 *   when the body is not what the address names, `QUOTA_EXCEEDED` when the
 *   organisation's storage is full.
 * - `POST .../chunks` with several chunks framed as `chunkBatch.ts` says:
 *   stored as one upload each would be, in a few transactions; the answer
 *   lists which were stored and which the space held. A batch is refused
 *   whole (nothing new is kept) when any of its chunks is.
 * - `GET .../chunks/{address}`: the ciphertext (any member). Immutable:
 *   the address is the content.
 * - `POST .../chunks/held` `{ addresses }`: which of them the space holds,
 *   asked before an upload so only what is missing is sent.
 * - `GET .../drive/usage`: bytes the organisation stores and its quota.
 *
 * Garbage collection (owners of the space only; see docs/drive.md): which
 * chunks are still referenced is known only to members (manifests are
 * sealed in the space's document), so an owner's device marks and the
 * relay sweeps, under a time rule that keeps concurrent uploads safe.
 * Every upload and every "which do you hold" asked by a writer claims the
 * chunks it names (the relay records when).
 * - `POST .../spaces/{space}/drive/sweeps`: starts a sweep; only chunks
 *   last claimed before its `claimedBefore` (its start, less the relay's
 *   grace period) can be released through it.
 * - `GET .../drive/sweeps/{id}/chunks?after=&limit=`: those chunks, by
 *   address, a page at a time.
 * - `POST .../drive/sweeps/{id}/release` `{ addresses }`: deletes those
 *   still unclaimed since `claimedBefore`; the others are kept.
 */
import { z } from 'zod';

/** A chunk's address: 64 lowercase hex characters (BLAKE2b-256 of its ciphertext). */
export const CHUNK_ADDRESS_PATTERN = /^[0-9a-f]{64}$/;
export const ChunkAddressSchema = z
  .string()
  .regex(CHUNK_ADDRESS_PATTERN, 'a chunk address: 64 lowercase hex characters');

/**
 * Largest chunk body the relay takes: the chunker's largest chunk (4 MiB)
 * plus the 16-byte authentication tag.
 */
export const MAX_SEALED_CHUNK_BYTES = 4 * 1024 * 1024 + 16;
/** Most addresses one "which do you hold" question may list. */
export const MAX_HELD_QUERY = 1000;

export const HeldChunksRequestSchema = z.object({
  addresses: z.array(ChunkAddressSchema).min(1).max(MAX_HELD_QUERY),
});
export type HeldChunksRequest = z.infer<typeof HeldChunksRequestSchema>;

export const HeldChunksResponseSchema = z.object({ held: z.array(ChunkAddressSchema) });
export type HeldChunksResponse = z.infer<typeof HeldChunksResponseSchema>;

export const StoredChunkResponseSchema = z.object({
  /** False when the space held the chunk already (nothing was written). */
  stored: z.boolean(),
});
export type StoredChunkResponse = z.infer<typeof StoredChunkResponseSchema>;

export const StoredChunksResponseSchema = z.object({
  /** The batch's chunks this upload stored. */
  stored: z.array(ChunkAddressSchema),
  /** Those the space held already (nothing was written for them). */
  held: z.array(ChunkAddressSchema),
});
export type StoredChunksResponse = z.infer<typeof StoredChunksResponseSchema>;

export const DriveUsageResponseSchema = z.object({
  /** Bytes of chunks the organisation stores, each counted once per space. */
  bytes: z.number().int().nonnegative(),
  /** The organisation's limit, or null when there is none. */
  quotaBytes: z.number().int().positive().nullable(),
  /**
   * The largest file the organisation allows, or null. The relay sees chunks, never files, so
   * devices refuse a larger file before sending it; the quota bounds what a device that does not is able to store.
   */
  maxFileBytes: z.number().int().positive().nullable(),
});
export type DriveUsageResponse = z.infer<typeof DriveUsageResponseSchema>;

/** Most chunks one page of a sweep lists, and most addresses one release names. */
export const MAX_SWEEP_PAGE = 1000;

/** A sweep's id: 32 lowercase hex characters (random). */
export const SweepIdSchema = z.string().regex(/^[0-9a-f]{32}$/, 'a sweep id: 32 lowercase hex characters');

export const StartedSweepResponseSchema = z.object({
  sweepId: SweepIdSchema,
  /** When the relay started the sweep (ISO 8601): the device reads the space after this. */
  startedAt: z.string(),
  /** Chunks last claimed before this instant (the start less the relay's grace period) can be released. */
  claimedBefore: z.string(),
  /** After this the sweep id is refused (NOT_FOUND); start another. */
  expiresAt: z.string(),
});
export type StartedSweepResponse = z.infer<typeof StartedSweepResponseSchema>;

/** `limit` and `after` of a page of a sweep's chunks (query strings, hence the coercion). */
export const SweepChunksQuerySchema = z.object({
  /** The page starts after this address (the previous page's `next`); absent: from the first. */
  after: ChunkAddressSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_SWEEP_PAGE).default(MAX_SWEEP_PAGE),
});
export type SweepChunksQuery = z.infer<typeof SweepChunksQuerySchema>;

export const SweepChunkSchema = z.object({ address: ChunkAddressSchema, size: z.number().int().positive() });
export type SweepChunk = z.infer<typeof SweepChunkSchema>;

export const SweepChunksResponseSchema = z.object({
  /** Chunks of the space last claimed before the sweep's `claimedBefore`, by address. */
  chunks: z.array(SweepChunkSchema),
  /** The `after` of the next page, or null when this page was the last. */
  next: ChunkAddressSchema.nullable(),
});
export type SweepChunksResponse = z.infer<typeof SweepChunksResponseSchema>;

export const ReleaseChunksRequestSchema = z.object({
  addresses: z.array(ChunkAddressSchema).min(1).max(MAX_SWEEP_PAGE),
});
export type ReleaseChunksRequest = z.infer<typeof ReleaseChunksRequestSchema>;

export const ReleaseChunksResponseSchema = z.object({
  /** Deleted, rows and bytes. */
  released: z.array(ChunkAddressSchema),
  /** Not deleted: claimed since the sweep's `claimedBefore` (an upload, a writer's question), or not held. */
  kept: z.array(ChunkAddressSchema),
  /** What the organisation's usage went down by. */
  bytesFreed: z.number().int().nonnegative(),
});
export type ReleaseChunksResponse = z.infer<typeof ReleaseChunksResponseSchema>;

const tenantPath = (tenant: string) => `/v1/tenants/${encodeURIComponent(tenant)}`;
const spacePath = (tenant: string, space: string) => `${tenantPath(tenant)}/spaces/${encodeURIComponent(space)}`;

export const drivePaths = {
  /** PUT (owner, editor) a chunk's ciphertext; GET (any member) it back. */
  chunk: (tenant: string, space: string, address: string) => `${spacePath(tenant, space)}/chunks/${address}`,
  /** POST (owner, editor) several chunks at once (see chunkBatch.ts). */
  chunks: (tenant: string, space: string) => `${spacePath(tenant, space)}/chunks`,
  /** POST (any member): which of these addresses the space holds. */
  heldChunks: (tenant: string, space: string) => `${spacePath(tenant, space)}/chunks/held`,
  /** GET (any member of the organisation): bytes stored and the quota. */
  usage: (tenant: string) => `${tenantPath(tenant)}/drive/usage`,
  /** POST (owners of the space): starts a sweep. */
  sweeps: (tenant: string, space: string) => `${spacePath(tenant, space)}/drive/sweeps`,
  /** GET (the owner who started it): a page of the sweep's chunks. */
  sweepChunks: (tenant: string, space: string, sweep: string, query: { after?: string; limit?: number } = {}) => {
    const search = new URLSearchParams();
    if (query.after !== undefined) search.set('after', query.after);
    if (query.limit !== undefined) search.set('limit', String(query.limit));
    const text = search.toString();
    return `${spacePath(tenant, space)}/drive/sweeps/${encodeURIComponent(sweep)}/chunks${text ? `?${text}` : ''}`;
  },
  /** POST (the owner who started it): releases chunks unclaimed since the sweep's `claimedBefore`. */
  sweepRelease: (tenant: string, space: string, sweep: string) =>
    `${spacePath(tenant, space)}/drive/sweeps/${encodeURIComponent(sweep)}/release`,
} as const;
