import type { z } from 'zod';
import {
  type Argon2idParameters,
  constantTimeEqual,
  fromBase64Url,
  generatePasswordSalt,
  toBase64Url,
} from '@coffre/crypto';
import {
  type AccountResponse,
  AccountResponseSchema,
  type Device,
  type DeviceId,
  type DeviceRegistration,
  type KdfParams,
  type SessionResponse,
  type TenantId,
  type UserId,
  DeviceListResponseSchema,
  EmailSchema,
  IdSchema,
  KdfResponseSchema,
  MemberListResponseSchema,
  type MemberSchema,
  SessionResponseSchema,
  TotpConfirmResponseSchema,
  TotpSetupResponseSchema,
  apiPaths,
  deviceId,
  sharingPaths,
  tenantId,
  userId,
} from '@coffre/protocol';
import { deviceIdFromInput } from '../idInput.ts';
import { type AccountErrorCode, AccountError } from './AccountError.ts';
import { type DeviceKeys, createDeviceKeys } from './createDeviceKeys.ts';
import { type UserIdentity, createIdentity } from './createIdentity.ts';
import { type AccountKeyDerivation, deriveAccountKeysInThread } from './deriveAccountKeys.ts';
import { ACCOUNT_KDF_PARAMETERS, MINIMUM_KDF_PARAMETERS, meetsKdfFloor } from './kdfParameters.ts';
import { signDeviceCertificate } from '../sharing/deviceCertificate.ts';
import { KeyBundleError, openKeyBundle, sealKeyBundle } from './keyBundle.ts';
import { type FetchFunction, type RelayRequest, RelayApi } from './RelayApi.ts';
import { Session } from './Session.ts';

/*
 * One piece, though long: the client of every accounts route (register,
 * log in with the zero-knowledge key derivation, 2FA, devices, members),
 * and the one session they share, refreshed in the background. Splitting
 * the routes from the session would hand each half the other's state.
 */

/** A member of the organisation, as the relay lists them (`GET /members`), id branded. */
export type Member = Omit<z.infer<typeof MemberSchema>, 'id'> & { id: UserId };
/** One of the user's devices, as the relay lists them (`GET /me/devices`), id branded. */
export type AccountDevice = Omit<Device, 'id'> & { id: DeviceId };
/** The signed-in user as the relay knows them (`GET /me`), id branded. */
export type AccountInfo = Omit<AccountResponse, 'userId'> & { userId: UserId };
export type TotpSetup = z.infer<typeof TotpSetupResponseSchema>;

/** Codes with which the relay says a session is over for good: signing in again is the only way on. */
const SESSION_ENDING_CODES: ReadonlySet<AccountErrorCode> = new Set([
  'TOKEN_REVOKED',
  'REFRESH_TOKEN_REUSED',
  'DEVICE_REVOKED',
]);

export interface AccountClientOptions {
  /** The relay's HTTP address, e.g. http://127.0.0.1:8787. */
  baseUrl: string;
  fetch?: FetchFunction;
  /** Milliseconds before a request to the relay is given up (default 30 s). */
  timeoutMs?: number;
  /** A session restored from storage (see {@link Session.fromJSON}). */
  session?: Session | null;
  /** Argon2id parameters for new accounts (default {@link ACCOUNT_KDF_PARAMETERS}). Tests pass small ones. */
  kdfParameters?: Argon2idParameters;
  /** The weakest parameters accepted from the relay at login (default {@link MINIMUM_KDF_PARAMETERS}). */
  minimumKdfParameters?: Argon2idParameters;
  /**
   * Derives the account keys from the password at registration and login
   * (default {@link deriveAccountKeysInThread}); the web app passes one that
   * runs Argon2id in a Web Worker.
   */
  deriveKeys?: AccountKeyDerivation;
  /** Refresh the access token this many milliseconds before it expires (default 30 s). */
  refreshMarginMs?: number;
  /** Refresh on a timer before expiry even when nobody asks for a token (default false); stop it with {@link AccountClient.close}. */
  autoRefresh?: boolean;
  /**
   * Called, and awaited, whenever the session changes: after sign-in, after
   * every refresh (the refresh token rotates: store the new one before using
   * it) and with `null` once the session has ended.
   */
  onSessionChange?: (session: Session | null) => void | Promise<void>;
  /**
   * A session several processes use (the CLI's profile): refreshes run under
   * its lock, and one another process already made is adopted, not repeated
   * (a repeated refresh token would sign every copy out).
   */
  sharedSession?: SharedSessionStore;
  /** Clock, in milliseconds since the epoch (tests). */
  now?: () => number;
}

