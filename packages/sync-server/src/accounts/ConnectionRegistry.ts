import { type AccessClaims, CloseCode, ErrorCode } from '@coffre/protocol';

/** What the registry needs of a Hocuspocus document connection. */
export interface TrackedConnection {
  close(event?: { code: number; reason: string }): void;
  onClose(callback: () => void): unknown;
}

/** setTimeout's longest delay; longer waits are scheduled in steps. */
const MAX_TIMER_MS = 2_147_483_647;

interface Entry {
  connection: TrackedConnection;
  keys: string[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface Revoked {
  until: number;
  reason: ErrorCode;
  closeCode: number;
}

/**
 * The relay's open document connections by login session (`sid`, which is
 * also how link sessions are named), device, member of a document and
 * document, so that a logout, a device revocation, a removal from a document,
 * a revoked link or a deleted document closes them at once; and by token
 * expiry, so that a connection ends when its access token does (the provider
 * then reconnects with a fresh token).
 *
 * A revocation is remembered for `rememberRevokedMs` (at least an access
 * token's lifetime): a connection whose token or membership was checked just
 * before the revocation and that finishes connecting just after it is closed
 * too. Adding the member back, or creating the document again, forgets it
 * ({@link ConnectionRegistry.readmitMember}, {@link ConnectionRegistry.readmitDocument}).
 *
 * One process only: with several relays, a revocation through one of them
 * reaches connections on the others when their token is next checked.
 * TODO(scale-out): publish revocations over Redis.
 */
export class ConnectionRegistry {
  readonly #entries = new Map<TrackedConnection, Entry>();
  readonly #byKey = new Map<string, Set<Entry>>();
  /** Revoked session/device keys -> until when (ms) they are remembered. */
  readonly #revoked = new Map<string, Revoked>();
  readonly #rememberRevokedMs: number;

  constructor(options: { rememberRevokedMs?: number } = {}) {
    this.#rememberRevokedMs = options.rememberRevokedMs ?? 15 * 60_000;
  }

  /** Open connections (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Tracks a connection authenticated with `claims` until it closes, and
   * closes it with `TOKEN_EXPIRED` at `expiresAt` (ms since the epoch).
   * With `documentId`, the connection also closes when the document is
   * deleted and, for an account session, when its user leaves the document.
   */
  track(connection: TrackedConnection, claims: AccessClaims, expiresAt: number, documentId?: string): void {
    const keys: string[] = [];
    if (claims.sid !== undefined) keys.push(sessionKey(claims.tenant, claims.sid));
    if (claims.sid !== undefined && claims.device !== undefined) keys.push(deviceKey(claims.tenant, claims.device));
    if (documentId !== undefined) {
      keys.push(documentKey(claims.tenant, documentId));
      if (claims.sid !== undefined && claims.doc === undefined) {
        keys.push(memberKey(claims.tenant, claims.sub, documentId));
      }
    }
    for (const key of keys) {
      const revoked = this.#revokedEntry(key);
      if (revoked) {
        connection.close({ code: revoked.closeCode, reason: revoked.reason });
        return;
      }
    }
    const entry: Entry = { connection, keys, timer: undefined };
    this.#entries.set(connection, entry);
    for (const key of keys) {
      let set = this.#byKey.get(key);
      if (!set) this.#byKey.set(key, (set = new Set()));
      set.add(entry);
    }
    connection.onClose(() => this.#forget(entry));
    this.#scheduleExpiry(entry, expiresAt);
  }

  /**
   * Closes every connection of a login session (a logout, or a refresh-token
   * family revoked), or of a share link's session (revoked: `FORBIDDEN`).
   */
  closeSession(
    tenant: string,
    sid: string,
    reason: ErrorCode = ErrorCode.TokenRevoked,
    closeCode: number = CloseCode.Unauthenticated,
  ): number {
    return this.#closeKey(sessionKey(tenant, sid), reason, closeCode);
  }

  /** Closes every connection of a device (a device revoked). */
  closeDevice(tenant: string, device: string, reason: ErrorCode = ErrorCode.DeviceRevoked): number {
    return this.#closeKey(deviceKey(tenant, device), reason);
  }

  /** Closes a user's account-session connections to one document (removed from it) with `FORBIDDEN`. */
  closeMember(tenant: string, user: string, documentId: string, reason: ErrorCode = ErrorCode.Forbidden): number {
    return this.#closeKey(memberKey(tenant, user, documentId), reason, CloseCode.Forbidden);
  }

  /** Closes every connection to a document (deleted), whatever its token. */
  closeDocument(tenant: string, documentId: string, reason: ErrorCode = ErrorCode.NotFound): number {
    return this.#closeKey(documentKey(tenant, documentId), reason, CloseCode.Forbidden);
  }

  /** Forgets that a user was removed from a document: they were added back. */
  readmitMember(tenant: string, user: string, documentId: string): void {
    this.#revoked.delete(memberKey(tenant, user, documentId));
  }

  /** Forgets that a document was deleted: a document of the same id was created. */
  readmitDocument(tenant: string, documentId: string): void {
    this.#revoked.delete(documentKey(tenant, documentId));
  }

  /** Clears the expiry timers (the relay is stopping). */
  dispose(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    this.#entries.clear();
    this.#byKey.clear();
    this.#revoked.clear();
  }

  #closeKey(key: string, reason: ErrorCode, closeCode: number = CloseCode.Unauthenticated): number {
    const now = Date.now();
    for (const [revokedKey, { until }] of this.#revoked) if (until <= now) this.#revoked.delete(revokedKey);
    this.#revoked.set(key, { until: now + this.#rememberRevokedMs, reason, closeCode });
    const entries = [...(this.#byKey.get(key) ?? [])];
    for (const entry of entries) this.#close(entry, reason, closeCode);
    return entries.length;
  }

  #revokedEntry(key: string): Revoked | null {
    const revoked = this.#revoked.get(key);
    if (!revoked) return null;
    if (revoked.until > Date.now()) return revoked;
    this.#revoked.delete(key);
    return null;
  }

  #scheduleExpiry(entry: Entry, expiresAt: number): void {
    const delay = expiresAt - Date.now();
    if (delay <= 0) {
      this.#close(entry, ErrorCode.TokenExpired);
      return;
    }
    entry.timer = setTimeout(
      () => {
        if (this.#entries.get(entry.connection) === entry) this.#scheduleExpiry(entry, expiresAt);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    entry.timer.unref();
  }

  #close(entry: Entry, reason: ErrorCode, closeCode: number = CloseCode.Unauthenticated): void {
    this.#forget(entry);
    entry.connection.close({ code: closeCode, reason });
  }

  #forget(entry: Entry): void {
    clearTimeout(entry.timer);
    if (this.#entries.get(entry.connection) !== entry) return;
    this.#entries.delete(entry.connection);
    for (const key of entry.keys) {
      const set = this.#byKey.get(key);
      set?.delete(entry);
      if (set?.size === 0) this.#byKey.delete(key);
    }
  }
}

function sessionKey(tenant: string, sid: string): string {
  return `${tenant}/session/${sid}`;
}

function deviceKey(tenant: string, device: string): string {
  return `${tenant}/device/${device}`;
}

function memberKey(tenant: string, user: string, documentId: string): string {
  return `${tenant}/member/${user}/${documentId}`;
}

function documentKey(tenant: string, documentId: string): string {
  return `${tenant}/document/${documentId}`;
}
