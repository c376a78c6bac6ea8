import type { z } from 'zod';
import {
  ARGON2ID_INTERACTIVE,
  constantTimeEqual,
  deriveSubkey,
  hash,
  randomBytes,
  ready,
  toBase64Url,
} from '@coffre/crypto';
import {
  type AccessClaims,
  type AccountResponse,
  CoffreError,
  type Device,
  type DeviceId,
  ErrorCode,
  IdSchema,
  type KdfParams,
  KdfParamsSchema,
  type KdfResponseSchema,
  type LoginRequest,
  LoginRequestSchema,
  type MemberSchema,
  RefreshRequestSchema,
  type RegisterRequest,
  RegisterRequestSchema,
  type SessionResponse,
  type TenantId,
  TotpConfirmRequestSchema,
  TotpDisableRequestSchema,
  type TotpSetupResponseSchema,
  type UserId,
  deviceId as toDeviceId,
  tenantId as toTenantId,
  userId as toUserId,
} from '@coffre/protocol';
import { DEFAULT_ISSUER, mintAccessToken, type TokenKeys } from '../auth/TokenKeys.ts';
import type { SqlDatabase, SqlExecutor } from '../storage/index.ts';
import { createTenant } from './createTenant.ts';
import { decodeBytes } from './decodeBytes.ts';
import { newId } from './newId.ts';
import { parseInput } from './parseInput.ts';
import { generateRecoveryCode, hashRecoveryCode, RECOVERY_CODE_COUNT } from './recoveryCodes.ts';
import { type AccountRole, SessionGuard } from './SessionGuard.ts';
import { matchTotpStep, newTotpSecret, totpUri } from './totp.ts';

export type KdfResponse = z.infer<typeof KdfResponseSchema>;
export type TotpSetupResponse = z.infer<typeof TotpSetupResponseSchema>;
export type Member = z.infer<typeof MemberSchema>;

/** Sessions, devices or both that stopped being valid: their open connections must close. */
export interface Revocation {
  tenant: TenantId;
  sessions: string[];
  devices: string[];
  /** Why, as the close reason connections get. */
  reason: ErrorCode;
}

/** Who an access token speaks for, after {@link AccountService.authenticate}. */
export interface AccountSession {
  tenant: TenantId;
  userId: UserId;
  deviceId: DeviceId;
  /** The refresh-token family (the token's `sid`). */
  sessionId: string;
  /** The role as stored now (not as when the token was minted). */
  role: AccountRole;
}

export interface AccountServiceOptions {
  database: SqlDatabase;
  /** Signs access tokens. */
  tokenKeys: TokenKeys;
  /** At least 32 random bytes kept by the relay: keys fake KDF salts and recovery-code hashes. */
  serverSecret: Uint8Array;
  tokenIssuer?: string;
  /** Access-token lifetime in seconds (default 300). */
  accessTokenSeconds?: number;
  /** Refresh-token lifetime in seconds (default 30 days); each refresh starts a new one. */
  refreshTokenSeconds?: number;
  /** What {@link AccountService.kdfParams} answers for an unknown email (default Argon2id INTERACTIVE). */
  defaultKdf?: KdfParams;
  /** Shown by authenticator apps (default "Coffre"). */
  totpIssuer?: string;
  /** Called after a logout, a device revocation or a refresh-token reuse has committed. */
  onRevoked?: (revocation: Revocation) => void;
  /** Shared with the relay's sync side; one is made when omitted. */
  guard?: SessionGuard;
  /** The clock TOTP codes are checked against (ms since the epoch); tests set it. */
  now?: () => number;
}

interface DerivedKeys {
  kdfSaltKey: Uint8Array;
  recoveryKey: Uint8Array;
  dummySalt: Uint8Array;
  dummyHash: Uint8Array;
}

