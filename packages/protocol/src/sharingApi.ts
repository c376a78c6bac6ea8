/**
 * The relay's HTTP contract for documents, members, key grants, rotation
 * and share links (issue 3, second half). Same conventions as api.ts:
 * base64url binaries, `{ error: { code, message } }` errors, everything
 * under `/v1/tenants/{tenant}`.
 *
 * The relay sees document ids, sizes and membership only. Titles live
 * encrypted inside documents; document keys exist on the relay only sealed
 * (grants to a member's identity box key, or link-sealed keys).
 */
import { z } from 'zod';
import { IdSchema, KdfParamsSchema, Key32Schema, SaltSchema } from './api.ts';
import { LINK_ID_PATTERN, linkId } from './ids.ts';

const base64url = (minBytes: number, maxBytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url without padding')
    .min(Math.ceil((minBytes * 4) / 3))
    .max(Math.ceil((maxBytes * 4) / 3));

export const DOCUMENT_ROLES = ['owner', 'editor', 'viewer'] as const;
export const DocumentRoleSchema = z.enum(DOCUMENT_ROLES);
export type DocumentRole = z.infer<typeof DocumentRoleSchema>;
export function isDocumentRole(value: unknown): value is DocumentRole {
  return typeof value === 'string' && (DOCUMENT_ROLES as readonly string[]).includes(value);
}
export const KeyEpochSchema = z.number().int().min(0).max(0xffffffff);
export const SignatureSchema = base64url(64, 64);
/**
 * Link ids are 32 lowercase hex characters (16 bytes derived from the link
 * secret), parsed into a branded `LinkId`; OpenAPI shows the string.
 */
export const LinkIdSchema = z
  .string()
  .regex(LINK_ID_PATTERN, 'a link id')
  .transform((value) => linkId(value));

/**
 * Signature by the user's identity signing key over a device's keys (see
 * `encodeDeviceStatement`), so the relay cannot add a device of its own to
 * someone's account: clients trust a device's entries only when this
 * verifies against the user's identity key (itself checked by safety number).
 */
export const DeviceCertificateSchema = z.object({
  deviceId: IdSchema,
  signingPublicKey: Key32Schema,
  boxPublicKey: Key32Schema,
  identitySignature: SignatureSchema,
});
export type DeviceCertificate = z.infer<typeof DeviceCertificateSchema>;

/** A user's public identity as the relay serves it. */
export const UserKeysSchema = z.object({
  userId: IdSchema,
  email: z.string(),
  signingPublicKey: Key32Schema,
  boxPublicKey: Key32Schema,
  /** Devices not revoked that carry an identity signature. */
  devices: z.array(DeviceCertificateSchema),
});
export type UserKeys = z.infer<typeof UserKeysSchema>;

/** POST /me/devices/{deviceId}/certificate: the device's keys signed by the identity key. */
export const CertifyDeviceRequestSchema = z.object({ identitySignature: SignatureSchema });

/** A grant as sent and stored: see encodeGrantStatement for what the signature covers. */
export const GrantSchema = z.object({
  keyEpoch: KeyEpochSchema,
  granterUserId: IdSchema,
  recipientUserId: IdSchema,
  role: DocumentRoleSchema,
  /** sealToPublicKey(recipient identity box key, document key of that epoch): 32 + 48 bytes. */
  sealedKey: base64url(80, 80),
  signature: SignatureSchema,
});
export type GrantWire = z.infer<typeof GrantSchema>;

export const DocumentInfoSchema = z.object({
  id: IdSchema,
  role: DocumentRoleSchema,
  currentEpoch: KeyEpochSchema,
  createdAt: z.string(),
  /** Bytes stored for the document (ciphertext): metadata the relay has anyway. */
  sizeBytes: z.number().int(),
});
export type DocumentInfo = z.infer<typeof DocumentInfoSchema>;

/** POST /documents: the creator becomes owner; its own grant for epoch 0 comes with the request. */
export const CreateDocumentRequestSchema = z.object({ id: IdSchema, grant: GrantSchema });
export const DocumentResponseSchema = z.object({ document: DocumentInfoSchema });
export const DocumentListResponseSchema = z.object({ documents: z.array(DocumentInfoSchema) });

export const DocumentMemberSchema = z.object({ userId: IdSchema, email: z.string(), role: DocumentRoleSchema });
export const DocumentMemberListResponseSchema = z.object({ members: z.array(DocumentMemberSchema) });

/** POST /documents/{id}/members (owner): one grant per epoch the new member may read. */
export const AddMemberRequestSchema = z.object({
  userId: IdSchema,
  role: DocumentRoleSchema,
  grants: z.array(GrantSchema).min(1).max(1000),
});

/**
 * POST /documents/{id}/rotations (owner): atomically removes members, moves
 * the document to `newEpoch` (= current + 1) and stores the new epoch's
 * grants for every remaining member (the caller included). Links not
 * re-sealed in `links` are revoked. The removed members' connections close.
 */
export const RotateRequestSchema = z.object({
  removeUserIds: z.array(IdSchema).max(1000),
  newEpoch: KeyEpochSchema,
  grants: z.array(GrantSchema).min(1).max(1000),
  links: z
    .array(z.object({ linkId: LinkIdSchema, keyEpoch: KeyEpochSchema, sealedKey: base64url(72, 72) }))
    .max(1000)
    .default([]),
});
export const RotateResponseSchema = z.object({ currentEpoch: KeyEpochSchema });

/** GET /documents/{id}/grants: the caller's own grants, every epoch. */
export const GrantListResponseSchema = z.object({ grants: z.array(GrantSchema), currentEpoch: KeyEpochSchema });

/** A device in a document's membership: revoked ones too, so what they signed before stays verifiable. */
export const MembershipDeviceSchema = DeviceCertificateSchema.extend({ revoked: z.boolean() });
/** A user of a document's grant log, present or past member, with every certified device. */
export const MembershipUserSchema = UserKeysSchema.extend({ devices: z.array(MembershipDeviceSchema) });
export type MembershipUser = z.infer<typeof MembershipUserSchema>;

/**
 * GET /documents/{id}/membership (any member): every grant ever given for the
 * document (removed members' included), each signed by its granter, and the
 * public identities of everyone they name. Clients verify from it who was an
 * owner or editor in each key epoch (only their entries are accepted), and
 * the devices of past authors.
 */
export const MembershipResponseSchema = z.object({
  currentEpoch: KeyEpochSchema,
  grants: z.array(GrantSchema),
  users: z.array(MembershipUserSchema),
});
export type MembershipResponse = z.infer<typeof MembershipResponseSchema>;

export const LinkPasswordSchema = z.object({ salt: SaltSchema, kdf: KdfParamsSchema });

/** POST /documents/{id}/links (owner). `sealedKeys`: the document key of each epoch sealed for the link. */
export const CreateLinkRequestSchema = z.object({
  linkId: LinkIdSchema,
  role: z.enum(['viewer', 'editor']),
  /** hash(accessProof): the relay checks link sessions against it. */
  verifier: Key32Schema,
  sealedKeys: z
    .array(z.object({ keyEpoch: KeyEpochSchema, sealedKey: base64url(72, 72) }))
    .min(1)
    .max(1000),
  password: LinkPasswordSchema.optional(),
});
export const LinkInfoSchema = z.object({
  linkId: LinkIdSchema,
  role: z.enum(['viewer', 'editor']),
  passwordProtected: z.boolean(),
  createdAt: z.string(),
});
export const LinkListResponseSchema = z.object({ links: z.array(LinkInfoSchema) });
/** POST /documents/{id}/links answers 201 with the new link. */
export const LinkResponseSchema = z.object({ link: LinkInfoSchema });

/** POST /links/{linkId}/session (no bearer; rate-limited): proves the link secret, returns a document-scoped token. */
export const LinkSessionRequestSchema = z.object({ accessProof: Key32Schema });
/**
 * A device that may have written the document, as a link session gets it:
 * enough to verify entries and show "a member", nothing that says who (no
 * email, no user id, no identity key).
 */
export const LinkAuthorSchema = z.object({ deviceId: IdSchema, signingPublicKey: Key32Schema });
export type LinkAuthor = z.infer<typeof LinkAuthorSchema>;
export const LinkSessionResponseSchema = z.object({
  documentId: IdSchema,
  role: z.enum(['viewer', 'editor']),
  accessToken: z.string(),
  expiresIn: z.number().int(),
  currentEpoch: KeyEpochSchema,
  sealedKeys: z.array(z.object({ keyEpoch: KeyEpochSchema, sealedKey: z.string() })),
  password: LinkPasswordSchema.optional(),
  /** The certified devices, revoked ones too, of everyone ever granted the document, so the link reader can verify every entry (removed members' included). */
  authors: z.array(LinkAuthorSchema),
});

const tenantPath = (tenant: string) => `/v1/tenants/${encodeURIComponent(tenant)}`;
const documentPath = (tenant: string, documentId: string) =>
  `${tenantPath(tenant)}/documents/${encodeURIComponent(documentId)}`;

export const sharingPaths = {
  /** GET ?email=: a tenant member's public identity and certified devices. */
  userLookup: (tenant: string) => `${tenantPath(tenant)}/users/lookup`,
  userKeys: (tenant: string, userId: string) => `${tenantPath(tenant)}/users/${encodeURIComponent(userId)}/keys`,
  deviceCertificate: (tenant: string, deviceId: string) =>
    `${tenantPath(tenant)}/me/devices/${encodeURIComponent(deviceId)}/certificate`,
  /** GET list, POST create. */
  documents: (tenant: string) => `${tenantPath(tenant)}/documents`,
  /** DELETE (owner). */
  document: documentPath,
  /** GET list, POST add (owner). */
  documentMembers: (tenant: string, documentId: string) => `${documentPath(tenant, documentId)}/members`,
  rotations: (tenant: string, documentId: string) => `${documentPath(tenant, documentId)}/rotations`,
  grants: (tenant: string, documentId: string) => `${documentPath(tenant, documentId)}/grants`,
  /** GET (any member): the grant log and its users' keys. */
  membership: (tenant: string, documentId: string) => `${documentPath(tenant, documentId)}/membership`,
  /** GET list, POST create (owner). */
  links: (tenant: string, documentId: string) => `${documentPath(tenant, documentId)}/links`,
  /** DELETE (owner): revokes the link and closes its connections. */
  link: (tenant: string, documentId: string, linkId: string) =>
    `${documentPath(tenant, documentId)}/links/${encodeURIComponent(linkId)}`,
  linkSession: (tenant: string, linkId: string) => `${tenantPath(tenant)}/links/${encodeURIComponent(linkId)}/session`,
} as const;
