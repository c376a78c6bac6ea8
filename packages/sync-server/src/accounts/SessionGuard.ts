import { type AccessClaims, CoffreError, ErrorCode } from '@coffre/protocol';
import type { SqlDatabase } from '../storage/index.ts';

/** A user's role in a tenant, as stored. */
export type AccountRole = 'tenant-admin' | 'member';

interface SessionRow {
  role: AccountRole;
  device_revoked: boolean | null;
  session_active: boolean;
}

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
 * Checks that an access token's session is still live: an access token is
 * valid for minutes, but a logout or a revoked device must end it at once.
 * Used by the HTTP API for every bearer request and by the sync extension
 * when a document connection authenticates.
 */
export class SessionGuard {
  readonly #database: SqlDatabase;

  constructor(database: SqlDatabase) {
    this.#database = database;
  }

  /**
   * Resolves with the user's current role, or rejects with a
   * {@link CoffreError}: `DEVICE_REVOKED`, `TOKEN_REVOKED` (logged out, or
   * the family was revoked after a refresh-token reuse), `UNAUTHENTICATED`
   * (no such user, device or session, a token without `sid`/`device`, or a
   * share link's document-scoped token).
   */
  async check(claims: AccessClaims): Promise<AccountRole> {
    if (claims.sid === undefined || claims.device === undefined || claims.doc !== undefined) {
      throw new CoffreError(ErrorCode.Unauthenticated);
    }
    const rows = await this.#database.withTenant(claims.tenant, (sql) =>
      sql.query<SessionRow>(SESSION_STATUS_SQL, [claims.tenant, claims.sub, claims.device ?? null, claims.sid ?? null]),
    );
    const row = rows[0];
    if (!row || row.device_revoked === null) throw new CoffreError(ErrorCode.Unauthenticated);
    if (row.device_revoked) throw new CoffreError(ErrorCode.DeviceRevoked);
    if (!row.session_active) throw new CoffreError(ErrorCode.TokenRevoked);
    return row.role;
  }
}
