import type { DeviceId, UserId } from '@coffre/protocol';
import { ScopedRepository } from '../storage/TenantScope.ts';
import type { AccountRole } from './AccountRole.ts';

/** A refresh token found by its hash, with what deciding a refresh needs. */
export interface RefreshTokenRow {
  family_id: string;
  user_id: UserId;
  device_id: DeviceId;
  expired: boolean;
  used: boolean;
  revoked: boolean;
  device_revoked: boolean;
}

/** What checking an access token's session reads (see {@link SessionRepository.status}). */
export interface SessionStatusRow {
  role: AccountRole;
  /** Null when the device is not the user's (or does not exist). */
  device_revoked: boolean | null;
  session_active: boolean;
}

/** Used refresh tokens are kept this long to recognise a replay, then deleted. */
const USED_REFRESH_TOKEN_RETENTION = '1 day';

/** One statement: the user's role, whether the device is revoked and whether the session family is live. */
const SESSION_STATUS_SQL = `
select
  u.role,
  (select d.revoked_at is not null from devices d
    where d.tenant_id = $1 and d.id = $3 and d.user_id = u.id) as device_revoked,
  exists (select 1 from refresh_tokens r
    where r.tenant_id = $1 and r.family_id = $4 and r.user_id = u.id and r.device_id = $3
      and r.revoked_at is null) as session_active
from users u
where u.tenant_id = $1 and u.id = $2`;

/**
 * The `refresh_tokens` table: sessions are families of refresh tokens
 * (`family_id` is the access token's `sid`), stored only as hashes.
 */
export class SessionRepository extends ScopedRepository {
  /** Stores a refresh token's hash, valid for `lifetimeSeconds` from now. */
  async insert(token: {
    hash: Uint8Array;
    familyId: string;
    userId: UserId;
    deviceId: DeviceId;
    lifetimeSeconds: number;
  }): Promise<void> {
    await this.sql.query(
      `insert into refresh_tokens (tenant_id, token_hash, family_id, user_id, device_id, expires_at)
       values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [this.tenant, token.hash, token.familyId, token.userId, token.deviceId, token.lifetimeSeconds],
    );
  }

  /** The token with this hash and its device's state, locked (`FOR UPDATE` of the token). */
  async lockForRefresh(tokenHash: Uint8Array): Promise<RefreshTokenRow | undefined> {
    const [row] = await this.sql.query<RefreshTokenRow>(
      `select r.family_id, r.user_id, r.device_id, r.expires_at <= now() as expired, r.used_at is not null as used,
              r.revoked_at is not null as revoked, d.revoked_at is not null as device_revoked
       from refresh_tokens r
       join devices d on d.tenant_id = r.tenant_id and d.id = r.device_id
       where r.tenant_id = $1 and r.token_hash = $2
       for update of r`,
      [this.tenant, tokenHash],
    );
    return row;
  }

  async markUsed(tokenHash: Uint8Array): Promise<void> {
    await this.sql.query('update refresh_tokens set used_at = now() where tenant_id = $1 and token_hash = $2', [
      this.tenant,
      tokenHash,
    ]);
  }

  /** Deletes the family's tokens used longer ago than the replay-detection window. */
  async deleteExpiredUsed(familyId: string): Promise<void> {
    await this.sql.query(
      `delete from refresh_tokens
       where tenant_id = $1 and family_id = $2 and used_at < now() - interval '${USED_REFRESH_TOKEN_RETENTION}'`,
      [this.tenant, familyId],
    );
  }

  /** Revokes every live token of the family (of `userId` only, when given). */
  async revokeFamily(familyId: string, userId?: UserId): Promise<void> {
    if (userId === undefined) {
      await this.sql.query(
        'update refresh_tokens set revoked_at = now() where tenant_id = $1 and family_id = $2 and revoked_at is null',
        [this.tenant, familyId],
      );
      return;
    }
    await this.sql.query(
      `update refresh_tokens set revoked_at = now()
       where tenant_id = $1 and family_id = $2 and user_id = $3 and revoked_at is null`,
      [this.tenant, familyId, userId],
    );
  }

  /** Revokes every live token of the device; resolves with the families that had one. */
  async revokeDevice(deviceId: DeviceId): Promise<string[]> {
    const rows = await this.sql.query<{ family_id: string }>(
      `update refresh_tokens set revoked_at = now()
       where tenant_id = $1 and device_id = $2 and revoked_at is null returning family_id`,
      [this.tenant, deviceId],
    );
    return [...new Set(rows.map((row) => row.family_id))];
  }

  /** The user's role, whether the device is revoked and whether the family is live, in one statement. */
  async status(userId: UserId, deviceId: DeviceId, familyId: string): Promise<SessionStatusRow | undefined> {
    const [row] = await this.sql.query<SessionStatusRow>(SESSION_STATUS_SQL, [this.tenant, userId, deviceId, familyId]);
    return row;
  }
}
