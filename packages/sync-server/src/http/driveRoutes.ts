import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  ChunkAddressSchema,
  DriveUsageResponseSchema,
  HeldChunksRequestSchema,
  HeldChunksResponseSchema,
  IdSchema,
  MAX_BATCH_CHUNK_BYTES,
  MAX_BATCH_CHUNKS,
  MAX_SEALED_CHUNK_BYTES,
  MAX_SWEEP_PAGE,
  ReleaseChunksRequestSchema,
  ReleaseChunksResponseSchema,
  StartedSweepResponseSchema,
  StoredChunkResponseSchema,
  StoredChunksResponseSchema,
  SweepChunksQuerySchema,
  SweepChunksResponseSchema,
  SweepIdSchema,
} from '@coffre/protocol';
import { TenantParams, json, failure, bearer } from './openApiParts.ts';

/*
 * The Drive's routes (driveApi.ts in @coffre/protocol): encrypted chunks of
 * a space by address, "which do you hold", the organisation's usage, and
 * garbage collection (sweeps). Chunks are uploaded one by one or in batches. Paths match `drivePaths`.
 */

const SpaceParams = z.object({ tenant: IdSchema, documentId: IdSchema });
const ChunkParams = z.object({ tenant: IdSchema, documentId: IdSchema, address: ChunkAddressSchema });
const SweepParams = z.object({ tenant: IdSchema, documentId: IdSchema, sweepId: SweepIdSchema });

const binary = { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } };

const common = {
  400: failure('VALIDATION_FAILED: the path or body is not valid'),
  401: failure('UNAUTHENTICATED, TOKEN_EXPIRED, TOKEN_REVOKED or DEVICE_REVOKED'),
  404: failure('NOT_FOUND: no such space (document) in this tenant, or no such chunk in it'),
  429: failure('RATE_LIMITED: too many chunk requests; see Retry-After'),
};

export const putChunkRoute = createRoute({
  method: 'put',
  path: '/v1/tenants/{tenant}/spaces/{documentId}/chunks/{address}',
  summary: "Store one encrypted chunk of a file in a space (the space's owners and editors)",
  description:
    "The body is the chunk's ciphertext; its BLAKE2b-256 must be the address. Stored once per space: an upload " +
    `of a chunk the space holds writes nothing. At most ${MAX_SEALED_CHUNK_BYTES} bytes. Answered once the ` +
    'chunk is durable.',
  tags: ['drive'],
  ...bearer,
  request: { params: ChunkParams, body: { content: binary, required: true } },
  responses: {
    200: { ...json(StoredChunkResponseSchema), description: 'The space held this chunk already' },
    201: { ...json(StoredChunkResponseSchema), description: 'Stored' },
    ...common,
    403: failure('READ_ONLY (a viewer, or a share link), FORBIDDEN (not a member, or another tenant)'),
    413: failure('PAYLOAD_TOO_LARGE'),
    422: failure('CHUNK_MISMATCH: the body is not the ciphertext the address names'),
    507: failure("QUOTA_EXCEEDED: the organisation's Drive is full"),
  },
});

export const putChunksRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/spaces/{documentId}/chunks',
  summary: "Store several encrypted chunks of a space at once (the space's owners and editors)",
  description:
    `The body frames up to ${MAX_BATCH_CHUNKS} chunks, each as its address (32 bytes), its length (4 bytes, ` +
    `big-endian) and its ciphertext (at most ${MAX_SEALED_CHUNK_BYTES} bytes), ${MAX_BATCH_CHUNK_BYTES} bytes of ` +
    'chunks in all. Stored as an upload of each would be, in a few transactions; refused whole, with nothing new ' +
    'kept, when any chunk is. Answered once every chunk is durable. Counts one chunk request per chunk.',
  tags: ['drive'],
  ...bearer,
  request: { params: SpaceParams, body: { content: binary, required: true } },
  responses: {
    200: {
      ...json(StoredChunksResponseSchema),
      description: 'Stored: which were new and which the space held, in the order sent',
    },
    ...common,
    400: failure('VALIDATION_FAILED: the path is not valid, or the body is not a batch (empty, truncated, too many)'),
    403: failure('READ_ONLY (a viewer, or a share link), FORBIDDEN (not a member, or another tenant)'),
    413: failure('PAYLOAD_TOO_LARGE: the body, or one chunk in it, is too large'),
    422: failure('CHUNK_MISMATCH: a chunk is not the ciphertext its address names'),
    507: failure("QUOTA_EXCEEDED: the organisation's Drive has no room for the chunks it lacks"),
  },
});

