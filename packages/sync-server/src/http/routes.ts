import { createRoute } from '@hono/zod-openapi';
import {
  AccountResponseSchema,
  DeviceListResponseSchema,
  KdfRequestSchema,
  KdfResponseSchema,
  LoginRequestSchema,
  MemberListResponseSchema,
  RefreshRequestSchema,
  RegisterRequestSchema,
  SessionResponseSchema,
  TotpConfirmRequestSchema,
  TotpConfirmResponseSchema,
  TotpDisableRequestSchema,
  TotpSetupResponseSchema,
} from '@coffre/protocol';
import { TenantParams, DeviceParams, json, body, failure, bearer } from './openApiParts.ts';

/*
 * The accounts API as OpenAPI routes. Request and response bodies are the
 * zod schemas of @coffre/protocol, used as they are: the client validates
 * with the same ones.
 */

const common = {
  400: failure('VALIDATION_FAILED or BAD_REQUEST: the body or path is not valid'),
  413: failure('PAYLOAD_TOO_LARGE: the body is over 64 KiB'),
  429: failure('RATE_LIMITED: too many attempts; see Retry-After'),
};
const unknownTenant = { 404: failure('UNKNOWN_TENANT: no such tenant on this relay') };
const bearerFailures = {
  401: failure('UNAUTHENTICATED, TOKEN_EXPIRED, TOKEN_REVOKED or DEVICE_REVOKED'),
  403: failure('FORBIDDEN: the token belongs to another tenant'),
};

export const kdfRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/kdf',
  summary: 'The salt and Argon2id parameters to derive the login key with',
  description: 'An unknown email gets a stable fake salt and the default parameters: the answer has the same shape.',
  tags: ['accounts'],
  request: { params: TenantParams, body: body(KdfRequestSchema) },
  responses: { 200: { ...json(KdfResponseSchema), description: 'Salt and parameters' }, ...common, ...unknownTenant },
});

export const registerRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/users',
  summary: 'Register a user with a first device; the first user of a tenant becomes its tenant-admin',
  tags: ['accounts'],
  request: { params: TenantParams, body: body(RegisterRequestSchema) },
  responses: {
    201: { ...json(SessionResponseSchema), description: 'The new user, signed in' },
    ...common,
    ...unknownTenant,
    409: failure('EMAIL_TAKEN'),
  },
});

export const loginRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/sessions',
  summary: 'Log in and register this device',
  tags: ['sessions'],
  request: { params: TenantParams, body: body(LoginRequestSchema) },
  responses: {
    200: { ...json(SessionResponseSchema), description: 'Signed in' },
    ...common,
    ...unknownTenant,
    401: failure('INVALID_CREDENTIALS, SECOND_FACTOR_REQUIRED or INVALID_SECOND_FACTOR'),
  },
});

export const refreshRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/sessions/refresh',
  summary: 'Trade a refresh token for new tokens (rotation); a reused token revokes its session',
  tags: ['sessions'],
  request: { params: TenantParams, body: body(RefreshRequestSchema) },
  responses: {
    200: { ...json(SessionResponseSchema), description: 'New access and refresh tokens' },
    ...common,
    ...unknownTenant,
    401: failure('UNAUTHENTICATED, TOKEN_EXPIRED, TOKEN_REVOKED, DEVICE_REVOKED or REFRESH_TOKEN_REUSED'),
  },
});

export const logoutRoute = createRoute({
  method: 'delete',
  path: '/v1/tenants/{tenant}/sessions/current',
  summary: "Log out: revoke the bearer token's session and close its connections",
  tags: ['sessions'],
  ...bearer,
  request: { params: TenantParams },
  responses: { 204: { description: 'Logged out' }, ...common, ...bearerFailures },
});

export const totpSetupRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/me/totp',
  summary: 'Start two-factor setup: a new secret for an authenticator app',
  tags: ['two-factor'],
  ...bearer,
  request: { params: TenantParams },
  responses: {
    200: { ...json(TotpSetupResponseSchema), description: 'The pending secret' },
    ...common,
    ...bearerFailures,
    409: failure('TWO_FACTOR_ALREADY_ENABLED'),
  },
});

export const totpConfirmRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/me/totp/confirm',
  summary: 'Turn two-factor authentication on with a code of the pending secret; returns 10 recovery codes',
  tags: ['two-factor'],
  ...bearer,
  request: { params: TenantParams, body: body(TotpConfirmRequestSchema) },
  responses: {
    200: { ...json(TotpConfirmResponseSchema), description: 'Two-factor authentication is on' },
    ...common,
    401: failure('INVALID_SECOND_FACTOR, or a bearer failure'),
    403: bearerFailures[403],
    404: failure('NOT_FOUND: no setup was started'),
    409: failure('TWO_FACTOR_ALREADY_ENABLED'),
  },
});

export const totpDisableRoute = createRoute({
  method: 'post',
  path: '/v1/tenants/{tenant}/me/totp/disable',
  summary: 'Turn two-factor authentication off with a current code or an unused recovery code',
  tags: ['two-factor'],
  ...bearer,
  request: { params: TenantParams, body: body(TotpDisableRequestSchema) },
  responses: {
    204: { description: 'Two-factor authentication is off' },
    ...common,
    401: failure('INVALID_SECOND_FACTOR, or a bearer failure'),
    403: bearerFailures[403],
    404: failure('NOT_FOUND: two-factor authentication is not on'),
  },
});

export const meRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/me',
  summary: 'The signed-in user: email, role, and whether two-factor authentication is on',
  tags: ['accounts'],
  ...bearer,
  request: { params: TenantParams },
  responses: { 200: { ...json(AccountResponseSchema), description: 'The user' }, ...common, ...bearerFailures },
});

export const listDevicesRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/me/devices',
  summary: "The signed-in user's devices, revoked ones included",
  tags: ['devices'],
  ...bearer,
  request: { params: TenantParams },
  responses: { 200: { ...json(DeviceListResponseSchema), description: 'Devices' }, ...common, ...bearerFailures },
});

export const revokeDeviceRoute = createRoute({
  method: 'delete',
  path: '/v1/tenants/{tenant}/me/devices/{deviceId}',
  summary: 'Revoke a device: its sessions end and its connections close',
  tags: ['devices'],
  ...bearer,
  request: { params: DeviceParams },
  responses: {
    204: { description: 'Revoked' },
    ...common,
    ...bearerFailures,
    404: failure('NOT_FOUND: no such device of this user'),
  },
});

export const listMembersRoute = createRoute({
  method: 'get',
  path: '/v1/tenants/{tenant}/members',
  summary: "The tenant's members (tenant-admin only)",
  tags: ['members'],
  ...bearer,
  request: { params: TenantParams },
  responses: {
    200: { ...json(MemberListResponseSchema), description: 'Members' },
    ...common,
    401: bearerFailures[401],
    403: failure('FORBIDDEN: not a tenant-admin, or the token belongs to another tenant'),
  },
});
