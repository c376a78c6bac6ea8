import { randomBytes, toBase64Url } from '@coffre/crypto';
import {
  KdfRequestSchema,
  LoginRequestSchema,
  RefreshRequestSchema,
  RegisterRequestSchema,
  TotpConfirmRequestSchema,
} from '@coffre/protocol';
import type { FetchFunction } from '../../src/account/RelayApi.ts';
import { error, json } from './fakeResponses.ts';
import { FakeSharing } from './FakeSharing.ts';
import type { FakeDevice, FakeUser, Grant, RecordedRequest } from './fakeRelayRecords.ts';

export type { FakeDevice, FakeUser, Grant, RecordedRequest } from './fakeRelayRecords.ts';

/** The code the fake relay accepts as a current TOTP code. */
export const FAKE_TOTP_CODE = '123456';

/**
 * An in-memory relay behind a `fetch` function: enough of the accounts API
 * (rotating refresh tokens with reuse detection, expiring access tokens,
 * revocation, second factor) to test the client without a network.
 */
export class FakeRelay {
  readonly requests: RecordedRequest[] = [];
  readonly users = new Map<string, FakeUser>();
  readonly devices = new Map<string, FakeDevice>();
  readonly tenants = new Set(['acme', 'globex']);
  /** Documents, members, grants and links (the sharing API). */
  readonly sharing: FakeSharing = new FakeSharing(this);
  accessTtlSeconds = 600;
  /** When set, answers before the routes do (fault injection). */
  intercept: ((request: RecordedRequest) => Response | undefined) | null = null;
  /** When set, refresh answers wait for it (to overlap concurrent refreshes). */
  refreshGate: Promise<void> | null = null;
  clock: () => number;
  readonly #access = new Map<string, Grant & { expiresAt: number }>();
  readonly #refresh = new Map<string, Grant & { used: boolean }>();
  readonly #revokedFamilies = new Set<string>();
  #ids = 0;

  constructor(clock: () => number = Date.now) {
    this.clock = clock;
  }

  readonly fetch: FetchFunction = async (input, init) => {
    const url = new URL(input);
    const headers = new Headers(init.headers);
    const request: RecordedRequest = {
      method: init.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      authorization: headers.get('authorization'),
    };
    this.requests.push(request);
    const intercepted = this.intercept?.(request);
    if (intercepted) return intercepted;
    return this.#route(request);
  };

