import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  AddMemberRequestSchema,
  CertifyDeviceRequestSchema,
  CreateDocumentRequestSchema,
  CreateLinkRequestSchema,
  DocumentListResponseSchema,
  DocumentMemberListResponseSchema,
  DocumentResponseSchema,
  EmailSchema,
  GrantListResponseSchema,
  MembershipResponseSchema,
  IdSchema,
  LinkIdSchema,
  LinkListResponseSchema,
  LinkResponseSchema,
  LinkSessionRequestSchema,
  LinkSessionResponseSchema,
  RotateRequestSchema,
  RotateResponseSchema,
  UserKeysSchema,
} from '@coffre/protocol';
import { TenantParams, DeviceParams, json, body, failure, bearer } from './openApiParts.ts';

/*
 * The sharing API (documents, members, key grants, rotation, share links,
 * device certificates) as OpenAPI routes, with the zod schemas of
 * @coffre/protocol (sharingApi.ts) as they are. Paths match `sharingPaths`.
 */

const UserParams = z.object({ tenant: IdSchema, userId: IdSchema });
const DocumentParams = z.object({ tenant: IdSchema, documentId: IdSchema });
const DocumentLinkParams = z.object({ tenant: IdSchema, documentId: IdSchema, linkId: LinkIdSchema });
const LinkParams = z.object({ tenant: IdSchema, linkId: LinkIdSchema });

const common = {
  400: failure('VALIDATION_FAILED or BAD_REQUEST: the body, query or path is not valid'),
  401: failure('UNAUTHENTICATED, TOKEN_EXPIRED, TOKEN_REVOKED or DEVICE_REVOKED'),
  413: failure('PAYLOAD_TOO_LARGE'),
};
/** Routes of one document: who may call them, and what a caller who may not gets. */
const memberFailures = {
  403: failure('FORBIDDEN: not a member of the document, or the token belongs to another tenant'),
  404: failure('NOT_FOUND: no such document in this tenant'),
};
const ownerFailures = {
  403: failure('FORBIDDEN: not an owner of the document, or the token belongs to another tenant'),
  404: failure('NOT_FOUND: no such document in this tenant'),
};

export const certifyDeviceRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/me/devices/{deviceId}/certificate',
  summary: "Store the identity key's signature over one of the caller's devices",
  description:
    'The signature covers encodeDeviceStatement (domain "coffre/device"); the relay checks it with the ' +
    "user's identity signing key. Only certified devices are listed in users' keys.",
  tags: ['devices'],
  ...bearer,
  request: { params: DeviceParams, body: body(CertifyDeviceRequestSchema) },
  responses: {
    204: { description: 'Certified' },
    ...common,
    403: failure('FORBIDDEN: the token belongs to another tenant'),
    404: failure("NOT_FOUND: no such device of the caller's, or it is revoked"),
  },
});

export const userLookupRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/users/lookup',
  summary: "A tenant member's public identity and certified devices, by email",
  tags: ['users'],
  ...bearer,
  request: { params: TenantParams, query: z.object({ email: EmailSchema }) },
  responses: {
    200: { ...json(UserKeysSchema), description: 'The public keys' },
    ...common,
    403: failure('FORBIDDEN: the token belongs to another tenant'),
    404: failure('NOT_FOUND: no such user in this tenant'),
  },
});

export const userKeysRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/users/{userId}/keys',
  summary: "A tenant member's public identity and certified devices, by id",
  tags: ['users'],
  ...bearer,
  request: { params: UserParams },
  responses: {
    200: { ...json(UserKeysSchema), description: 'The public keys' },
    ...common,
    403: failure('FORBIDDEN: the token belongs to another tenant'),
    404: failure('NOT_FOUND: no such user in this tenant'),
  },
});

export const createDocumentRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/documents',
  summary: 'Create a document; the caller becomes its owner with their own epoch-0 grant',
  tags: ['documents'],
  ...bearer,
  request: { params: TenantParams, body: body(CreateDocumentRequestSchema) },
  responses: {
    201: { ...json(DocumentResponseSchema), description: 'Created' },
    ...common,
    403: failure('FORBIDDEN: the token belongs to another tenant'),
    409: failure('DOCUMENT_EXISTS: the id is taken'),
  },
});

export const listDocumentsRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/documents',
  summary: "The caller's documents with their role, key epoch and stored size",
  tags: ['documents'],
  ...bearer,
  request: { params: TenantParams },
  responses: {
    200: { ...json(DocumentListResponseSchema), description: 'Documents' },
    ...common,
    403: failure('FORBIDDEN: the token belongs to another tenant'),
  },
});

export const deleteDocumentRoute = createRoute({
  method: 'delete',
  path: '/v1/tenants/{tenant}/documents/{documentId}',
  summary: 'Delete a document with its envelope, members, grants and links (owner); its connections close',
  tags: ['documents'],
  ...bearer,
  request: { params: DocumentParams },
  responses: { 204: { description: 'Deleted' }, ...common, ...ownerFailures },
});