/** Where processes sharing one session meet; see {@link AccountClientOptions.sharedSession}. */
export interface SharedSessionStore {
  /** Runs `task` while no other process sharing the session runs one. */
  withLock<T>(task: () => Promise<T>): Promise<T>;
  /** The session as last saved by any process, or null. */
  read(): Promise<Session | null>;
}

/** What keeps this device's data at rest, handed over once sign-in succeeds (see {@link RegisterOptions.onVaultKey}). */
export interface VaultKeyMaterial {
  /** The account's local vault key (the `vaultKey` of {@link deriveAccountKeys}); the receiver owns it and wipes it. */
  vaultKey: Uint8Array;
  /** The account's Argon2id salt and parameters: with the password they derive the vault key again offline. */
  salt: Uint8Array;
  kdf: KdfParams;
}

export interface RegisterOptions {
  /**
   * Receives the local vault key once the relay accepted the password and
   * before the session starts (so `onSessionChange` can already seal with
   * it). Without this callback the key is wiped unused.
   */
  onVaultKey?: (material: VaultKeyMaterial) => void;
}

export interface LoginOptions extends RegisterOptions {
  /** Shown in the device list, e.g. "Alice's laptop". */
  deviceName: string;
  /** A 6-digit code from the authenticator app, once two-factor authentication is on. */
  totp?: string;
  /** One of the recovery codes, instead of `totp`. */
  recoveryCode?: string;
  /** Keys of this device when it signs in again; new keys when omitted. */
  deviceKeys?: DeviceKeys;
}

function invalid(detail: string): AccountError {
  return new AccountError('VALIDATION_FAILED', { detail });
}

function normaliseEmail(email: string): string {
  const parsed = EmailSchema.safeParse(email);
  if (!parsed.success) throw invalid('the email address is not valid');
  return parsed.data;
}

function parseTenant(tenant: string): TenantId {
  if (!IdSchema.safeParse(tenant).success) throw invalid("the organisation is 1-64 letters, digits, '-' or '_'");
  return tenantId(tenant);
}

/** Gives the vault key to whoever asked for it, or wipes it. */
function handOverVaultKey(options: RegisterOptions, material: VaultKeyMaterial): void {
  if (options.onVaultKey) options.onVaultKey(material);
  else material.vaultKey.fill(0);
}

function deviceRegistration(name: string, keys: DeviceKeys): DeviceRegistration {
  return { name, signingPublicKey: toBase64Url(keys.signing.publicKey), boxPublicKey: toBase64Url(keys.box.publicKey) };
}

/**
 * The client side of accounts: registration and sign-in without ever sending
 * the password (only an Argon2id-derived authentication key), the user's
 * identity opened from the key bundle, rotating refresh tokens, two-factor
 * authentication, devices and members. Every method rejects with an
 * {@link AccountError}.
 *
 * @example
 * const account = new AccountClient({ baseUrl: 'https://relay.example' });
 * await account.login('acme', 'alice@acme.test', password, { deviceName: 'laptop' });
 * const document = new EncryptedDocument({ ..., token: () => account.getAccessToken() });
 */