  /** Requests to paths ending with `suffix`. */
  calls(method: string, suffix: string): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && request.path.endsWith(suffix));
  }

  userByEmail(tenant: string, email: string): FakeUser | undefined {
    return this.users.get(`${tenant}/${email}`);
  }

  userById(userId: string): FakeUser | undefined {
    return [...this.users.values()].find((user) => user.id === userId);
  }

  async #route(request: RecordedRequest): Promise<Response> {
    const match = /^\/v1\/tenants\/([^/]+)(\/.*)$/.exec(request.path);
    if (!match) return error(404, 'NOT_FOUND');
    const tenant = decodeURIComponent(match[1] ?? '');
    const route = `${request.method} ${match[2] ?? ''}`;
    if (!this.tenants.has(tenant)) return error(404, 'UNKNOWN_TENANT');
    if (route === 'POST /kdf') return this.#kdf(tenant, request.body);
    if (route === 'POST /users') return this.#register(tenant, request.body);
    if (route === 'POST /sessions') return this.#login(tenant, request.body);
    if (route === 'POST /sessions/refresh') {
      if (this.refreshGate) await this.refreshGate;
      return this.#refreshTokens(request.body);
    }
    const linkSession = /^POST \/links\/([^/]+)\/session$/.exec(route);
    if (linkSession) return this.sharing.linkSession(tenant, decodeURIComponent(linkSession[1] ?? ''), request.body);
    const grant = this.#authenticate(request.authorization);
    if (grant instanceof Response) return grant;
    if (route === 'DELETE /sessions/current') {
      this.#revokedFamilies.add(grant.family);
      return new Response(null, { status: 204 });
    }
    if (route === 'GET /me/devices') {
      const devices = [...this.devices.values()]
        .filter((device) => device.userId === grant.userId)
        .map((device) => ({
          id: device.id,
          name: device.name,
          signingPublicKey: device.signingPublicKey,
          boxPublicKey: device.boxPublicKey,
          createdAt: '2026-11-21T08:00:00.000Z',
          lastSeenAt: null,
          revokedAt: device.revoked ? '2026-11-21T09:00:00.000Z' : null,
          current: device.id === grant.deviceId,
        }));
      return json(200, { devices });
    }
    const shared = this.sharing.route(tenant, route, request, grant);
    if (shared) return shared;
    const deviceRoute = /^DELETE \/me\/devices\/(.+)$/.exec(route);
    if (deviceRoute) {
      const device = this.devices.get(decodeURIComponent(deviceRoute[1] ?? ''));
      if (!device || device.userId !== grant.userId) return error(404, 'NOT_FOUND');
      device.revoked = true;
      return new Response(null, { status: 204 });
    }
    const user = [...this.users.values()].find((candidate) => candidate.id === grant.userId);
    if (!user) return error(401, 'UNAUTHENTICATED');
    if (route === 'GET /members') {
      if (user.role !== 'tenant-admin') return error(403, 'FORBIDDEN');
      const members = [...this.users.values()]
        .filter((member) => member.tenant === tenant)
        .map((member) => ({
          id: member.id,
          email: member.email,
          role: member.role,
          twoFactor: member.totpOn,
          createdAt: '2026-11-21T08:00:00.000Z',
        }));
      return json(200, { members });
    }
    if (route === 'POST /me/totp') {
      if (user.totpOn) return error(409, 'TWO_FACTOR_ALREADY_ENABLED');
      return json(200, { secret: 'JBSWY3DPEHPK3PXP', uri: 'otpauth://totp/Coffre:alice?secret=JBSWY3DPEHPK3PXP' });
    }
    if (route === 'POST /me/totp/confirm') {
      const body = TotpConfirmRequestSchema.safeParse(request.body);
      if (!body.success) return error(400, 'VALIDATION_FAILED');
      if (body.data.code !== FAKE_TOTP_CODE) return error(401, 'INVALID_SECOND_FACTOR');
      user.totpOn = true;
      return json(200, {
        recoveryCodes: Array.from({ length: 10 }, (_, index) => `abcd-efgh-${String(index).padStart(4, '0')}`),
      });
    }
    return error(404, 'NOT_FOUND');
  }

  #kdf(tenant: string, body: unknown): Response {
    const parsed = KdfRequestSchema.safeParse(body);
    if (!parsed.success) return error(400, 'VALIDATION_FAILED');
    const user = this.userByEmail(tenant, parsed.data.email);
    if (!user)
      return json(200, { salt: toBase64Url(new Uint8Array(16)), kdf: { opsLimit: 2, memLimit: 64 * 1024 * 1024 } });
    return json(200, { salt: user.salt, kdf: user.kdf });
  }

  #register(tenant: string, body: unknown): Response {
    const parsed = RegisterRequestSchema.safeParse(body);
    if (!parsed.success) return error(400, 'VALIDATION_FAILED', parsed.error.message);
    const data = parsed.data;
    if (this.userByEmail(tenant, data.email)) return error(409, 'EMAIL_TAKEN');
    const user: FakeUser = {
      id: this.#id('user'),
      tenant,
      email: data.email,
      role: [...this.users.values()].some((other) => other.tenant === tenant) ? 'member' : 'tenant-admin',
      salt: data.salt,
      kdf: data.kdf,
      authKey: data.authKey,
      keyBundle: data.keyBundle,
      signingPublicKey: data.signingPublicKey,
      boxPublicKey: data.boxPublicKey,
      totpOn: false,
    };
    this.users.set(`${tenant}/${data.email}`, user);
    return this.#issue(201, user, this.#addDevice(user, data.device), this.#id('family'));
  }

  #login(tenant: string, body: unknown): Response {
    const parsed = LoginRequestSchema.safeParse(body);
    if (!parsed.success) return error(400, 'VALIDATION_FAILED', parsed.error.message);
    const data = parsed.data;
    const user = this.userByEmail(tenant, data.email);
    if (!user || user.authKey !== data.authKey) return error(401, 'INVALID_CREDENTIALS');
    if (user.totpOn) {
      if (data.totp === undefined && data.recoveryCode === undefined) return error(401, 'SECOND_FACTOR_REQUIRED');
      if (data.totp !== FAKE_TOTP_CODE) return error(401, 'INVALID_SECOND_FACTOR');
    }
    return this.#issue(200, user, this.#addDevice(user, data.device), this.#id('family'));
  }

  #refreshTokens(body: unknown): Response {
    const parsed = RefreshRequestSchema.safeParse(body);
    if (!parsed.success) return error(400, 'VALIDATION_FAILED');
    const grant = this.#refresh.get(parsed.data.refreshToken);
    if (!grant) return error(401, 'UNAUTHENTICATED');
    if (this.#revokedFamilies.has(grant.family)) return error(401, 'TOKEN_REVOKED');
    if (grant.used) {
      this.#revokedFamilies.add(grant.family);
      return error(401, 'REFRESH_TOKEN_REUSED');
    }
    if (this.devices.get(grant.deviceId)?.revoked) return error(401, 'DEVICE_REVOKED');
    grant.used = true;
    const user = [...this.users.values()].find((candidate) => candidate.id === grant.userId);
    const device = this.devices.get(grant.deviceId);
    if (!user || !device) return error(401, 'UNAUTHENTICATED');
    return this.#issue(200, user, device, grant.family);
  }

  #authenticate(authorization: string | null): Grant | Response {
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    const grant = this.#access.get(token);
    if (!grant) return error(401, 'UNAUTHENTICATED');
    if (this.#revokedFamilies.has(grant.family)) return error(401, 'TOKEN_REVOKED');
    if (this.devices.get(grant.deviceId)?.revoked) return error(401, 'DEVICE_REVOKED');
    if (grant.expiresAt <= this.clock()) return error(401, 'TOKEN_EXPIRED');
    return grant;
  }

  /** Makes every access token issued so far expire now (as a relay with a faster clock would). */
  expireAccessTokens(): void {
    for (const grant of this.#access.values()) grant.expiresAt = this.clock();
  }

  #addDevice(
    user: FakeUser,
    registration: { name: string; signingPublicKey: string; boxPublicKey: string },
  ): FakeDevice {
    const device: FakeDevice = { id: this.#id('device'), userId: user.id, revoked: false, ...registration };
    this.devices.set(device.id, device);
    return device;
  }

  #issue(status: number, user: FakeUser, device: FakeDevice, family: string): Response {
    const accessToken = `access.${toBase64Url(randomBytes(18))}`;
    const refreshToken = `refresh.${toBase64Url(randomBytes(24))}`;
    const grant = { userId: user.id, deviceId: device.id, family };
    this.#access.set(accessToken, { ...grant, expiresAt: this.clock() + this.accessTtlSeconds * 1000 });
    this.#refresh.set(refreshToken, { ...grant, used: false });
    return json(status, {
      userId: user.id,
      deviceId: device.id,
      role: user.role,
      accessToken,
      expiresIn: this.accessTtlSeconds,
      refreshToken,
      keyBundle: user.keyBundle,
      signingPublicKey: user.signingPublicKey,
      boxPublicKey: user.boxPublicKey,
    });
  }

  #id(prefix: string): string {
    this.#ids += 1;
    return `${prefix}-${this.#ids}`;
  }
}

export { error, json };
