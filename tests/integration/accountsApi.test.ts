import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { ready, toBase64Url, toHex } from '@coffre/crypto';
import {
  type AccessClaims,
  AccountResponseSchema,
  DeviceListResponseSchema,
  KdfResponseSchema,
  MemberListResponseSchema,
  type SessionResponse,
  SessionResponseSchema,
  type TenantId,
  TotpSetupResponseSchema,
  deviceId,
  parseAccessClaims,
  userId,
} from '@coffre/protocol';
import { currentTotpCode, mintAccessToken } from '@coffre/sync-server';
import {
  ApiClient,
  TEST_KDF,
  type TestAccount,
  createTestTenant,
  deriveTestAccount,
  errorCodeOf,
  loginAccount,
  registerAccount,
} from './support/accountApi.ts';
import { dumpTenant, dumpPostgres } from './support/databaseDump.ts';
import { MessageType, RawClient } from './support/rawClient.ts';
import { type RelayHarness, randomId, readAllFiles, startRelay, storageEngine } from './support/relayHarness.ts';
import { createTestDocument } from './support/sharingApi.ts';

const PASSWORD = 'Zanzibar-Quokka-passphrase-7731';

/** The claims of an access token the relay issued (read, not verified). */
function claimsOf(session: SessionResponse): AccessClaims {
  const claims = parseAccessClaims(decodeJwt(session.accessToken));
  if (!claims) throw new Error('not an access token');
  return claims;
}

/** A raw sync connection authenticated on `document` with `token`. */
async function openDocument(harness: RelayHarness, document: string, token: string): Promise<RawClient> {
  const client = new RawClient(harness.url);
  await client.opened();
  client.authenticate(document, token);
  const reply = await client.waitFor((r) => r.type === MessageType.Auth);
  expect(reply?.detail).toMatch(/^authenticated/);
  return client;
}

async function closeReason(client: RawClient, document: string, timeoutMs = 5000): Promise<string | undefined> {
  const reply = await client.waitFor((r) => r.type === MessageType.Close && r.document === document, timeoutMs);
  return typeof reply?.detail === 'string' ? reply.detail : undefined;
}