export const listDocumentMembersRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/documents/{documentId}/members',
  summary: "The document's members and roles (any member)",
  tags: ['documents'],
  ...bearer,
  request: { params: DocumentParams },
  responses: {
    200: { ...json(DocumentMemberListResponseSchema), description: 'Members' },
    ...common,
    ...memberFailures,
  },
});

export const addDocumentMemberRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/documents/{documentId}/members',
  summary: 'Add a member with one signed grant per key epoch they may read, the current one included (owner)',
  description: "Answers with the members afterwards. Each grant signature is checked with the caller's identity key.",
  tags: ['documents'],
  ...bearer,
  request: { params: DocumentParams, body: body(AddMemberRequestSchema) },
  responses: {
    201: { ...json(DocumentMemberListResponseSchema), description: 'Added; the members afterwards' },
    ...common,
    403: ownerFailures[403],
    404: failure('NOT_FOUND: no such document, or no such user, in this tenant'),
    409: failure('MEMBER_EXISTS'),
  },
});

export const rotateRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/documents/{documentId}/rotations',
  summary: 'Remove members and move to the next key epoch, atomically (owner)',
  description:
    'newEpoch must be the current epoch + 1. Grants: one of the new epoch per remaining member (the caller ' +
    'included). Links not re-sealed are revoked. Removed members and revoked links lose their connections.',
  tags: ['documents'],
  ...bearer,
  request: { params: DocumentParams, body: body(RotateRequestSchema) },
  responses: {
    200: { ...json(RotateResponseSchema), description: 'Rotated' },
    ...common,
    ...ownerFailures,
    409: failure('EPOCH_CONFLICT: newEpoch is not the current epoch + 1'),
  },
});

export const listGrantsRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/documents/{documentId}/grants',
  summary: "The caller's own grants of the document, every epoch, and the current epoch",
  tags: ['documents'],
  ...bearer,
  request: { params: DocumentParams },
  responses: {
    200: { ...json(GrantListResponseSchema), description: 'Grants' },
    ...common,
    ...memberFailures,
  },
});

export const membershipRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/documents/{documentId}/membership',
  summary:
    "Every grant ever given for the document (removed members' included) and the keys and certified devices " +
    '(revoked ones too) of everyone they name, so clients check who could write in each key epoch (any member)',
  tags: ['documents'],
  ...bearer,
  request: { params: DocumentParams },
  responses: {
    200: { ...json(MembershipResponseSchema), description: 'Grant log and its users' },
    ...common,
    ...memberFailures,
  },
});

export const createLinkRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/documents/{documentId}/links',
  summary: 'Create a share link with the key of every epoch sealed for it (owner)',
  tags: ['links'],
  ...bearer,
  request: { params: DocumentParams, body: body(CreateLinkRequestSchema) },
  responses: {
    201: { ...json(LinkResponseSchema), description: 'Created' },
    ...common,
    ...ownerFailures,
  },
});

export const listLinksRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/documents/{documentId}/links',
  summary: "The document's live share links (owner)",
  tags: ['links'],
  ...bearer,
  request: { params: DocumentParams },
  responses: {
    200: { ...json(LinkListResponseSchema), description: 'Links' },
    ...common,
    ...ownerFailures,
  },
});

export const revokeLinkRoute = createRoute({
  method: 'delete',
  path: '/v1/tenants/{tenant}/documents/{documentId}/links/{linkId}',
  summary: 'Revoke a share link (owner): its sealed keys are deleted and its connections close',
  tags: ['links'],
  ...bearer,
  request: { params: DocumentLinkParams },
  responses: {
    204: { description: 'Revoked' },
    ...common,
    403: ownerFailures[403],
    404: failure('NOT_FOUND: no such document, or no such live link of it'),
  },
});

export const linkSessionRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/links/{linkId}/session',
  summary: "Trade a link's access proof for a token that opens its one document (no account)",
  description:
    'Rate-limited per address and per link. An unknown link, a revoked one and a wrong proof get the same 404.',
  tags: ['links'],
  request: { params: LinkParams, body: body(LinkSessionRequestSchema) },
  responses: {
    200: { ...json(LinkSessionResponseSchema), description: 'A document-scoped token, sealed keys and authors' },
    400: common[400],
    404: failure('NOT_FOUND: no such live link, or a wrong access proof'),
    413: common[413],
    429: failure('RATE_LIMITED: too many attempts; see Retry-After'),
  },
});

/** The bearer routes of the sharing API (every route but the link session). */
export const SHARING_BEARER_ROUTES = [
  certifyDeviceRoute,
  userLookupRoute,
  userKeysRoute,
  createDocumentRoute,
  listDocumentsRoute,
  deleteDocumentRoute,
  listDocumentMembersRoute,
  addDocumentMemberRoute,
  rotateRoute,
  listGrantsRoute,
  membershipRoute,
  createLinkRoute,
  listLinksRoute,
  revokeLinkRoute,
] as const;
