import { type AccessClaims, CoffreError, ErrorCode, type TenantId } from '@coffre/protocol';
import { GroupCommit } from '../storage/GroupCommit.ts';
import type { SqlDatabase } from '../storage/SqlDatabase.ts';
import { TenantScope } from '../storage/TenantScope.ts';
import type { AccountRole } from './AccountRole.ts';
import { SessionRepository, type SessionStatusRow } from './SessionRepository.ts';

export type { AccountRole } from './AccountRole.ts';

/**
 * Checks that an access token's session is still live: an access token is
 * valid for minutes, but a logout or a revoked device must end it at once.
 * Used by the HTTP API for every bearer request and by the sync extension
 * when a document connection authenticates. The checks of one tenant that
 * arrive while one runs share the next transaction ({@link GroupCommit}): a
 * device sending chunks four at once costs one, not four.
 */
export class SessionGuard {
  readonly #scope: TenantScope<SessionRepository>;
  readonly #checks = new GroupCommit<Live, SessionStatusRow | null>((tenant, asked) =>
    this.#scope.run(tenant as TenantId, async (sessions) => {
      const rows: (SessionStatusRow | null)[] = [];
      for (const { claims, device, sid } of asked) rows.push((await sessions.status(claims.sub, device, sid)) ?? null);
      return rows;
    }),
  );

  constructor(database: SqlDatabase) {
    this.#scope = new TenantScope(database, (sql, tenant) => new SessionRepository(sql, tenant));
  }

  /**
   * Resolves with the user's current role, or rejects with a
   * {@link CoffreError}: `DEVICE_REVOKED`, `TOKEN_REVOKED` (logged out, or
   * the family was revoked after a refresh-token reuse), `UNAUTHENTICATED`
   * (no such user, device or session, a token without `sid`/`device`, or a
   * share link's document-scoped token).
   */
  async check(claims: AccessClaims): Promise<AccountRole> {
    const { sid, device } = claims;
    if (sid === undefined || device === undefined || claims.doc !== undefined) {
      throw new CoffreError(ErrorCode.Unauthenticated);
    }
    const row = await this.#checks.submit(claims.tenant, { claims, device, sid });
    if (!row || row.device_revoked === null) throw new CoffreError(ErrorCode.Unauthenticated);
    if (row.device_revoked) throw new CoffreError(ErrorCode.DeviceRevoked);
    if (!row.session_active) throw new CoffreError(ErrorCode.TokenRevoked);
    return row.role;
  }
}

/** A session to check: the token's claims with its device and session present. */
interface Live {
  claims: AccessClaims;
  device: NonNullable<AccessClaims['device']>;
  sid: NonNullable<AccessClaims['sid']>;
}
