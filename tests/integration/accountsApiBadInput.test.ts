import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, generateKeyPair } from 'jose';
import { ready, toBase64Url } from '@coffre/crypto';
import { ERROR_MESSAGES, type SessionResponse, TOKEN_AUDIENCE, type TenantId, isErrorCode } from '@coffre/protocol';
import { DEFAULT_ISSUER } from '@coffre/sync-server';
import {
  ApiClient,
  type ApiAnswer,
  type TestAccount,
  createTestTenant,
  deriveTestAccount,
  registerAccount,
  testDevice,
} from './support/accountApi.ts';
import { accountRowsSnapshot } from './support/accountRows.ts';
import { type RelayHarness, randomId, startRelay, storageEngine } from './support/relayHarness.ts';

/** One bad request: what is sent, and the status and code it must get. */
interface BadRequest {
  name: string;
  method: string;
  path: string;
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** Sent as the bearer token; the word `valid` stands for the test user's access token. */
  token?: string;
  expect: [number, string];
}

const OVERSIZED = JSON.stringify({ email: 'a@example.com', padding: 'x'.repeat(70 * 1024) });

describe(`accounts API: bad input gets a 4xx JSON error and changes nothing (${storageEngine})`, () => {
  let harness: RelayHarness;
  let api: ApiClient;
  let tenant: TenantId;
  let account: TestAccount;
  let session: SessionResponse;
  let foreignToken: string;

  beforeAll(async () => {
    await ready();
    harness = await startRelay();
    api = new ApiClient(harness.httpUrl);
    tenant = await createTestTenant(harness, randomId('bad-input'));
    account = deriveTestAccount('user@example.com', 'a long enough passphrase');
    session = await registerAccount(api, tenant, account);
    // Well-formed, but signed by a key this relay does not know.
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    foreignToken = await new SignJWT({ tenant, role: 'tenant-admin', device: session.deviceId, sid: 's_x' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(session.userId)
      .setIssuer(DEFAULT_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setExpirationTime('10m')
      .sign(privateKey);
  });
  afterAll(async () => {
    await harness.teardown();
  });

  const base = () => `/v1/tenants/${tenant}`;
  const register = () => account.registerBody();
  const validRegistration = () => ({ ...register(), email: 'new@example.com' });

  /** Bad requests of every public route: missing fields, wrong types, unreadable JSON, oversized bodies. */
  function publicCases(): BadRequest[] {
    const cases: BadRequest[] = [];
    const bodyRoutes: [string, Record<string, unknown>][] = [
      ['/kdf', { email: 'someone@example.com' }],
      ['/users', validRegistration()],
      ['/sessions', account.loginBody()],
      ['/sessions/refresh', { refreshToken: session.refreshToken }],
    ];
    for (const [route, valid] of bodyRoutes) {
      const path = base() + route;
      cases.push(
        { name: `${route}: empty object`, method: 'POST', path, json: {}, expect: [400, 'VALIDATION_FAILED'] },
        { name: `${route}: array`, method: 'POST', path, json: [valid], expect: [400, 'VALIDATION_FAILED'] },
        { name: `${route}: null`, method: 'POST', path, raw: 'null', expect: [400, 'VALIDATION_FAILED'] },
        { name: `${route}: garbage JSON`, method: 'POST', path, raw: '{"email": ', expect: [400, 'BAD_REQUEST'] },
        { name: `${route}: no body`, method: 'POST', path, expect: [400, 'VALIDATION_FAILED'] },
        {
          name: `${route}: not JSON`,
          method: 'POST',
          path,
          raw: 'email=a@example.com',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          expect: [415, 'BAD_REQUEST'],
        },
        {
          name: `${route}: text/plain`,
          method: 'POST',
          path,
          raw: JSON.stringify(valid),
          headers: { 'content-type': 'text/plain' },
          expect: [415, 'BAD_REQUEST'],
        },
        { name: `${route}: over 64 KiB`, method: 'POST', path, raw: OVERSIZED, expect: [413, 'PAYLOAD_TOO_LARGE'] },
        {
          name: `${route}: invalid tenant in the path`,
          method: 'POST',
          path: `/v1/tenants/bad..tenant${route}`,
          json: valid,
          expect: [400, 'VALIDATION_FAILED'],
        },
      );
    }
    const reg = base() + '/users';
    const wrong = (name: string, json: unknown): BadRequest => ({
      name: `/users: ${name}`,
      method: 'POST',
      path: reg,
      json,
      expect: [400, 'VALIDATION_FAILED'],
    });
    cases.push(
      wrong('email of the wrong type', { ...validRegistration(), email: 42 }),
      wrong('not an email', { ...validRegistration(), email: 'nobody' }),
      wrong('short auth key', { ...validRegistration(), authKey: toBase64Url(new Uint8Array(16)) }),
      wrong('auth key not base64url', { ...validRegistration(), authKey: '!'.repeat(43) }),
      wrong('salt of 8 bytes', { ...validRegistration(), salt: toBase64Url(new Uint8Array(8)) }),
      wrong('kdf memory below 8 MiB', { ...validRegistration(), kdf: { opsLimit: 1, memLimit: 1024 } }),
      wrong('kdf of the wrong type', { ...validRegistration(), kdf: 'argon2id' }),
      wrong('tiny key bundle', { ...validRegistration(), keyBundle: 'AAAA' }),
      wrong('missing device', { ...validRegistration(), device: undefined }),
      wrong('device without a name', { ...validRegistration(), device: { ...testDevice(), name: '  ' } }),
      wrong('device key of 31 bytes', {
        ...validRegistration(),
        device: { ...testDevice(), signingPublicKey: toBase64Url(new Uint8Array(31)) },
      }),
      {
        name: '/users: key bundle over 64 KiB',
        method: 'POST',
        path: reg,
        json: { ...validRegistration(), keyBundle: 'A'.repeat(70 * 1024) },
        expect: [413, 'PAYLOAD_TOO_LARGE'],
      },
      {
        name: '/sessions: totp of letters',
        method: 'POST',
        path: base() + '/sessions',
        json: account.loginBody({ totp: 'abcdef' }),
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: '/sessions: malformed recovery code',
        method: 'POST',
        path: base() + '/sessions',
        json: account.loginBody({ recoveryCode: 'not-a-code' }),
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: '/sessions: auth key of the wrong type',
        method: 'POST',
        path: base() + '/sessions',
        json: { ...account.loginBody(), authKey: 12 },
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: '/sessions/refresh: a number',
        method: 'POST',
        path: base() + '/sessions/refresh',
        json: { refreshToken: 1234567890123456 },
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: '/sessions/refresh: too short',
        method: 'POST',
        path: base() + '/sessions/refresh',
        json: { refreshToken: 'short' },
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: '/sessions/refresh: unknown token',
        method: 'POST',
        path: base() + '/sessions/refresh',
        json: { refreshToken: `${tenant}.${'A'.repeat(43)}` },
        expect: [401, 'UNAUTHENTICATED'],
      },
    );
    return cases;
  }

  /** Bad requests of every bearer route: missing or bad tokens, bad bodies, unknown ids. */
  function bearerCases(): BadRequest[] {
    const routes: [string, string, unknown?][] = [
      ['DELETE', '/sessions/current'],
      ['POST', '/me/totp'],
      ['POST', '/me/totp/confirm', { code: '123456' }],
      ['POST', '/me/totp/disable', { code: '123456' }],
      ['GET', '/me'],
      ['GET', '/me/devices'],
      ['DELETE', `/me/devices/${session.deviceId}`],
      ['GET', '/members'],
    ];
    const cases: BadRequest[] = [];
    for (const [method, route, json] of routes) {
      const path = base() + route;
      const unauthenticated: [string, string | undefined, Record<string, string>?][] = [
        ['no token', undefined],
        ['garbage token', 'garbage'],
        ['token of another key', foreignToken],
        ['Basic credentials', undefined, { authorization: 'Basic dXNlcjpwYXNz' }],
      ];
      for (const [name, token, headers] of unauthenticated) {
        cases.push({
          name: `${method} ${route}: ${name}`,
          method,
          path,
          json,
          token,
          headers,
          expect: [401, 'UNAUTHENTICATED'],
        });
      }
      if (method !== 'GET') {
        cases.push({
          name: `${method} ${route}: over 64 KiB`,
          method,
          path,
          raw: OVERSIZED,
          token: 'valid',
          expect: [413, 'PAYLOAD_TOO_LARGE'],
        });
      }
    }
    const confirm = base() + '/me/totp/confirm';
    const disable = base() + '/me/totp/disable';
    const device = (id: string) => `${base()}/me/devices/${id}`;
    cases.push(
      {
        name: 'confirm: empty object',
        method: 'POST',
        path: confirm,
        json: {},
        token: 'valid',
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: 'confirm: number',
        method: 'POST',
        path: confirm,
        json: { code: 123456 },
        token: 'valid',
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: 'confirm: letters',
        method: 'POST',
        path: confirm,
        json: { code: 'abcdef' },
        token: 'valid',
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: 'confirm: garbage JSON',
        method: 'POST',
        path: confirm,
        raw: '{code',
        token: 'valid',
        expect: [400, 'BAD_REQUEST'],
      },
      {
        name: 'confirm: before setup',
        method: 'POST',
        path: confirm,
        json: { code: '123456' },
        token: 'valid',
        expect: [404, 'NOT_FOUND'],
      },
      {
        name: 'disable: empty object',
        method: 'POST',
        path: disable,
        json: {},
        token: 'valid',
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: 'disable: short code',
        method: 'POST',
        path: disable,
        json: { code: '12' },
        token: 'valid',
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: 'disable: garbage JSON',
        method: 'POST',
        path: disable,
        raw: ']',
        token: 'valid',
        expect: [400, 'BAD_REQUEST'],
      },
      {
        name: 'disable: not enabled',
        method: 'POST',
        path: disable,
        json: { code: '123456' },
        token: 'valid',
        expect: [404, 'NOT_FOUND'],
      },
      {
        name: 'revoke: unknown device',
        method: 'DELETE',
        path: device('d_unknown'),
        token: 'valid',
        expect: [404, 'NOT_FOUND'],
      },
      {
        name: 'revoke: invalid id',
        method: 'DELETE',
        path: device('bad..id'),
        token: 'valid',
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: 'revoke: id too long',
        method: 'DELETE',
        path: device('d'.repeat(65)),
        token: 'valid',
        expect: [400, 'VALIDATION_FAILED'],
      },
      { name: 'revoke: no id', method: 'DELETE', path: device(''), token: 'valid', expect: [404, 'NOT_FOUND'] },
    );
    return cases;
  }

  function otherCases(): BadRequest[] {
    return [
      { name: 'unknown route', method: 'GET', path: '/v1/nothing-here', expect: [404, 'NOT_FOUND'] },
      { name: 'unknown method', method: 'PUT', path: base() + '/kdf', json: {}, expect: [404, 'NOT_FOUND'] },
      { name: 'GET of a POST route', method: 'GET', path: base() + '/users', expect: [404, 'NOT_FOUND'] },
    ];
  }

  async function send(request: BadRequest): Promise<ApiAnswer> {
    const token = request.token === 'valid' ? session.accessToken : request.token;
    return api.request(request.method, request.path, {
      json: request.json,
      raw: request.raw,
      token,
      headers: request.headers,
    });
  }

  function expectErrorBody(request: BadRequest, answer: ApiAnswer): void {
    const label = `${request.name} -> ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
    expect([answer.status, (answer.body as { error?: { code?: string } }).error?.code], label).toEqual(request.expect);
    const error = (answer.body as { error: { code: string; message: unknown } }).error;
    expect(isErrorCode(error.code), label).toBe(true);
    expect(typeof error.message === 'string' && error.message.length > 0, label).toBe(true);
    // A sentence for people, never a stack trace or zod's dump.
    if (error.code !== 'BAD_REQUEST' && error.code !== 'NOT_FOUND') {
      expect(error.message, label).toBe(ERROR_MESSAGES[error.code as keyof typeof ERROR_MESSAGES]);
    }
    expect(JSON.stringify(answer.body), label).not.toMatch(/\bat .*\.(ts|js):\d+|ZodError|"issues"/);
    expect(answer.headers.get('content-type'), label).toMatch(/^application\/json/);
  }

  it('refuses every bad request to the public routes', async () => {
    const before = await accountRowsSnapshot(harness, tenant);
    for (const request of publicCases()) expectErrorBody(request, await send(request));
    expect(await accountRowsSnapshot(harness, tenant)).toEqual(before);
  });

  it('refuses every bad request to the bearer routes', async () => {
    const before = await accountRowsSnapshot(harness, tenant);
    for (const request of bearerCases()) expectErrorBody(request, await send(request));
    expect(await accountRowsSnapshot(harness, tenant)).toEqual(before);
  });

  it('answers unknown routes and methods with NOT_FOUND', async () => {
    const before = await accountRowsSnapshot(harness, tenant);
    for (const request of otherCases()) expectErrorBody(request, await send(request));
    expect(await accountRowsSnapshot(harness, tenant)).toEqual(before);
  });

  it('says which fields are wrong on VALIDATION_FAILED', async () => {
    const answer = await api.request('POST', base() + '/users', {
      json: { ...validRegistration(), email: 42, authKey: undefined },
    });
    const fields = (answer.body as { error: { fields?: { path: string; problem: string }[] } }).error.fields ?? [];
    expect(fields.map((field) => field.path).sort()).toEqual(['authKey', 'email']);
    for (const field of fields) expect(field.problem.length).toBeGreaterThan(0);
  });

  it('still serves the user afterwards', async () => {
    expect((await api.request('GET', base() + '/me/devices', { token: session.accessToken })).status).toBe(200);
    const refreshed = await api.request('POST', base() + '/sessions/refresh', {
      json: { refreshToken: session.refreshToken },
    });
    expect(refreshed.status).toBe(200);
  });
});