export class AccountClient {
  readonly api: RelayApi;
  readonly #kdfParameters: Argon2idParameters;
  readonly #minimumKdfParameters: Argon2idParameters;
  readonly #deriveKeys: AccountKeyDerivation;
  readonly #refreshMarginMs: number;
  readonly #autoRefresh: boolean;
  readonly #onSessionChange: ((session: Session | null) => void | Promise<void>) | undefined;
  readonly #now: () => number;
  readonly #shared: SharedSessionStore | undefined;
  #session: Session | null;
  /** Why the last session ended, to say so when a token is asked for afterwards. */
  #endedWith: AccountErrorCode | null = null;
  #refreshing: Promise<Session> | null = null;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: AccountClientOptions) {
    this.api = new RelayApi({ baseUrl: options.baseUrl, fetch: options.fetch, timeoutMs: options.timeoutMs });
    this.#kdfParameters = options.kdfParameters ?? ACCOUNT_KDF_PARAMETERS;
    this.#minimumKdfParameters = options.minimumKdfParameters ?? MINIMUM_KDF_PARAMETERS;
    this.#deriveKeys = options.deriveKeys ?? deriveAccountKeysInThread;
    this.#refreshMarginMs = options.refreshMarginMs ?? 30_000;
    this.#autoRefresh = options.autoRefresh ?? false;
    this.#onSessionChange = options.onSessionChange;
    this.#now = options.now ?? Date.now;
    this.#shared = options.sharedSession;
    this.#session = options.session ?? null;
    this.#scheduleRefresh();
  }

  /** The signed-in session, or null. */
  get session(): Session | null {
    return this.#session;
  }

  /** The user's identity key pairs (private keys included), once signed in. */
  get identity(): UserIdentity | null {
    return this.#session?.identity ?? null;
  }

  /** Argon2id parameters this client uses for new secrets (accounts, link passwords). */
  get kdfParameters(): Argon2idParameters {
    return this.#kdfParameters;
  }

  /**
   * Creates an account and signs this device in: a fresh salt and identity,
   * the identity sealed into the key bundle, and only the authentication key,
   * the bundle and public keys sent.
   */
  async register(
    tenant: string,
    email: string,
    password: string,
    deviceName: string,
    options: RegisterOptions = {},
  ): Promise<Session> {
    const slug = parseTenant(tenant);
    const normalisedEmail = normaliseEmail(email);
    if (password.length === 0) throw invalid('the password must not be empty');
    const salt = generatePasswordSalt();
    const kdf: KdfParams = { opsLimit: this.#kdfParameters.opsLimit, memLimit: this.#kdfParameters.memLimit };
    const { authKey, wrappingKey, vaultKey } = await this.#deriveKeys(password, salt, kdf);
    const identity = createIdentity();
    const device = createDeviceKeys();
    let keyBundle: Uint8Array;
    try {
      keyBundle = sealKeyBundle(identity, wrappingKey, { tenant: slug, email: normalisedEmail });
    } finally {
      wrappingKey.fill(0);
    }
    let response: SessionResponse;
    try {
      response = await this.api.request({
        method: 'POST',
        path: apiPaths.users(slug),
        body: {
          email: normalisedEmail,
          salt: toBase64Url(salt),
          kdf,
          authKey: toBase64Url(authKey),
          keyBundle: toBase64Url(keyBundle),
          signingPublicKey: toBase64Url(identity.signing.publicKey),
          boxPublicKey: toBase64Url(identity.box.publicKey),
          device: deviceRegistration(deviceName, device),
        },
        schema: SessionResponseSchema,
      });
    } catch (error) {
      vaultKey.fill(0);
      throw error;
    } finally {
      authKey.fill(0);
    }
    handOverVaultKey(options, { vaultKey, salt, kdf });
    const session = await this.#start(slug, normalisedEmail, response, identity, device);
    await this.#certifyQuietly();
    return session;
  }

  /**
   * Signs this device in with the password (and the second factor once it
   * is on): fetches the salt, derives the keys, proves the authentication
   * key and opens the key bundle the relay returns.
   * Rejects with `SECOND_FACTOR_REQUIRED` when a code is needed.
   */
  async login(tenant: string, email: string, password: string, options: LoginOptions): Promise<Session> {
    const slug = parseTenant(tenant);
    const normalisedEmail = normaliseEmail(email);
    if (password.length === 0) throw invalid('the password must not be empty');
    const { salt, kdf } = await this.api.request({
      method: 'POST',
      path: apiPaths.kdf(slug),
      body: { email: normalisedEmail },
      schema: KdfResponseSchema,
    });
    if (!meetsKdfFloor(kdf, this.#minimumKdfParameters)) {
      throw new AccountError('WEAK_KDF_PARAMETERS', {
        detail: `the relay asked for ${kdf.opsLimit} passes over ${kdf.memLimit} bytes`,
      });
    }
    const saltBytes = fromBase64Url(salt);
    const { authKey, wrappingKey, vaultKey } = await this.#deriveKeys(password, saltBytes, kdf);
    let handedOver = false;
    try {
      const device = options.deviceKeys ?? createDeviceKeys();
      const response = await this.api.request({
        method: 'POST',
        path: apiPaths.sessions(slug),
        body: {
          email: normalisedEmail,
          authKey: toBase64Url(authKey),
          ...(options.totp === undefined ? {} : { totp: options.totp.replace(/\s+/g, '') }),
          ...(options.recoveryCode === undefined ? {} : { recoveryCode: options.recoveryCode.trim().toLowerCase() }),
          device: deviceRegistration(options.deviceName, device),
        },
        schema: SessionResponseSchema,
      });
      let identity: UserIdentity;
      try {
        identity = openKeyBundle(fromBase64Url(response.keyBundle), wrappingKey, {
          tenant: slug,
          email: normalisedEmail,
        });
      } catch (error) {
        const detail = error instanceof KeyBundleError ? error.message : 'the key bundle is not readable';
        throw new AccountError('KEY_BUNDLE_INVALID', { detail, cause: error });
      }
      handedOver = true;
      handOverVaultKey(options, { vaultKey, salt: saltBytes, kdf });
      const session = await this.#start(slug, normalisedEmail, response, identity, device);
      await this.#certifyQuietly();
      return session;
    } finally {
      authKey.fill(0);
      wrappingKey.fill(0);
      if (!handedOver) vaultKey.fill(0);
    }
  }

  /**
   * An access token valid for a while yet, refreshed first when it is about
   * to expire. Pass it as EncryptedDocument's `token` option:
   * `token: () => account.getAccessToken()`.
   * Rejects with `TOKEN_REVOKED` after {@link logout}, and with the relay's
   * code when the session was ended elsewhere.
   */
  async getAccessToken(): Promise<string> {
    const session = this.#requireSession();
    if (session.accessTokenExpiresAt - this.#now() > this.#refreshMarginMs) return session.accessToken;
    return (await this.refresh()).accessToken;
  }

  /**
   * Trades the refresh token for new tokens. Single-flight: concurrent
   * callers share one request, because the relay rotates refresh tokens and
   * treats a second use of one as theft (`REFRESH_TOKEN_REUSED`).
   */
  refresh(): Promise<Session> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /**
   * Signs this device out: the relay revokes the session's refresh tokens,
   * then the session is forgotten here even when the relay cannot be reached
   * (the error is still reported).
   */
  async logout(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    try {
      await this.#authorized({ method: 'DELETE', path: apiPaths.currentSession(session.tenant) });
    } catch (error) {
      // A session the relay already ended is as signed out as can be.
      const ended = error instanceof AccountError && (error.status === 401 || SESSION_ENDING_CODES.has(error.code));
      if (!ended) throw error;
    } finally {
      await this.#end('TOKEN_REVOKED');
      this.#endedWith = 'TOKEN_REVOKED';
    }
  }

  /** Starts two-factor set-up: a secret and otpauth:// URI for an authenticator app. Not on until confirmed. */
  async setupTotp(): Promise<TotpSetup> {
    return this.#authorized({
      method: 'POST',
      path: apiPaths.totp(this.#tenant()),
      body: {},
      schema: TotpSetupResponseSchema,
    });
  }

  /** Turns two-factor authentication on with a current code; returns the ten single-use recovery codes. */
  async confirmTotp(code: string): Promise<string[]> {
    const { recoveryCodes } = await this.#authorized({
      method: 'POST',
      path: apiPaths.totpConfirm(this.#tenant()),
      body: { code: code.replace(/\s+/g, '') },
      schema: TotpConfirmResponseSchema,
    });
    return recoveryCodes;
  }

  /**
   * Turns two-factor authentication off with a current code or an unused
   * recovery code (the relay asks for one so a stolen session alone cannot).
   */
  async disableTotp(proof: { code?: string; recoveryCode?: string }): Promise<void> {
    await this.#authorized({
      method: 'POST',
      path: apiPaths.totpDisable(this.#tenant()),
      body: {
        ...(proof.code === undefined ? {} : { code: proof.code.replace(/\s+/g, '') }),
        ...(proof.recoveryCode === undefined ? {} : { recoveryCode: proof.recoveryCode.trim().toLowerCase() }),
      },
    });
  }

  /** The signed-in user as the relay knows them: email, role, and whether two-factor authentication is on. */
  async me(): Promise<AccountInfo> {
    const account = await this.#authorized({
      method: 'GET',
      path: apiPaths.me(this.#tenant()),
      schema: AccountResponseSchema,
    });
    // The schema checked it is an id.
    return { ...account, userId: userId(account.userId) };
  }

  /** The user's devices, revoked ones included, `current` marking this one. */
  async listDevices(): Promise<AccountDevice[]> {
    const { devices } = await this.#authorized({
      method: 'GET',
      path: apiPaths.devices(this.#tenant()),
      schema: DeviceListResponseSchema,
    });
    // The schema checked they are ids.
    return devices.map((device) => ({ ...device, id: deviceId(device.id) }));
  }

  /** Revokes one of the user's devices: its sessions end and it cannot sign in again with its keys. */
  async revokeDevice(id: DeviceId): Promise<void> {
    // Typed, yet checked again for callers in plain JavaScript (`VALIDATION_FAILED`).
    const device = deviceIdFromInput(id);
    const current = this.#session?.deviceId === device;
    await this.#authorized({ method: 'DELETE', path: apiPaths.device(this.#tenant(), device) });
    if (current) await this.#end('DEVICE_REVOKED');
  }

  /** The organisation's members (tenant admins only; others get `FORBIDDEN`). */
  async listMembers(): Promise<Member[]> {
    const { members } = await this.#authorized({
      method: 'GET',
      path: apiPaths.members(this.#tenant()),
      schema: MemberListResponseSchema,
    });
    // The schema checked they are ids.
    return members.map((member) => ({ ...member, id: userId(member.id) }));
  }

  /**
   * Publishes this device's certificate: its signing and box keys signed
   * with the user's identity key (`POST /me/devices/{id}/certificate`).
   * Other members trust the entries a device signs only when its certificate
   * verifies against the user's identity key, which they check by safety
   * number, so a relay cannot slip in a device of its own. Done after every
   * register and login; {@link Workspace} does it again when it finds this
   * device uncertified (e.g. the relay was unreachable at the time).
   */
  async certifyDevice(): Promise<void> {
    const session = this.#requireSession();
    const identitySignature = signDeviceCertificate(session.identity.signing.secretKey, {
      tenantId: session.tenant,
      userId: session.userId,
      deviceId: session.deviceId,
      signingPublicKey: session.device.signing.publicKey,
      boxPublicKey: session.device.box.publicKey,
    });
    await this.#authorized({
      method: 'POST',
      path: sharingPaths.deviceCertificate(session.tenant, session.deviceId),
      body: { identitySignature },
    });
  }

  /**
   * Sends an authenticated request of the sharing API as the signed-in user,
   * refreshing the access token once when the relay finds it expired.
   */
  request<T>(request: Omit<RelayRequest<T>, 'token'>): Promise<T> {
    return this.#authorized(request);
  }

  /** Stops the refresh timer. The session stays valid. */
  close(): void {
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    this.#refreshTimer = null;
  }

  async #start(
    tenant: TenantId,
    email: string,
    response: SessionResponse,
    identity: UserIdentity,
    device: DeviceKeys,
  ): Promise<Session> {
    // The bundle is authenticated, the relay's copy of the public keys is not: they must agree.
    if (
      !constantTimeEqual(fromBase64Url(response.signingPublicKey), identity.signing.publicKey) ||
      !constantTimeEqual(fromBase64Url(response.boxPublicKey), identity.box.publicKey)
    ) {
      throw new AccountError('KEY_BUNDLE_INVALID', {
        detail: 'the relay announces other identity keys than the key bundle holds',
      });
    }
    const session = new Session({
      tenant,
      email,
      userId: userId(response.userId),
      deviceId: deviceId(response.deviceId),
      role: response.role,
      accessToken: response.accessToken,
      accessTokenExpiresAt: this.#now() + response.expiresIn * 1000,
      refreshToken: response.refreshToken,
      identity,
      device,
    });
    await this.#replace(session);
    this.#endedWith = null;
    return session;
  }

  /** Sign-in has succeeded once tokens are issued: a certificate that fails to post is posted again later. */
  async #certifyQuietly(): Promise<void> {
    try {
      await this.certifyDevice();
    } catch {
      // Workspace certifies the device before it relies on it.
    }
  }

  async #refresh(): Promise<Session> {
    const shared = this.#shared;
    if (!shared) return this.#refreshNow(this.#requireSession());
    return shared.withLock(async () => {
      let session = this.#requireSession();
      const latest = await shared.read().catch(() => null);
      if (latest && latest.deviceId === session.deviceId && latest.refreshToken !== session.refreshToken) {
        // Another process refreshed while this one waited: use its tokens rather than replay ours.
        await this.#replace(latest);
        if (latest.accessTokenExpiresAt - this.#now() > this.#refreshMarginMs) return latest;
        session = latest;
      }
      return this.#refreshNow(session);
    });
  }

  async #refreshNow(session: Session): Promise<Session> {
    let response: SessionResponse;
    try {
      response = await this.api.request({
        method: 'POST',
        path: apiPaths.refresh(session.tenant),
        body: { refreshToken: session.refreshToken },
        schema: SessionResponseSchema,
      });
    } catch (error) {
      if (error instanceof AccountError && (error.status === 401 || SESSION_ENDING_CODES.has(error.code))) {
        if (this.#session === session) await this.#end(error.code);
      }
      throw error;
    }
    if (this.#session !== session) {
      // Signed out (or in again) while the refresh was on its way: its answer belongs to no one.
      throw new AccountError(this.#endedWith ?? 'TOKEN_REVOKED');
    }
    if (response.userId !== session.userId || response.deviceId !== session.deviceId) {
      throw new AccountError('INVALID_RESPONSE', { detail: 'the refreshed session is for another user or device' });
    }
    const next = session.withTokens({
      accessToken: response.accessToken,
      accessTokenExpiresAt: this.#now() + response.expiresIn * 1000,
      refreshToken: response.refreshToken,
      role: response.role,
    });
    await this.#replace(next);
    return next;
  }

  /** An authenticated request; on an expired or unrecognised access token, refreshes once and retries. */
  async #authorized<T>(request: Omit<RelayRequest<T>, 'token'>): Promise<T> {
    const token = await this.getAccessToken();
    try {
      return await this.api.request({ ...request, token });
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      if (error.code === 'TOKEN_EXPIRED' || error.code === 'UNAUTHENTICATED') {
        const current = this.#session;
        // Someone else may have refreshed while this request was out.
        const fresh =
          current && current.accessToken !== token ? current.accessToken : (await this.refresh()).accessToken;
        return await this.#retry(request, fresh);
      }
      if (SESSION_ENDING_CODES.has(error.code)) await this.#end(error.code);
      throw error;
    }
  }

  async #retry<T>(request: Omit<RelayRequest<T>, 'token'>, token: string): Promise<T> {
    try {
      return await this.api.request({ ...request, token });
    } catch (error) {
      if (error instanceof AccountError && SESSION_ENDING_CODES.has(error.code)) await this.#end(error.code);
      throw error;
    }
  }

  #requireSession(): Session {
    if (!this.#session) throw new AccountError(this.#endedWith ?? 'UNAUTHENTICATED');
    return this.#session;
  }

  #tenant(): TenantId {
    return this.#requireSession().tenant;
  }

  async #replace(session: Session): Promise<void> {
    this.#session = session;
    this.#scheduleRefresh();
    await this.#onSessionChange?.(session);
  }

  async #end(code: AccountErrorCode): Promise<void> {
    if (!this.#session) return;
    this.#session = null;
    this.#endedWith = code;
    this.close();
    await this.#onSessionChange?.(null);
  }

  #scheduleRefresh(): void {
    this.close();
    const session = this.#session;
    if (!this.#autoRefresh || !session) return;
    const delay = Math.max(0, session.accessTokenExpiresAt - this.#refreshMarginMs - this.#now());
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      // A failed background refresh is retried by the next getAccessToken(); an ended session was already reported.
      this.refresh().catch(() => undefined);
    }, delay);
    this.#refreshTimer.unref?.();
  }
}