interface LoginUserRow {
  id: string;
  role: AccountRole;
  auth_hash: Uint8Array;
  auth_hash_salt: Uint8Array;
  key_bundle: Uint8Array;
  signing_public_key: Uint8Array;
  box_public_key: Uint8Array;
  totp_enabled: boolean;
  totp_secret: string | null;
  totp_last_step: bigint | null;
}

interface SessionUser {
  id: string;
  role: AccountRole;
  key_bundle: Uint8Array;
  signing_public_key: Uint8Array;
  box_public_key: Uint8Array;
}

interface RefreshRow {
  family_id: string;
  user_id: string;
  device_id: string;
  expired: boolean;
  used: boolean;
  revoked: boolean;
  device_revoked: boolean;
}

type RefreshOutcome =
  | { kind: 'rotated'; user: SessionUser; familyId: string; deviceId: string }
  | { kind: 'reused'; familyId: string }
  | { kind: 'refused'; code: ErrorCode };

const LOGIN_USER_COLUMNS = `id, role, auth_hash, auth_hash_salt, key_bundle, signing_public_key, box_public_key,
  totp_enabled, totp_secret, totp_last_step`;
const SESSION_USER_COLUMNS = 'id, role, key_bundle, signing_public_key, box_public_key';

/** Used refresh tokens are kept this long to recognise a replay, then deleted. */
const USED_REFRESH_TOKEN_RETENTION = '1 day';

const encoder = new TextEncoder();

/**
 * Accounts, sessions and devices of every tenant (DESIGN.md section 4), over
 * {@link SqlDatabase}. The relay never sees a password: the client derives
 * `authKey` with Argon2id and the relay stores a keyed BLAKE2b of it, with a
 * random per-user key. Every method runs its reads and writes in one tenant
 * transaction, so bad input or a refusal changes nothing.
 *
 * Errors are {@link CoffreError}s with a stable code; an unknown email and a
 * wrong password are the same `INVALID_CREDENTIALS` after the same work.
 */
export class AccountService {
  readonly #database: SqlDatabase;
  readonly #tokenKeys: TokenKeys;
  readonly #serverSecret: Uint8Array;
  readonly #issuer: string;
  readonly #accessTokenSeconds: number;
  readonly #refreshTokenSeconds: number;
  readonly #defaultKdf: KdfParams;
  readonly #totpIssuer: string;
  readonly #onRevoked: (revocation: Revocation) => void;
  readonly #guard: SessionGuard;
  readonly #now: () => number;
  readonly #knownTenants = new Set<string>();
  #derived: Promise<DerivedKeys> | undefined;

  constructor(options: AccountServiceOptions) {
    if (options.serverSecret.byteLength < 32) throw new RangeError('the server secret must be at least 32 bytes');
    this.#database = options.database;
    this.#tokenKeys = options.tokenKeys;
    this.#serverSecret = options.serverSecret;
    this.#issuer = options.tokenIssuer ?? DEFAULT_ISSUER;
    this.#accessTokenSeconds = options.accessTokenSeconds ?? 300;
    this.#refreshTokenSeconds = options.refreshTokenSeconds ?? 30 * 24 * 60 * 60;
    this.#defaultKdf = KdfParamsSchema.parse(options.defaultKdf ?? ARGON2ID_INTERACTIVE);
    this.#totpIssuer = options.totpIssuer ?? 'Coffre';
    this.#onRevoked = options.onRevoked ?? (() => undefined);
    this.#guard = options.guard ?? new SessionGuard(options.database);
    this.#now = options.now ?? Date.now;
  }

  /** Access-token lifetime in seconds. */
  get accessTokenSeconds(): number {
    return this.#accessTokenSeconds;
  }

