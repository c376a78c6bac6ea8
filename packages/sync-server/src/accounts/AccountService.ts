import type { z } from 'zod';
import { ARGON2ID_INTERACTIVE, constantTimeEqual, hash, randomBytes, toBase64Url } from '@coffre/crypto';
import {
  type AccessClaims,
  type AccountResponse,
  CoffreError,
  type Device,
  type DeviceId,
  type DeviceRegistration,
  ErrorCode,
  type KdfParams,
  KdfParamsSchema,
  type KdfResponseSchema,
  type LoginRequest,
  type MemberSchema,
  type RegisterRequest,
  type SessionResponse,
  type TenantId,
  type TotpDisableRequestSchema,
  type TotpSetupResponseSchema,
  deviceId as toDeviceId,
  userId as toUserId,
} from '@coffre/protocol';
import { DEFAULT_ISSUER, type TokenKeys } from '../auth/TokenKeys.ts';
import type { SqlDatabase } from '../storage/SqlDatabase.ts';
import type { TenantScope } from '../storage/TenantScope.ts';
import type { AccountRole } from './AccountRole.ts';
import type { AccountSession, Revocation } from './AccountSession.ts';
import { type AccountRepositories, accountRepositories } from './accountRepositories.ts';
import { createTenant } from './createTenant.ts';
import { decodeBytes } from './decodeBytes.ts';
import type { NewDevice } from './DeviceRepository.ts';
import { newId } from './newId.ts';
import { hashRefreshToken, newRefreshToken } from './refreshTokens.ts';
import { deriveServerKeys, type ServerKeys } from './serverKeys.ts';
import { SessionGuard } from './SessionGuard.ts';
import { SessionIssuer } from './SessionIssuer.ts';
import { TwoFactor } from './TwoFactor.ts';
import type { SessionUserRow } from './UserRepository.ts';

export type KdfResponse = z.infer<typeof KdfResponseSchema>;
export type TotpSetupResponse = z.infer<typeof TotpSetupResponseSchema>;
export type Member = z.infer<typeof MemberSchema>;
/** A parsed `TotpDisableRequestSchema` body: a current code or an unused recovery code. */
export type TotpDisableRequest = z.output<typeof TotpDisableRequestSchema>;

export type { AccountSession, Revocation } from './AccountSession.ts';

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

type RefreshOutcome =
  | { kind: 'rotated'; user: SessionUserRow; familyId: string; deviceId: DeviceId }
  | { kind: 'reused'; familyId: string }
  | { kind: 'refused'; code: ErrorCode };

const encoder = new TextEncoder();

/**
 * Accounts, sessions and devices of every tenant (DESIGN.md section 4): the
 * policy over the accounts repositories (accountRepositories.ts). The relay
 * never sees a password: the client derives `authKey` with Argon2id and the
 * relay stores a keyed BLAKE2b of it, with a random per-user key. Every
 * method runs its reads and writes in one tenant transaction, so a refusal
 * changes nothing.
 *
 * Input arrives parsed by the route schemas of @coffre/protocol (emails
 * normalised, ids and lengths checked); only base64url is decoded here.
 * Errors are {@link CoffreError}s with a stable code; an unknown email and a
 * wrong password are the same `INVALID_CREDENTIALS` after the same work.
 */
export class AccountService {
  readonly #database: SqlDatabase;
  readonly #repositories: TenantScope<AccountRepositories>;
  readonly #serverSecret: Uint8Array;
  readonly #issuer: SessionIssuer;
  readonly #defaultKdf: KdfParams;
  readonly #twoFactor: TwoFactor;
  readonly #onRevoked: (revocation: Revocation) => void;
  readonly #guard: SessionGuard;
  readonly #knownTenants = new Set<string>();
  #derived: Promise<ServerKeys> | undefined;

