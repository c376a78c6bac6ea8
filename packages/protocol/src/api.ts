/**
 * The relay's HTTP API contract (issue 3: accounts, devices, sessions),
 * shared by the relay (validation + OpenAPI) and the client (requests).
 * Binary values travel as base64url without padding. Every route lives
 * under `/v1/tenants/{tenant}` (see {@link apiPaths}) except tenant-independent
 * ones; every error is `{ error: { code, message } }` with a stable {@link ErrorCode}.
 *
 * Zero knowledge: the password never leaves the client. Argon2id(password,
 * salt) -> master key; KDF sub-keys: `authKey` (sent at registration and
 * login; the relay stores only a salted hash of it) and a wrapping key that
 * seals the user's private keys into `keyBundle` (opaque to the relay).
 */
import { z } from 'zod';
import { MAX_ID_LENGTH, deviceId, documentId, tenantId, userId } from './ids.ts';

const ID = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_-]{0,${MAX_ID_LENGTH - 1}}$`);
/** base64url (no padding) of exactly or at most `bytes` bytes. */
const base64url = (minBytes: number, maxBytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'must be base64url without padding')
    .min(Math.ceil((minBytes * 4) / 3))
    .max(Math.ceil((maxBytes * 4) / 3));

export const IdSchema = z.string().regex(ID, 'ids are 1-64 letters, digits, - or _');
/**
 * {@link IdSchema}, parsed into the branded id of ids.ts (the string is
 * checked first, so the constructor never throws). The relay's wire schemas
 * below keep plain `IdSchema`; these are for JSON a client reads back.
 */
export const TenantIdSchema = IdSchema.transform((value) => tenantId(value));
export const DocumentIdSchema = IdSchema.transform((value) => documentId(value));
export const UserIdSchema = IdSchema.transform((value) => userId(value));
export const DeviceIdSchema = IdSchema.transform((value) => deviceId(value));
export const EmailSchema = z.string().trim().toLowerCase().min(3).max(254).email();
export const Key32Schema = base64url(32, 32);
export const SaltSchema = base64url(16, 16);
export const TotpCodeSchema = z.string().regex(/^\d{6}$/, 'a 6-digit code');
export const RecoveryCodeSchema = z.string().regex(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/, 'a recovery code');

/** Argon2id parameters the client used; the relay only stores and returns them. */
export const KdfParamsSchema = z.object({
  opsLimit: z.number().int().min(1).max(10),
  memLimit: z
    .number()
    .int()
    .min(8 * 1024 * 1024)
    .max(1024 * 1024 * 1024),
});
export type KdfParams = z.infer<typeof KdfParamsSchema>;

/** A device's public keys: Ed25519 for signing entries, X25519 for receiving grants. */
export const DeviceRegistrationSchema = z.object({
  name: z.string().trim().min(1).max(100),
  signingPublicKey: Key32Schema,
  boxPublicKey: Key32Schema,
});
export type DeviceRegistration = z.infer<typeof DeviceRegistrationSchema>;

export const KdfRequestSchema = z.object({ email: EmailSchema });
/** Same shape whether or not the email is registered (an unknown email gets a stable fake salt). */
export const KdfResponseSchema = z.object({ salt: SaltSchema, kdf: KdfParamsSchema });

export const RegisterRequestSchema = z.object({
  email: EmailSchema,
  salt: SaltSchema,
  kdf: KdfParamsSchema,
  authKey: Key32Schema,
  /** Identity private keys sealed with the wrapping key: opaque to the relay. */
  keyBundle: base64url(48, 4096),
  /** The user's identity public keys (contacts verify grants with them). */
  signingPublicKey: Key32Schema,
  boxPublicKey: Key32Schema,
  device: DeviceRegistrationSchema,
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

export const LoginRequestSchema = z.object({
  email: EmailSchema,
  authKey: Key32Schema,
  /** Required once two-factor authentication is enabled (or a recovery code). */
  totp: TotpCodeSchema.optional(),
  recoveryCode: RecoveryCodeSchema.optional(),
  device: DeviceRegistrationSchema,
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export const SessionResponseSchema = z.object({
  userId: IdSchema,
  deviceId: IdSchema,
  role: z.enum(['tenant-admin', 'member']),
  accessToken: z.string(),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
  refreshToken: z.string(),
  keyBundle: z.string(),
  signingPublicKey: Key32Schema,
  boxPublicKey: Key32Schema,
});
export type SessionResponse = z.infer<typeof SessionResponseSchema>;

export const RefreshRequestSchema = z.object({ refreshToken: z.string().min(16).max(512) });

export const TotpSetupResponseSchema = z.object({
  /** Base32 secret and otpauth:// URI for an authenticator app. */
  secret: z.string(),
  uri: z.string(),
});
export const TotpConfirmRequestSchema = z.object({ code: TotpCodeSchema });
export const TotpConfirmResponseSchema = z.object({ recoveryCodes: z.array(z.string()).length(10) });

export const DeviceSchema = z.object({
  id: IdSchema,
  name: z.string(),
  signingPublicKey: Key32Schema,
  boxPublicKey: Key32Schema,
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  current: z.boolean(),
});
export type Device = z.infer<typeof DeviceSchema>;

export const MemberSchema = z.object({
  id: IdSchema,
  email: z.string(),
  role: z.enum(['tenant-admin', 'member']),
  twoFactor: z.boolean(),
  createdAt: z.string(),
});

/** `GET /me`: the signed-in user as the relay knows them (whether two-factor authentication is on, say). */
export const AccountResponseSchema = z.object({
  userId: IdSchema,
  email: z.string(),
  role: z.enum(['tenant-admin', 'member']),
  twoFactor: z.boolean(),
  createdAt: z.string(),
});
export type AccountResponse = z.infer<typeof AccountResponseSchema>;

export const ErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** `GET /me/devices`: every device of the signed-in user, revoked ones included. */
export const DeviceListResponseSchema = z.object({ devices: z.array(DeviceSchema) });
/** `GET /members` (tenant-admin only). */
export const MemberListResponseSchema = z.object({ members: z.array(MemberSchema) });

/** Turning two-factor authentication off needs a current code or an unused recovery code. */
export const TotpDisableRequestSchema = z
  .object({ code: TotpCodeSchema.optional(), recoveryCode: RecoveryCodeSchema.optional() })
  .refine((body) => body.code !== undefined || body.recoveryCode !== undefined, {
    message: 'a code or a recovery code',
    path: ['code'],
  });

const tenantPath = (tenant: string) => `/v1/tenants/${encodeURIComponent(tenant)}`;

/** The path of every accounts route, so client and relay cannot disagree on one. */
export const apiPaths = {
  kdf: (tenant: string) => `${tenantPath(tenant)}/kdf`,
  /** POST: register (201 {@link SessionResponseSchema}). */
  users: (tenant: string) => `${tenantPath(tenant)}/users`,
  /** POST: log in. */
  sessions: (tenant: string) => `${tenantPath(tenant)}/sessions`,
  refresh: (tenant: string) => `${tenantPath(tenant)}/sessions/refresh`,
  /** DELETE: log out (revokes the refresh-token family of the bearer token). */
  currentSession: (tenant: string) => `${tenantPath(tenant)}/sessions/current`,
  /** GET: the signed-in user ({@link AccountResponseSchema}). */
  me: (tenant: string) => `${tenantPath(tenant)}/me`,
  /** POST: start two-factor setup. */
  totp: (tenant: string) => `${tenantPath(tenant)}/me/totp`,
  totpConfirm: (tenant: string) => `${tenantPath(tenant)}/me/totp/confirm`,
  totpDisable: (tenant: string) => `${tenantPath(tenant)}/me/totp/disable`,
  devices: (tenant: string) => `${tenantPath(tenant)}/me/devices`,
  /** DELETE: revoke a device (and its sessions). */
  device: (tenant: string, deviceId: string) => `${tenantPath(tenant)}/me/devices/${encodeURIComponent(deviceId)}`,
  members: (tenant: string) => `${tenantPath(tenant)}/members`,
} as const;