describe(`accounts API over HTTP (${storageEngine})`, () => {
  let harness: RelayHarness;
  let api: ApiClient;
  let tenant: TenantId;
  let admin: TestAccount;
  let adminSession: SessionResponse;
  let member: TestAccount;
  let memberSession: SessionResponse;
  const path = (rest: string) => `/v1/tenants/${tenant}${rest}`;
  const get = (rest: string, token: string) => api.request('GET', path(rest), { token });
  /** The name of a new document of the member's: account sessions open only documents of their user's. */
  const memberDocument = async () => {
    const document = await createTestDocument(api, tenant, { account: member, session: memberSession });
    return `${tenant}/${document.id}`;
  };

  beforeAll(async () => {
    await ready();
    harness = await startRelay();
    api = new ApiClient(harness.httpUrl);
    tenant = await createTestTenant(harness, randomId('acme'), 'Acme Corp');
    admin = deriveTestAccount('admin@acme.example', PASSWORD);
    member = deriveTestAccount('member@acme.example', 'another long passphrase');
    adminSession = await registerAccount(api, tenant, admin);
    memberSession = await registerAccount(api, tenant, member);
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('registers the first user as tenant-admin and the next as member, answering 201 with a session', async () => {
    expect(SessionResponseSchema.parse(adminSession)).toEqual(adminSession);
    expect(adminSession.role).toBe('tenant-admin');
    expect(memberSession.role).toBe('member');
    expect(adminSession.keyBundle).toBe(toBase64Url(admin.keyBundle));
    expect(adminSession.expiresIn).toBe(300);
    expect(claimsOf(adminSession)).toEqual({
      sub: adminSession.userId,
      tenant,
      role: 'tenant-admin',
      device: adminSession.deviceId,
      sid: expect.any(String) as string,
    });
    const again = await api.request('POST', path('/users'), { json: admin.registerBody() });
    expect([again.status, errorCodeOf(again)]).toEqual([409, 'EMAIL_TAKEN']);
  });

  it('answers KDF parameters of the same shape for a known and an unknown email', async () => {
    const known = await api.request('POST', path('/kdf'), { json: { email: 'ADMIN@acme.example' } });
    const unknown = await api.request('POST', path('/kdf'), { json: { email: 'nobody@acme.example' } });
    const unknownAgain = await api.request('POST', path('/kdf'), { json: { email: 'nobody@acme.example' } });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(KdfResponseSchema.parse(known.body)).toEqual({ salt: toBase64Url(admin.salt), kdf: TEST_KDF });
    const fake = KdfResponseSchema.parse(unknown.body);
    expect(Object.keys(fake).sort()).toEqual(Object.keys(known.body as object).sort());
    expect(fake.salt).toHaveLength(toBase64Url(admin.salt).length);
    expect(unknownAgain.body).toEqual(unknown.body);
  });

  it('logs in with the password-derived key on a new device', async () => {
    const session = await loginAccount(api, tenant, admin);
    expect(SessionResponseSchema.parse(session)).toEqual(session);
    expect(session.userId).toBe(adminSession.userId);
    expect(session.deviceId).not.toBe(adminSession.deviceId);
    expect(session.keyBundle).toBe(adminSession.keyBundle);
  });

  it('answers a wrong password exactly like an unknown email', async () => {
    const wrong = deriveTestAccount(admin.email, 'not the password');
    const wrongPassword = await api.request('POST', path('/sessions'), { json: wrong.loginBody() });
    const unknown = deriveTestAccount('nobody@acme.example', PASSWORD);
    const unknownEmail = await api.request('POST', path('/sessions'), { json: unknown.loginBody() });
    expect(wrongPassword.status).toBe(401);
    expect(errorCodeOf(wrongPassword)).toBe('INVALID_CREDENTIALS');
    expect(unknownEmail.status).toBe(wrongPassword.status);
    expect(unknownEmail.body).toEqual(wrongPassword.body);
    expect(unknownEmail.headers.get('content-type')).toBe(wrongPassword.headers.get('content-type'));
  });

  it('with two-factor on, login needs a valid code, and a recovery code works once', async () => {
    const account = deriveTestAccount('totp@acme.example', PASSWORD);
    const session = await registerAccount(api, tenant, account);
    const before = AccountResponseSchema.parse((await get('/me', session.accessToken)).body);
    expect([before.email, before.role, before.twoFactor]).toEqual([account.email, 'member', false]);
    const setupAnswer = await api.request('POST', path('/me/totp'), { token: session.accessToken });
    expect(setupAnswer.status).toBe(200);
    const setup = TotpSetupResponseSchema.parse(setupAnswer.body);
    expect(setup.uri).toContain(`secret=${setup.secret}`);
    const wrongConfirm = await api.request('POST', path('/me/totp/confirm'), {
      token: session.accessToken,
      json: { code: currentTotpCode(setup.secret, Date.now() + 10 * 60_000) },
    });
    expect(errorCodeOf(wrongConfirm)).toBe('INVALID_SECOND_FACTOR');
    const confirm = await api.request('POST', path('/me/totp/confirm'), {
      token: session.accessToken,
      json: { code: currentTotpCode(setup.secret) },
    });
    expect(confirm.status).toBe(200);
    const { recoveryCodes } = confirm.body as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);

    const attempt = (extra: { totp?: string; recoveryCode?: string }) =>
      api.request('POST', path('/sessions'), { json: account.loginBody(extra) });
    const without = await attempt({});
    expect([without.status, errorCodeOf(without)]).toEqual([401, 'SECOND_FACTOR_REQUIRED']);
    expect(Object.keys(without.body as object)).toEqual(['error']);
    const wrong = await attempt({ totp: currentTotpCode(setup.secret, Date.now() + 10 * 60_000) });
    expect([wrong.status, errorCodeOf(wrong)]).toEqual([401, 'INVALID_SECOND_FACTOR']);
    // The confirmation used this period's code; the next period's is within the accepted drift.
    const valid = await attempt({ totp: currentTotpCode(setup.secret, Date.now() + 30_000) });
    expect(valid.status).toBe(200);
    expect(SessionResponseSchema.safeParse(valid.body).success).toBe(true);
    const replayed = await attempt({ totp: currentTotpCode(setup.secret, Date.now() + 30_000) });
    expect(errorCodeOf(replayed)).toBe('INVALID_SECOND_FACTOR');
    const recovered = await attempt({ recoveryCode: recoveryCodes[0] });
    expect(recovered.status).toBe(200);
    const reused = await attempt({ recoveryCode: recoveryCodes[0] });
    expect([reused.status, errorCodeOf(reused)]).toEqual([401, 'INVALID_SECOND_FACTOR']);
    const members = MemberListResponseSchema.parse((await get('/members', adminSession.accessToken)).body);
    expect(members.members.find((entry) => entry.email === account.email)?.twoFactor).toBe(true);
    expect(
      AccountResponseSchema.parse((await get('/me', SessionResponseSchema.parse(recovered.body).accessToken)).body)
        .twoFactor,
    ).toBe(true);
  });

  it('rotates refresh tokens, and a reused one revokes the family so the newer token dies too', async () => {
    const first = await loginAccount(api, tenant, member);
    const refresh = (token: string) =>
      api.request('POST', path('/sessions/refresh'), { json: { refreshToken: token } });
    const secondAnswer = await refresh(first.refreshToken);
    expect(secondAnswer.status).toBe(200);
    const second = SessionResponseSchema.parse(secondAnswer.body);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(claimsOf(second).sid).toBe(claimsOf(first).sid);
    const third = SessionResponseSchema.parse((await refresh(second.refreshToken)).body);
    const reused = await refresh(first.refreshToken);
    expect([reused.status, errorCodeOf(reused)]).toEqual([401, 'REFRESH_TOKEN_REUSED']);
    const newest = await refresh(third.refreshToken);
    expect([newest.status, errorCodeOf(newest)]).toEqual([401, 'TOKEN_REVOKED']);
    const access = await get('/me/devices', third.accessToken);
    expect([access.status, errorCodeOf(access)]).toEqual([401, 'TOKEN_REVOKED']);
    expect((await get('/me/devices', memberSession.accessToken)).status).toBe(200);
  });

  it("logout refuses the access token on HTTP and closes the session's open sync connection", async () => {
    const session = await loginAccount(api, tenant, member);
    const other = await loginAccount(api, tenant, member);
    const document = await memberDocument();
    const client = await openDocument(harness, document, session.accessToken);
    const bystander = await openDocument(harness, document, other.accessToken);
    const logout = await api.request('DELETE', path('/sessions/current'), { token: session.accessToken });
    expect(logout.status).toBe(204);
    expect(await closeReason(client, document)).toBe('TOKEN_REVOKED');
    const refused = await get('/me/devices', session.accessToken);
    expect([refused.status, errorCodeOf(refused)]).toEqual([401, 'TOKEN_REVOKED']);
    const refresh = await api.request('POST', path('/sessions/refresh'), {
      json: { refreshToken: session.refreshToken },
    });
    expect(errorCodeOf(refresh)).toBe('TOKEN_REVOKED');
    // Connecting again with the logged-out token is refused too.
    const again = new RawClient(harness.url);
    await again.opened();
    again.authenticate(document, session.accessToken);
    expect((await again.waitFor((r) => r.type === MessageType.Auth))?.detail).toBe('denied:TOKEN_REVOKED');
    // Another session of the same user is untouched.
    expect(bystander.replies.some((r) => r.type === MessageType.Close)).toBe(false);
    expect((await get('/me/devices', other.accessToken)).status).toBe(200);
    for (const socket of [client, bystander, again]) socket.close();
  });

  it('revoking a device closes its sync connection and refuses its refresh token', async () => {
    const laptop = await loginAccount(api, tenant, member);
    const phone = await loginAccount(api, tenant, member);
    const document = await memberDocument();
    const phoneSocket = await openDocument(harness, document, phone.accessToken);
    const revoke = await api.request('DELETE', path(`/me/devices/${phone.deviceId}`), { token: laptop.accessToken });
    expect(revoke.status).toBe(204);
    expect(await closeReason(phoneSocket, document)).toBe('DEVICE_REVOKED');
    const refresh = await api.request('POST', path('/sessions/refresh'), {
      json: { refreshToken: phone.refreshToken },
    });
    expect([refresh.status, errorCodeOf(refresh)]).toEqual([401, 'DEVICE_REVOKED']);
    const access = await get('/me/devices', phone.accessToken);
    expect(errorCodeOf(access)).toBe('DEVICE_REVOKED');
    const { devices } = DeviceListResponseSchema.parse((await get('/me/devices', laptop.accessToken)).body);
    expect(devices.find((entry) => entry.id === phone.deviceId)?.revokedAt).toEqual(expect.any(String));
    expect(devices.find((entry) => entry.id === laptop.deviceId)).toMatchObject({ current: true, revokedAt: null });
    phoneSocket.close();
  });

  it('refuses an expired access token, and closes a sync connection when its token expires', async () => {
    const session = await loginAccount(api, tenant, member);
    const claims = claimsOf(session);
    const expired = await mintAccessToken(harness.keys, claims, { expiresIn: -60 });
    const refused = await get('/me/devices', expired);
    expect([refused.status, errorCodeOf(refused)]).toEqual([401, 'TOKEN_EXPIRED']);
    const shortLived = await mintAccessToken(harness.keys, claims, { expiresIn: 2 });
    const document = await memberDocument();
    const client = await openDocument(harness, document, shortLived);
    expect(await closeReason(client, document, 6000)).toBe('TOKEN_EXPIRED');
    client.close();
  });

  it('keeps accepting development tokens without a session on the sync connection', async () => {
    const token = await mintAccessToken(harness.keys, {
      sub: userId('dev-user'),
      tenant,
      role: 'member',
      device: deviceId('dev-device'),
    });
    const client = await openDocument(harness, `${tenant}/${randomId('doc')}`, token);
    client.close();
  });

  it('lists members for tenant-admins only', async () => {
    const asAdmin = await get('/members', adminSession.accessToken);
    expect(asAdmin.status).toBe(200);
    const { members } = MemberListResponseSchema.parse(asAdmin.body);
    expect(members.slice(0, 2).map((entry) => [entry.email, entry.role])).toEqual([
      [admin.email, 'tenant-admin'],
      [member.email, 'member'],
    ]);
    const asMember = await get('/members', memberSession.accessToken);
    expect([asMember.status, errorCodeOf(asMember)]).toEqual([403, 'FORBIDDEN']);
  });

  it('describes every route in /openapi.json (OpenAPI 3.1)', async () => {
    const answer = await api.request('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    const document = answer.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    const routes = Object.entries(document.paths).flatMap(([route, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`),
    );
    expect(routes.sort()).toEqual(
      [
        'POST /v1/tenants/{tenant}/kdf',
        'POST /v1/tenants/{tenant}/users',
        'POST /v1/tenants/{tenant}/sessions',
        'POST /v1/tenants/{tenant}/sessions/refresh',
        'DELETE /v1/tenants/{tenant}/sessions/current',
        'GET /v1/tenants/{tenant}/me',
        'POST /v1/tenants/{tenant}/me/totp',
        'POST /v1/tenants/{tenant}/me/totp/confirm',
        'POST /v1/tenants/{tenant}/me/totp/disable',
        'GET /v1/tenants/{tenant}/me/devices',
        'DELETE /v1/tenants/{tenant}/me/devices/{deviceId}',
        'GET /v1/tenants/{tenant}/members',
        // The sharing API (sharingApi.test.ts).
        'POST /v1/tenants/{tenant}/me/devices/{deviceId}/certificate',
        'GET /v1/tenants/{tenant}/users/lookup',
        'GET /v1/tenants/{tenant}/users/{userId}/keys',
        'GET /v1/tenants/{tenant}/documents',
        'POST /v1/tenants/{tenant}/documents',
        'DELETE /v1/tenants/{tenant}/documents/{documentId}',
        'GET /v1/tenants/{tenant}/documents/{documentId}/members',
        'POST /v1/tenants/{tenant}/documents/{documentId}/members',
        'POST /v1/tenants/{tenant}/documents/{documentId}/rotations',
        'GET /v1/tenants/{tenant}/documents/{documentId}/grants',
        'GET /v1/tenants/{tenant}/documents/{documentId}/membership',
        'GET /v1/tenants/{tenant}/documents/{documentId}/links',
        'POST /v1/tenants/{tenant}/documents/{documentId}/links',
        'DELETE /v1/tenants/{tenant}/documents/{documentId}/links/{linkId}',
        'POST /v1/tenants/{tenant}/links/{linkId}/session',
        // The Drive (drive.test.ts).
        'PUT /v1/tenants/{tenant}/spaces/{documentId}/chunks/{address}',
        'POST /v1/tenants/{tenant}/spaces/{documentId}/chunks',
        'GET /v1/tenants/{tenant}/spaces/{documentId}/chunks/{address}',
        'POST /v1/tenants/{tenant}/spaces/{documentId}/chunks/held',
        'GET /v1/tenants/{tenant}/drive/usage',
        // The Drive's garbage collection (driveGc.test.ts).
        'POST /v1/tenants/{tenant}/spaces/{documentId}/drive/sweeps',
        'GET /v1/tenants/{tenant}/spaces/{documentId}/drive/sweeps/{sweepId}/chunks',
        'POST /v1/tenants/{tenant}/spaces/{documentId}/drive/sweeps/{sweepId}/release',
      ].sort(),
    );
  });

  it('stores and logs no password, derived key, private key, recovery code or token', async () => {
    const account = deriveTestAccount('secrets@acme.example', PASSWORD);
    const session = await registerAccount(api, tenant, account);
    const setup = TotpSetupResponseSchema.parse(
      (await api.request('POST', path('/me/totp'), { token: session.accessToken })).body,
    );
    const confirm = await api.request('POST', path('/me/totp/confirm'), {
      token: session.accessToken,
      json: { code: currentTotpCode(setup.secret) },
    });
    const { recoveryCodes } = confirm.body as { recoveryCodes: string[] };
    const refreshed = SessionResponseSchema.parse(
      (await api.request('POST', path('/sessions/refresh'), { json: { refreshToken: session.refreshToken } })).body,
    );

    const secrets: [string, Uint8Array][] = [
      ['master key', account.masterKey],
      ['auth key', account.authKey],
      ['wrapping key', account.wrappingKey],
      ['signing private key', account.signing.secretKey],
      ['box private key', account.box.secretKey],
    ];
    const needles: [string, string][] = [
      ['password', PASSWORD],
      ['refresh token', session.refreshToken],
      ['rotated refresh token', refreshed.refreshToken],
      ['access token', session.accessToken],
      ...recoveryCodes.map((code, index): [string, string] => [`recovery code ${index}`, code]),
    ];
    for (const [name, bytes] of secrets) {
      needles.push([`${name} (raw)`, Buffer.from(bytes).toString('latin1')]);
      needles.push([`${name} (base64url)`, toBase64Url(bytes)]);
      needles.push([`${name} (base64)`, Buffer.from(bytes).toString('base64')]);
      needles.push([`${name} (hex)`, toHex(bytes)]);
    }

    const haystacks: { where: string; text: string }[] = [{ where: 'relay log', text: harness.logs() }];
    haystacks.push({ where: 'tables (application role)', text: await dumpTenant(harness, tenant) });
    if (process.env.DATABASE_URL) {
      haystacks.push({ where: 'postgres (admin)', text: await dumpPostgres(process.env.DATABASE_URL) });
    }
    // Sanity: the dump holds the account's rows (email and public key are metadata the relay may keep).
    expect(haystacks[1]?.text).toContain(account.email);
    expect(haystacks[1]?.text).toContain(Buffer.from(account.signing.publicKey).toString('latin1'));
    await harness.stop();
    for (const file of await readAllFiles(harness.dataDir)) {
      haystacks.push({ where: file.path, text: file.bytes.toString('latin1') });
    }
    for (const { where, text } of haystacks) {
      for (const [name, needle] of needles) expect(text.includes(needle), `${name} found in ${where}`).toBe(false);
    }
  });
});