  /** Creates a tenant; see {@link createTenant}. */
  async createTenant(slug: string, name: string): Promise<TenantId> {
    const id = await createTenant(this.#database, slug, name);
    this.#knownTenants.add(id);
    return id;
  }

  /**
   * The salt and Argon2id parameters to log in with. An unknown email gets
   * a stable fake salt (keyed BLAKE2b of tenant and email) and the default
   * parameters, so the answer does not tell whether an account exists.
   */
  async kdfParams(tenant: TenantId, email: string): Promise<KdfResponse> {
    const keys = await this.#keys();
    await this.#requireTenant(tenant);
    const normalised = normaliseEmail(email);
    const rows = await this.#database.withTenant(tenant, (sql) =>
      sql.query<{ auth_salt: Uint8Array; kdf_ops: number; kdf_mem: number }>(
        'select auth_salt, kdf_ops, kdf_mem from users where tenant_id = $1 and email = $2',
        [tenant, normalised],
      ),
    );
    const row = rows[0];
    if (row) return { salt: toBase64Url(row.auth_salt), kdf: { opsLimit: row.kdf_ops, memLimit: row.kdf_mem } };
    const fakeSalt = hash(encoder.encode(`${tenant}\0${normalised}`), 32, keys.kdfSaltKey).slice(0, 16);
    return { salt: toBase64Url(fakeSalt), kdf: { ...this.#defaultKdf } };
  }

  /**
   * Creates a user with a first device and session. The first user of a
   * tenant becomes its `tenant-admin`. Rejects with `EMAIL_TAKEN` or
   * `UNKNOWN_TENANT`.
   */
  async register(tenant: TenantId, input: RegisterRequest): Promise<SessionResponse> {
    await this.#keys();
    const request = parseInput(RegisterRequestSchema, input);
    const authKey = decodeBytes(request.authKey, 32, 32);
    const user = {
      id: newId('u'),
      email: request.email,
      authSalt: decodeBytes(request.salt, 16, 16),
      authHashSalt: randomBytes(32),
      keyBundle: decodeBytes(request.keyBundle, 48, 4096),
      signingPublicKey: decodeBytes(request.signingPublicKey, 32, 32),
      boxPublicKey: decodeBytes(request.boxPublicKey, 32, 32),
    };
    const authHash = hash(authKey, 32, user.authHashSalt);
    const device = this.#newDevice(request.device);
    const familyId = newId('s');
    const refreshToken = this.#newRefreshToken(tenant);
    const role = await this.#database.withTenant(tenant, async (sql) => {
      // Locking the tenant row serialises registrations, so exactly one first user becomes admin.
      const tenants = await sql.query('select id from tenants where id = $1 for update', [tenant]);
      if (tenants.length === 0) throw new CoffreError(ErrorCode.UnknownTenant);
      const [state] = await sql.query<{ taken: boolean; has_users: boolean }>(
        `select exists (select 1 from users where tenant_id = $1 and email = $2) as taken,
                exists (select 1 from users where tenant_id = $1) as has_users`,
        [tenant, user.email],
      );
      if (state?.taken) throw new CoffreError(ErrorCode.EmailTaken);
      const newRole: AccountRole = state?.has_users ? 'member' : 'tenant-admin';
      await sql.query(
        `insert into users (tenant_id, id, email, role, auth_salt, kdf_ops, kdf_mem, auth_hash, auth_hash_salt,
                            key_bundle, signing_public_key, box_public_key)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          tenant,
          user.id,
          user.email,
          newRole,
          user.authSalt,
          request.kdf.opsLimit,
          request.kdf.memLimit,
          authHash,
          user.authHashSalt,
          user.keyBundle,
          user.signingPublicKey,
          user.boxPublicKey,
        ],
      );
      await insertDevice(sql, tenant, user.id, device);
      await this.#insertRefreshToken(sql, tenant, refreshToken, familyId, user.id, device.id);
      return newRole;
    });
    this.#knownTenants.add(tenant);
    return this.#sessionResponse(
      tenant,
      {
        id: user.id,
        role,
        key_bundle: user.keyBundle,
        signing_public_key: user.signingPublicKey,
        box_public_key: user.boxPublicKey,
      },
      device.id,
      familyId,
      refreshToken,
    );
  }

  /**
   * Logs in and registers the calling device. Once two-factor authentication
   * is on, a valid `totp` code (each accepted once) or an unused
   * `recoveryCode` is needed too: without one the answer is
   * `SECOND_FACTOR_REQUIRED`, with a wrong one `INVALID_SECOND_FACTOR`, and
   * no token is issued either way.
   */
  async login(tenant: TenantId, input: LoginRequest): Promise<SessionResponse> {
    const keys = await this.#keys();
    const request = parseInput(LoginRequestSchema, input);
    await this.#requireTenant(tenant);
    const authKey = decodeBytes(request.authKey, 32, 32);
    const device = this.#newDevice(request.device);
    const familyId = newId('s');
    const refreshToken = this.#newRefreshToken(tenant);
    const user = await this.#database.withTenant(tenant, async (sql) => {
      const [row] = await sql.query<LoginUserRow>(
        `select ${LOGIN_USER_COLUMNS} from users where tenant_id = $1 and email = $2 for update`,
        [tenant, request.email],
      );
      // An unknown email is hashed and compared against a dummy: the same work as a wrong password.
      const candidate = hash(authKey, 32, row?.auth_hash_salt ?? keys.dummySalt);
      const matches = constantTimeEqual(candidate, row?.auth_hash ?? keys.dummyHash);
      if (!row || !matches) throw new CoffreError(ErrorCode.InvalidCredentials);
      if (row.totp_enabled) {
        if (request.totp === undefined && request.recoveryCode === undefined) {
          throw new CoffreError(ErrorCode.SecondFactorRequired);
        }
        await this.#useSecondFactor(sql, tenant, row, request.totp, request.recoveryCode);
      }
      await insertDevice(sql, tenant, row.id, device);
      await this.#insertRefreshToken(sql, tenant, refreshToken, familyId, row.id, device.id);
      return row;
    });
    return this.#sessionResponse(tenant, user, device.id, familyId, refreshToken);
  }

  /**
   * Trades a refresh token for a new access token and a new refresh token of
   * the same family. A token presented after it was used revokes the whole
   * family (`REFRESH_TOKEN_REUSED`): someone holds a copy.
   */
  async refresh(tenant: TenantId, refreshToken: string): Promise<SessionResponse> {
    await this.#keys();
    parseInput(RefreshRequestSchema, { refreshToken });
    await this.#requireTenant(tenant);
    // The tenant is part of the token, so a token of another tenant is refused without a look-up.
    if (!refreshToken.startsWith(`${tenant}.`)) throw new CoffreError(ErrorCode.Unauthenticated);
    const tokenHash = hashRefreshToken(refreshToken);
    const next = this.#newRefreshToken(tenant);
    const outcome = await this.#database.withTenant(tenant, async (sql): Promise<RefreshOutcome> => {
      const [row] = await sql.query<RefreshRow>(
        `select r.family_id, r.user_id, r.device_id, r.expires_at <= now() as expired, r.used_at is not null as used,
                r.revoked_at is not null as revoked, d.revoked_at is not null as device_revoked
         from refresh_tokens r
         join devices d on d.tenant_id = r.tenant_id and d.id = r.device_id
         where r.tenant_id = $1 and r.token_hash = $2
         for update of r`,
        [tenant, tokenHash],
      );
      if (!row) return { kind: 'refused', code: ErrorCode.Unauthenticated };
      if (row.device_revoked) return { kind: 'refused', code: ErrorCode.DeviceRevoked };
      if (row.revoked) return { kind: 'refused', code: ErrorCode.TokenRevoked };
      if (row.used) {
        await revokeFamily(sql, tenant, row.family_id);
        return { kind: 'reused', familyId: row.family_id };
      }
      if (row.expired) return { kind: 'refused', code: ErrorCode.TokenExpired };
      await sql.query('update refresh_tokens set used_at = now() where tenant_id = $1 and token_hash = $2', [
        tenant,
        tokenHash,
      ]);
      await this.#insertRefreshToken(sql, tenant, next, row.family_id, row.user_id, row.device_id);
      await sql.query(
        `delete from refresh_tokens
         where tenant_id = $1 and family_id = $2 and used_at < now() - interval '${USED_REFRESH_TOKEN_RETENTION}'`,
        [tenant, row.family_id],
      );
      await sql.query('update devices set last_seen_at = now() where tenant_id = $1 and id = $2', [
        tenant,
        row.device_id,
      ]);
      const [user] = await sql.query<SessionUser>(
        `select ${SESSION_USER_COLUMNS} from users where tenant_id = $1 and id = $2`,
        [tenant, row.user_id],
      );
      if (!user) return { kind: 'refused', code: ErrorCode.Unauthenticated };
      return { kind: 'rotated', user, familyId: row.family_id, deviceId: row.device_id };
    });
    if (outcome.kind === 'reused') {
      this.#onRevoked({ tenant, sessions: [outcome.familyId], devices: [], reason: ErrorCode.RefreshTokenReused });
      throw new CoffreError(ErrorCode.RefreshTokenReused);
    }
    if (outcome.kind === 'refused') throw new CoffreError(outcome.code);
    return this.#sessionResponse(tenant, outcome.user, outcome.deviceId, outcome.familyId, next);
  }

  /**
   * Checks an access token's session against the database (one statement):
   * rejects with `TOKEN_REVOKED`, `DEVICE_REVOKED` or `UNAUTHENTICATED`.
   */
  async authenticate(claims: AccessClaims): Promise<AccountSession> {
    const role = await this.#guard.check(claims);
    if (claims.sid === undefined || claims.device === undefined) throw new CoffreError(ErrorCode.Unauthenticated);
    return { tenant: claims.tenant, userId: claims.sub, deviceId: claims.device, sessionId: claims.sid, role };
  }

  /** Ends the session: every refresh token of its family is revoked, its connections close. */
  async logout(session: AccountSession): Promise<void> {
    await this.#database.withTenant(session.tenant, (sql) =>
      sql.query(
        `update refresh_tokens set revoked_at = now()
         where tenant_id = $1 and family_id = $2 and user_id = $3 and revoked_at is null`,
        [session.tenant, session.sessionId, session.userId],
      ),
    );
    this.#onRevoked({
      tenant: session.tenant,
      sessions: [session.sessionId],
      devices: [],
      reason: ErrorCode.TokenRevoked,
    });
  }

  /**
   * Starts two-factor setup: stores a new pending secret (replacing an
   * unconfirmed one) and returns it for an authenticator app.
   */
  async totpSetup(session: AccountSession): Promise<TotpSetupResponse> {
    const secret = newTotpSecret();
    const email = await this.#database.withTenant(session.tenant, async (sql) => {
      const [row] = await sql.query<{ email: string; totp_enabled: boolean }>(
        'select email, totp_enabled from users where tenant_id = $1 and id = $2 for update',
        [session.tenant, session.userId],
      );
      if (!row) throw new CoffreError(ErrorCode.Unauthenticated);
      if (row.totp_enabled) throw new CoffreError(ErrorCode.TwoFactorAlreadyEnabled);
      await sql.query('update users set totp_pending_secret = $3 where tenant_id = $1 and id = $2', [
        session.tenant,
        session.userId,
        secret,
      ]);
      return row.email;
    });
    return { secret, uri: totpUri(secret, `${this.#totpIssuer} (${session.tenant})`, email) };
  }

  /**
   * Turns two-factor authentication on when `code` is valid for the pending
   * secret, and returns {@link RECOVERY_CODE_COUNT} recovery codes (stored
   * only as keyed hashes; shown this once).
   */
  async totpConfirm(session: AccountSession, code: string): Promise<{ recoveryCodes: string[] }> {
    const keys = await this.#keys();
    parseInput(TotpConfirmRequestSchema, { code });
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    await this.#database.withTenant(session.tenant, async (sql) => {
      const [row] = await sql.query<{ totp_enabled: boolean; totp_pending_secret: string | null }>(
        'select totp_enabled, totp_pending_secret from users where tenant_id = $1 and id = $2 for update',
        [session.tenant, session.userId],
      );
      if (!row) throw new CoffreError(ErrorCode.Unauthenticated);
      if (row.totp_enabled) throw new CoffreError(ErrorCode.TwoFactorAlreadyEnabled);
      if (row.totp_pending_secret === null) throw new CoffreError(ErrorCode.NotFound, 'Start two-factor setup first.');
      const step = matchTotpStep(row.totp_pending_secret, code, this.#now());
      if (step === null) throw new CoffreError(ErrorCode.InvalidSecondFactor);
      await sql.query(
        `update users set totp_secret = totp_pending_secret, totp_pending_secret = null, totp_enabled = true,
                          totp_last_step = $3
         where tenant_id = $1 and id = $2`,
        [session.tenant, session.userId, BigInt(step)],
      );
      await sql.query('delete from recovery_codes where tenant_id = $1 and user_id = $2', [
        session.tenant,
        session.userId,
      ]);
      for (const recoveryCode of recoveryCodes) {
        await sql.query('insert into recovery_codes (tenant_id, user_id, code_hash) values ($1, $2, $3)', [
          session.tenant,
          session.userId,
          hashRecoveryCode(keys.recoveryKey, session.userId, recoveryCode),
        ]);
      }
    });
    return { recoveryCodes };
  }

  /** Turns two-factor authentication off; needs a current code or an unused recovery code. */
  async totpDisable(session: AccountSession, input: { code?: string; recoveryCode?: string }): Promise<void> {
    await this.#keys();
    const request = parseInput(TotpDisableRequestSchema, input);
    await this.#database.withTenant(session.tenant, async (sql) => {
      const [row] = await sql.query<LoginUserRow>(
        `select ${LOGIN_USER_COLUMNS} from users where tenant_id = $1 and id = $2 for update`,
        [session.tenant, session.userId],
      );
      if (!row) throw new CoffreError(ErrorCode.Unauthenticated);
      if (!row.totp_enabled) throw new CoffreError(ErrorCode.NotFound, 'Two-factor authentication is not on.');
      await this.#useSecondFactor(sql, session.tenant, row, request.code, request.recoveryCode);
      await sql.query(
        `update users set totp_enabled = false, totp_secret = null, totp_pending_secret = null, totp_last_step = null
         where tenant_id = $1 and id = $2`,
        [session.tenant, session.userId],
      );
      await sql.query('delete from recovery_codes where tenant_id = $1 and user_id = $2', [
        session.tenant,
        session.userId,
      ]);
    });
  }

  /** The signed-in user as stored: email, role, whether two-factor authentication is on. */
  async me(session: AccountSession): Promise<AccountResponse> {
    const [row] = await this.#database.withTenant(session.tenant, (sql) =>
      sql.query<{ id: string; email: string; role: AccountRole; totp_enabled: boolean; created_at: Date }>(
        'select id, email, role, totp_enabled, created_at from users where tenant_id = $1 and id = $2',
        [session.tenant, session.userId],
      ),
    );
    if (!row) throw new CoffreError(ErrorCode.Unauthenticated);
    return {
      userId: row.id,
      email: row.email,
      role: row.role,
      twoFactor: row.totp_enabled,
      createdAt: row.created_at.toISOString(),
    };
  }

