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
 * - `GET .../chunks/{address}`: the ciphertext (any member). Immutable:
 *   the address is the content.
 * - `POST .../chunks/held` `{ addresses }`: which of them the space holds,
 *   asked before an upload so only what is missing is sent.
 * - `GET .../drive/usage`: bytes the organisation stores and its quota.
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

export const DriveUsageResponseSchema = z.object({
  /** Bytes of chunks the organisation stores, each counted once per space. */
  bytes: z.number().int().nonnegative(),
  /** The organisation's limit, or null when there is none. */
  quotaBytes: z.number().int().positive().nullable(),
});
export type DriveUsageResponse = z.infer<typeof DriveUsageResponseSchema>;

const tenantPath = (tenant: string) => `/v1/tenants/${encodeURIComponent(tenant)}`;
const spacePath = (tenant: string, space: string) => `${tenantPath(tenant)}/spaces/${encodeURIComponent(space)}`;

export const drivePaths = {
  /** PUT (owner, editor) a chunk's ciphertext; GET (any member) it back. */
  chunk: (tenant: string, space: string, address: string) => `${spacePath(tenant, space)}/chunks/${address}`,
  /** POST (any member): which of these addresses the space holds. */
  heldChunks: (tenant: string, space: string) => `${spacePath(tenant, space)}/chunks/held`,
  /** GET (any member of the organisation): bytes stored and the quota. */
  usage: (tenant: string) => `${tenantPath(tenant)}/drive/usage`,
} as const;
