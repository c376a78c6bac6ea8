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

/**
 * The relay's open document connections by login session (`sid`) and device,
 * so that a logout or a device revocation closes them at once, and by token
 * expiry, so that a connection ends when its access token does (the provider
 * then reconnects with a fresh token).
 *
 * A revocation is remembered for `rememberRevokedMs` (at least an access
 * token's lifetime): a connection whose token was checked just before the
 * revocation and that finishes connecting just after it is closed too.
 *
 * One process only: with several relays, a revocation through one of them
 * reaches connections on the others when their token is next checked.
 * TODO(scale-out): publish revocations over Redis.
 */
export class ConnectionRegistry {
  readonly #entries = new Map<TrackedConnection, Entry>();
  readonly #byKey = new Map<string, Set<Entry>>();
  /** Revoked session/device keys -> until when (ms) they are remembered. */
  readonly #revoked = new Map<string, { until: number; reason: ErrorCode }>();
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
   */
  track(connection: TrackedConnection, claims: AccessClaims, expiresAt: number): void {
    const keys: string[] = [];
    if (claims.sid !== undefined) keys.push(sessionKey(claims.tenant, claims.sid));
    if (claims.sid !== undefined && claims.device !== undefined) keys.push(deviceKey(claims.tenant, claims.device));
    for (const key of keys) {
      const revoked = this.#revokedReason(key);
      if (revoked) {
        connection.close({ code: CloseCode.Unauthenticated, reason: revoked });
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

  /** Closes every connection of a login session (a logout, or a refresh-token family revoked). */
  closeSession(tenant: string, sid: string, reason: ErrorCode = ErrorCode.TokenRevoked): number {
    return this.#closeKey(sessionKey(tenant, sid), reason);
  }

  /** Closes every connection of a device (a device revoked). */
  closeDevice(tenant: string, device: string, reason: ErrorCode = ErrorCode.DeviceRevoked): number {
    return this.#closeKey(deviceKey(tenant, device), reason);
  }

  /** Clears the expiry timers (the relay is stopping). */
  dispose(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    this.#entries.clear();
    this.#byKey.clear();
    this.#revoked.clear();
  }

  #closeKey(key: string, reason: ErrorCode): number {
    const now = Date.now();
    for (const [revokedKey, { until }] of this.#revoked) if (until <= now) this.#revoked.delete(revokedKey);
    this.#revoked.set(key, { until: now + this.#rememberRevokedMs, reason });
    const entries = [...(this.#byKey.get(key) ?? [])];
    for (const entry of entries) this.#close(entry, reason);
    return entries.length;
  }

  #revokedReason(key: string): ErrorCode | null {
    const revoked = this.#revoked.get(key);
    if (!revoked) return null;
    if (revoked.until > Date.now()) return revoked.reason;
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

  #close(entry: Entry, reason: ErrorCode): void {
    this.#forget(entry);
    entry.connection.close({ code: CloseCode.Unauthenticated, reason });
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