  constructor(options: AccountServiceOptions) {
    if (options.serverSecret.byteLength < 32) throw new RangeError('the server secret must be at least 32 bytes');
    this.#database = options.database;
    this.#repositories = accountRepositories(options.database);
    this.#serverSecret = options.serverSecret;
    this.#issuer = new SessionIssuer({
      tokenKeys: options.tokenKeys,
      issuer: options.tokenIssuer ?? DEFAULT_ISSUER,
      accessTokenSeconds: options.accessTokenSeconds ?? 300,
      refreshTokenSeconds: options.refreshTokenSeconds ?? 30 * 24 * 60 * 60,
    });
    this.#defaultKdf = KdfParamsSchema.parse(options.defaultKdf ?? ARGON2ID_INTERACTIVE);
    this.#onRevoked = options.onRevoked ?? (() => undefined);
    this.#guard = options.guard ?? new SessionGuard(options.database);
    this.#twoFactor = new TwoFactor({
      repositories: this.#repositories,
      keys: () => this.#keys(),
      issuer: options.totpIssuer ?? 'Coffre',
      now: options.now ?? Date.now,
    });
  }

  /** Access-token lifetime in seconds. */
  get accessTokenSeconds(): number {
    return this.#issuer.accessTokenSeconds;
  }

  /** Creates a tenant; see {@link createTenant}. */
  async createTenant(slug: string, name: string): Promise<TenantId> {
    const id = await createTenant(this.#database, slug, name);
    this.#knownTenants.add(id);
    return id;
  }

  /**
   * The salt and Argon2id parameters to log in with (`email` as the route
   * schema normalised it). An unknown email gets a stable fake salt (keyed
   * BLAKE2b of tenant and email) and the default parameters, so the answer
   * does not tell whether an account exists.
   */
  async kdfParams(tenant: TenantId, email: string): Promise<KdfResponse> {
    const keys = await this.#keys();
    await this.#requireTenant(tenant);
    const row = await this.#repositories.run(tenant, ({ users }) => users.kdfParams(email));
    if (row) return { salt: toBase64Url(row.auth_salt), kdf: { opsLimit: row.kdf_ops, memLimit: row.kdf_mem } };
    const fakeSalt = hash(encoder.encode(`${tenant}\0${email}`), 32, keys.kdfSaltKey).slice(0, 16);
    return { salt: toBase64Url(fakeSalt), kdf: { ...this.#defaultKdf } };
  }

  /**
   * Creates a user with a first device and session. The first user of a
   * tenant becomes its `tenant-admin`. Rejects with `EMAIL_TAKEN` or
   * `UNKNOWN_TENANT`.
   */
  async register(tenant: TenantId, request: RegisterRequest): Promise<SessionResponse> {
    await this.#keys();
    const authKey = decodeBytes(request.authKey, 32, 32);
    const authHashSalt = randomBytes(32);
    const user = {
      id: toUserId(newId('u')),
      email: request.email,
      authSalt: decodeBytes(request.salt, 16, 16),
      kdf: request.kdf,
      authHash: hash(authKey, 32, authHashSalt),
      authHashSalt,
      keyBundle: decodeBytes(request.keyBundle, 48, 4096),
      signingPublicKey: decodeBytes(request.signingPublicKey, 32, 32),
      boxPublicKey: decodeBytes(request.boxPublicKey, 32, 32),
    };
    const device = newDevice(request.device);
    const familyId = newId('s');
    const refreshToken = newRefreshToken(tenant);
    const role = await this.#repositories.run(tenant, async ({ tenants, users, devices, sessions }) => {
      // Locking the tenant row serialises registrations, so exactly one first user becomes admin.
      if (!(await tenants.lock())) throw new CoffreError(ErrorCode.UnknownTenant);
      const state = await users.registrationState(user.email);
      if (state.taken) throw new CoffreError(ErrorCode.EmailTaken);
      const newRole: AccountRole = state.hasUsers ? 'member' : 'tenant-admin';
      await users.insert({ ...user, role: newRole });
      await devices.insert(user.id, device);
      await sessions.insert(this.#issuer.refreshTokenRow(refreshToken, familyId, user.id, device.id));
      return newRole;
    });
    this.#knownTenants.add(tenant);
    return this.#issuer.response(
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
  async login(tenant: TenantId, request: LoginRequest): Promise<SessionResponse> {
    const keys = await this.#keys();
    await this.#requireTenant(tenant);
    const authKey = decodeBytes(request.authKey, 32, 32);
    const device = newDevice(request.device);
    const familyId = newId('s');
    const refreshToken = newRefreshToken(tenant);
    const user = await this.#repositories.run(tenant, async ({ users, devices, sessions, secondFactors }) => {
      const row = await users.lockForLogin({ email: request.email });
      // An unknown email is hashed and compared against a dummy: the same work as a wrong password.
      const candidate = hash(authKey, 32, row?.auth_hash_salt ?? keys.dummySalt);
      const matches = constantTimeEqual(candidate, row?.auth_hash ?? keys.dummyHash);
      if (!row || !matches) throw new CoffreError(ErrorCode.InvalidCredentials);
      if (row.totp_enabled) {
        if (request.totp === undefined && request.recoveryCode === undefined) {
          throw new CoffreError(ErrorCode.SecondFactorRequired);
        }
        await this.#twoFactor.use(secondFactors, row, request.totp, request.recoveryCode);
      }
      await devices.insert(row.id, device);
      await sessions.insert(this.#issuer.refreshTokenRow(refreshToken, familyId, row.id, device.id));
      return row;
    });
    return this.#issuer.response(tenant, user, device.id, familyId, refreshToken);
  }

  /**
   * Trades a refresh token for a new access token and a new refresh token of
   * the same family. A token presented after it was used revokes the whole
   * family (`REFRESH_TOKEN_REUSED`): someone holds a copy.
   */
  async refresh(tenant: TenantId, refreshToken: string): Promise<SessionResponse> {
    await this.#keys();
    await this.#requireTenant(tenant);
    // The tenant is part of the token, so a token of another tenant is refused without a look-up.
    if (!refreshToken.startsWith(`${tenant}.`)) throw new CoffreError(ErrorCode.Unauthenticated);
    const tokenHash = hashRefreshToken(refreshToken);
    const next = newRefreshToken(tenant);
    const outcome = await this.#repositories.run(
      tenant,
      async ({ users, devices, sessions }): Promise<RefreshOutcome> => {
        const row = await sessions.lockForRefresh(tokenHash);
        if (!row) return { kind: 'refused', code: ErrorCode.Unauthenticated };
        if (row.device_revoked) return { kind: 'refused', code: ErrorCode.DeviceRevoked };
        if (row.revoked) return { kind: 'refused', code: ErrorCode.TokenRevoked };
        if (row.used) {
          await sessions.revokeFamily(row.family_id);
          return { kind: 'reused', familyId: row.family_id };
        }
        if (row.expired) return { kind: 'refused', code: ErrorCode.TokenExpired };
        await sessions.markUsed(tokenHash);
        await sessions.insert(this.#issuer.refreshTokenRow(next, row.family_id, row.user_id, row.device_id));
        await sessions.deleteExpiredUsed(row.family_id);
        await devices.touch(row.device_id);
        const user = await users.sessionUser(row.user_id);
        if (!user) return { kind: 'refused', code: ErrorCode.Unauthenticated };
        return { kind: 'rotated', user, familyId: row.family_id, deviceId: row.device_id };
      },
    );
    if (outcome.kind === 'reused') {
      this.#onRevoked({ tenant, sessions: [outcome.familyId], devices: [], reason: ErrorCode.RefreshTokenReused });
      throw new CoffreError(ErrorCode.RefreshTokenReused);
    }
    if (outcome.kind === 'refused') throw new CoffreError(outcome.code);
    return this.#issuer.response(tenant, outcome.user, outcome.deviceId, outcome.familyId, next);
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
    await this.#repositories.run(session.tenant, ({ sessions }) =>
      sessions.revokeFamily(session.sessionId, session.userId),
    );
    this.#onRevoked({
      tenant: session.tenant,
      sessions: [session.sessionId],
      devices: [],
      reason: ErrorCode.TokenRevoked,
    });
  }

  /** Starts two-factor setup; see {@link TwoFactor.setup}. */
  totpSetup(session: AccountSession): Promise<TotpSetupResponse> {
    return this.#twoFactor.setup(session);
  }

  /** Turns two-factor authentication on; see {@link TwoFactor.confirm}. */
  totpConfirm(session: AccountSession, code: string): Promise<{ recoveryCodes: string[] }> {
    return this.#twoFactor.confirm(session, code);
  }

  /** Turns two-factor authentication off; see {@link TwoFactor.disable}. */
  totpDisable(session: AccountSession, request: TotpDisableRequest): Promise<void> {
    return this.#twoFactor.disable(session, request);
  }

  /** The signed-in user as stored: email, role, whether two-factor authentication is on. */
  async me(session: AccountSession): Promise<AccountResponse> {
    const row = await this.#repositories.run(session.tenant, ({ users }) => users.account(session.userId));
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
    const rows = await this.#repositories.run(session.tenant, ({ devices }) => devices.listOfUser(session.userId));
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
  async revokeDevice(session: AccountSession, deviceId: DeviceId): Promise<void> {
    const families = await this.#repositories.run(session.tenant, async ({ devices, sessions }) => {
      if (!(await devices.revoke(session.userId, deviceId))) throw new CoffreError(ErrorCode.NotFound);
      return sessions.revokeDevice(deviceId);
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
    const rows = await this.#repositories.run(session.tenant, ({ users }) => users.list());
    return rows.map((row) => ({
      id: row.id,
      email: row.email,
      role: row.role,
      twoFactor: row.totp_enabled,
      createdAt: row.created_at.toISOString(),
    }));
  }

  async #requireTenant(tenant: TenantId): Promise<void> {
    if (this.#knownTenants.has(tenant)) return;
    const exists = await this.#repositories.run(tenant, ({ tenants }) => tenants.exists());
    if (!exists) throw new CoffreError(ErrorCode.UnknownTenant);
    this.#knownTenants.add(tenant);
  }

  #keys(): Promise<ServerKeys> {
    this.#derived ??= deriveServerKeys(this.#serverSecret);
    return this.#derived;
  }
}

/** A new device's id and decoded public keys. */
function newDevice(device: DeviceRegistration): NewDevice {
  return {
    id: toDeviceId(newId('d')),
    name: device.name,
    signingPublicKey: decodeBytes(device.signingPublicKey, 32, 32),
    boxPublicKey: decodeBytes(device.boxPublicKey, 32, 32),
  };
}