  /** The user's devices, oldest first, revoked ones included. */
  async listDevices(session: AccountSession): Promise<Device[]> {
    const rows = await this.#database.withTenant(session.tenant, (sql) =>
      sql.query<{
        id: string;
        name: string;
        signing_public_key: Uint8Array;
        box_public_key: Uint8Array;
        created_at: Date;
        last_seen_at: Date | null;
        revoked_at: Date | null;
      }>(
        `select id, name, signing_public_key, box_public_key, created_at, last_seen_at, revoked_at
         from devices where tenant_id = $1 and user_id = $2 order by created_at, id`,
        [session.tenant, session.userId],
      ),
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      signingPublicKey: toBase64Url(row.signing_public_key),
      boxPublicKey: toBase64Url(row.box_public_key),
      createdAt: row.created_at.toISOString(),
      lastSeenAt: row.last_seen_at?.toISOString() ?? null,
      revokedAt: row.revoked_at?.toISOString() ?? null,
      current: row.id === session.deviceId,
    }));
  }

  /**
   * Revokes one of the user's devices: its refresh tokens stop working and
   * its connections close. `NOT_FOUND` for a device that is not the user's.
   */
  async revokeDevice(session: AccountSession, deviceId: string): Promise<void> {
    parseInput(IdSchema, deviceId);
    const families = await this.#database.withTenant(session.tenant, async (sql) => {
      const devices = await sql.query(
        `update devices set revoked_at = coalesce(revoked_at, now())
         where tenant_id = $1 and id = $2 and user_id = $3 returning id`,
        [session.tenant, deviceId, session.userId],
      );
      if (devices.length === 0) throw new CoffreError(ErrorCode.NotFound);
      const revoked = await sql.query<{ family_id: string }>(
        `update refresh_tokens set revoked_at = now()
         where tenant_id = $1 and device_id = $2 and revoked_at is null returning family_id`,
        [session.tenant, deviceId],
      );
      return [...new Set(revoked.map((row) => row.family_id))];
    });
    this.#onRevoked({
      tenant: session.tenant,
      sessions: families,
      devices: [deviceId],
      reason: ErrorCode.DeviceRevoked,
    });
  }

  /** The tenant's members; `FORBIDDEN` unless the caller is a tenant-admin. */
  async listMembers(session: AccountSession): Promise<Member[]> {
    if (session.role !== 'tenant-admin') throw new CoffreError(ErrorCode.Forbidden);
    const rows = await this.#database.withTenant(session.tenant, (sql) =>
      sql.query<{ id: string; email: string; role: AccountRole; totp_enabled: boolean; created_at: Date }>(
        'select id, email, role, totp_enabled, created_at from users where tenant_id = $1 order by created_at, id',
        [session.tenant],
      ),
    );
    return rows.map((row) => ({
      id: row.id,
      email: row.email,
      role: row.role,
      twoFactor: row.totp_enabled,
      createdAt: row.created_at.toISOString(),
    }));
  }

  /** A valid TOTP code not used before, or an unused recovery code (marked used); else INVALID_SECOND_FACTOR. */
  async #useSecondFactor(
    sql: SqlExecutor,
    tenant: TenantId,
    user: LoginUserRow,
    totp: string | undefined,
    recoveryCode: string | undefined,
  ): Promise<void> {
    const keys = await this.#keys();
    if (totp !== undefined && user.totp_secret !== null) {
      const step = matchTotpStep(user.totp_secret, totp, this.#now());
      if (step !== null && (user.totp_last_step === null || BigInt(step) > user.totp_last_step)) {
        await sql.query('update users set totp_last_step = $3 where tenant_id = $1 and id = $2', [
          tenant,
          user.id,
          BigInt(step),
        ]);
        return;
      }
    }
    if (recoveryCode !== undefined) {
      const used = await sql.query(
        `update recovery_codes set used_at = now()
         where tenant_id = $1 and user_id = $2 and code_hash = $3 and used_at is null returning user_id`,
        [tenant, user.id, hashRecoveryCode(keys.recoveryKey, user.id, recoveryCode)],
      );
      if (used.length > 0) return;
    }
    throw new CoffreError(ErrorCode.InvalidSecondFactor);
  }

  async #sessionResponse(
    tenant: TenantId,
    user: SessionUser,
    deviceId: string,
    familyId: string,
    refreshToken: string,
  ): Promise<SessionResponse> {
    const accessToken = await mintAccessToken(
      this.#tokenKeys,
      { sub: toUserId(user.id), tenant, role: user.role, device: toDeviceId(deviceId), sid: familyId },
      { issuer: this.#issuer, expiresIn: this.#accessTokenSeconds },
    );
    return {
      userId: user.id,
      deviceId,
      role: user.role,
      accessToken,
      expiresIn: this.#accessTokenSeconds,
      refreshToken,
      keyBundle: toBase64Url(user.key_bundle),
      signingPublicKey: toBase64Url(user.signing_public_key),
      boxPublicKey: toBase64Url(user.box_public_key),
    };
  }

  #newDevice(device: RegisterRequest['device']): NewDevice {
    return {
      id: newId('d'),
      name: device.name,
      signingPublicKey: decodeBytes(device.signingPublicKey, 32, 32),
      boxPublicKey: decodeBytes(device.boxPublicKey, 32, 32),
    };
  }

  /** `<tenant>.<256 random bits>`: opaque to the client, stored only as a hash. */
  #newRefreshToken(tenant: TenantId): string {
    return `${tenant}.${toBase64Url(randomBytes(32))}`;
  }

  async #insertRefreshToken(
    sql: SqlExecutor,
    tenant: TenantId,
    token: string,
    familyId: string,
    userId: string,
    deviceId: string,
  ): Promise<void> {
    await sql.query(
      `insert into refresh_tokens (tenant_id, token_hash, family_id, user_id, device_id, expires_at)
       values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [tenant, hashRefreshToken(token), familyId, userId, deviceId, this.#refreshTokenSeconds],
    );
  }

  async #requireTenant(tenant: TenantId): Promise<void> {
    toTenantId(tenant);
    if (this.#knownTenants.has(tenant)) return;
    const rows = await this.#database.withTenant(tenant, (sql) =>
      sql.query('select 1 from tenants where id = $1', [tenant]),
    );
    if (rows.length === 0) throw new CoffreError(ErrorCode.UnknownTenant);
    this.#knownTenants.add(tenant);
  }

  #keys(): Promise<DerivedKeys> {
    this.#derived ??= ready().then(() => {
      const root = this.#serverSecret.byteLength === 32 ? this.#serverSecret : hash(this.#serverSecret, 32);
      const dummySalt = randomBytes(32);
      return {
        kdfSaltKey: deriveSubkey(root, 1, 'kdfsalt_'),
        recoveryKey: deriveSubkey(root, 2, 'recovery'),
        dummySalt,
        dummyHash: hash(randomBytes(32), 32, dummySalt),
      };
    });
    return this.#derived;
  }
}

interface NewDevice {
  id: string;
  name: string;
  signingPublicKey: Uint8Array;
  boxPublicKey: Uint8Array;
}

async function insertDevice(sql: SqlExecutor, tenant: TenantId, userId: string, device: NewDevice): Promise<void> {
  await sql.query(
    `insert into devices (tenant_id, id, user_id, name, signing_public_key, box_public_key, last_seen_at)
     values ($1, $2, $3, $4, $5, $6, now())`,
    [tenant, device.id, userId, device.name, device.signingPublicKey, device.boxPublicKey],
  );
}

async function revokeFamily(sql: SqlExecutor, tenant: TenantId, familyId: string): Promise<void> {
  await sql.query(
    'update refresh_tokens set revoked_at = now() where tenant_id = $1 and family_id = $2 and revoked_at is null',
    [tenant, familyId],
  );
}

function hashRefreshToken(token: string): Uint8Array {
  return hash(encoder.encode(token), 32);
}

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
