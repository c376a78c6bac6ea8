import { isValidId, type DeviceId, type TenantId, type UserId } from './ids.ts';

/**
 * What a relay-issued access token says. `role` is the user's role in the
 * tenant; `readonly` tokens may read but never send updates or presence.
 */
export const TENANT_ROLES = ['tenant-admin', 'member', 'viewer'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export interface AccessClaims {
  /** The user. */
  sub: UserId;
  tenant: TenantId;
  role: TenantRole;
  device?: DeviceId;
  /** The login session (refresh-token family) the token belongs to; revoking it ends the token. */
  sid?: string;
  /** Link sessions only: the one document the token opens, and whether it may write. */
  doc?: string;
  access?: 'read' | 'write';
}

export const TOKEN_AUDIENCE = 'coffre-relay';

export function isTenantRole(value: unknown): value is TenantRole {
  return typeof value === 'string' && (TENANT_ROLES as readonly string[]).includes(value);
}

/** Narrows a verified JWT payload to {@link AccessClaims}, or returns null. */
export function parseAccessClaims(payload: Record<string, unknown>): AccessClaims | null {
  const { sub, tenant, role, device, sid, doc, access } = payload;
  if (!isValidId(sub) || !isValidId(tenant) || !isTenantRole(role)) return null;
  if (device !== undefined && !isValidId(device)) return null;
  if (sid !== undefined && !isValidId(sid)) return null;
  const claims: AccessClaims = { sub: sub as UserId, tenant: tenant as TenantId, role };
  if (device !== undefined) claims.device = device as DeviceId;
  if (sid !== undefined) claims.sid = sid;
  if (doc !== undefined) {
    if (!isValidId(doc) || (access !== 'read' && access !== 'write')) return null;
    claims.doc = doc;
    claims.access = access;
  }
  return claims;
}

export function canWrite(role: TenantRole): boolean {
  return role !== 'viewer';
}