export const getChunkRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/spaces/{documentId}/chunks/{address}',
  summary: 'One encrypted chunk of a space, by address (any member, or a share link of the space)',
  tags: ['drive'],
  ...bearer,
  request: { params: ChunkParams },
  responses: {
    200: { content: binary, description: "The chunk's ciphertext (immutable: the address is its hash)" },
    ...common,
    403: failure('FORBIDDEN: not a member, a share link of another space or revoked, or another tenant'),
  },
});

export const heldChunksRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/spaces/{documentId}/chunks/held',
  summary:
    'Which of these chunks the space holds, asked before an upload (any member, or a share link of the space: it claims nothing)',
  tags: ['drive'],
  ...bearer,
  request: { params: SpaceParams, body: { ...json(HeldChunksRequestSchema), required: true } },
  responses: {
    200: { ...json(HeldChunksResponseSchema), description: 'The addresses held, in the order asked' },
    ...common,
    403: failure('FORBIDDEN: not a member, a share link of another space or revoked, or another tenant'),
    413: failure('PAYLOAD_TOO_LARGE'),
  },
});

export const driveUsageRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/drive/usage',
  summary: "Bytes the caller's organisation keeps in the Drive, and its quota",
  tags: ['drive'],
  ...bearer,
  request: { params: TenantParams },
  responses: {
    200: { ...json(DriveUsageResponseSchema), description: 'Usage' },
    400: common[400],
    401: common[401],
    403: failure('FORBIDDEN: the token belongs to another tenant'),
  },
});

const sweepCommon = {
  ...common,
  403: failure('FORBIDDEN: not an owner of the space (editors and viewers cannot sweep), or another tenant'),
  404: failure('NOT_FOUND: no such space in this tenant, or no such sweep of it by the caller (or it expired)'),
  429: failure('RATE_LIMITED: too many sweep requests; see Retry-After'),
};

export const startSweepRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/spaces/{documentId}/drive/sweeps',
  summary: "Start a garbage-collection sweep of a space's chunks (the space's owners)",
  description:
    "Only members know which chunks the sealed manifests name, so an owner's device reads the space after this " +
    'answer, and releases the chunks it does not reference among those the sweep lists. The relay releases only ' +
    "chunks nobody claimed (uploaded, or asked about as a writer) since `claimedBefore`: the sweep's start less " +
    'its grace period. The id is good for an hour. See docs/drive.md.',
  tags: ['drive'],
  ...bearer,
  request: { params: SpaceParams },
  responses: {
    201: { ...json(StartedSweepResponseSchema), description: 'Started' },
    ...sweepCommon,
  },
});

export const sweepChunksRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/spaces/{documentId}/drive/sweeps/{sweepId}/chunks',
  summary: 'A page of the chunks a sweep may release (the owner who started it)',
  description:
    `The space's chunks last claimed before the sweep's \`claimedBefore\`, by address after \`after\`, at most ` +
    `\`limit\` (1 to ${MAX_SWEEP_PAGE}, default ${MAX_SWEEP_PAGE}); \`next\` is the \`after\` of the next page.`,
  tags: ['drive'],
  ...bearer,
  request: { params: SweepParams, query: SweepChunksQuerySchema },
  responses: {
    200: { ...json(SweepChunksResponseSchema), description: 'A page' },
    ...sweepCommon,
  },
});

export const releaseChunksRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/spaces/{documentId}/drive/sweeps/{sweepId}/release',
  summary: 'Delete chunks no manifest names (the owner who started the sweep)',
  description:
    `Up to ${MAX_SWEEP_PAGE} addresses. Deletes those the space holds that nobody claimed since the sweep's ` +
    '`claimedBefore` (rows, then bytes); the others are kept and listed as such. Usage goes down by `bytesFreed`.',
  tags: ['drive'],
  ...bearer,
  request: { params: SweepParams, body: { ...json(ReleaseChunksRequestSchema), required: true } },
  responses: {
    200: { ...json(ReleaseChunksResponseSchema), description: 'Released and kept' },
    ...sweepCommon,
    413: failure('PAYLOAD_TOO_LARGE'),
  },
});

/** Every Drive route is a bearer route. */
export const DRIVE_ROUTES = [
  putChunkRoute,
  putChunksRoute,
  getChunkRoute,
  heldChunksRoute,
  driveUsageRoute,
  startSweepRoute,
  sweepChunksRoute,
  releaseChunksRoute,
] as const;
