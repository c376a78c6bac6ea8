import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '@coffre/crypto';
import { KdfResponseSchema, MemberListResponseSchema, type SessionResponse, type TenantId } from '@coffre/protocol';
import {
  ApiClient,
  type TestAccount,
  createTestTenant,
  deriveTestAccount,
  errorCodeOf,
  loginAccount,
  registerAccount,
} from './support/accountApi.ts';
import { accountRowsSnapshot } from './support/accountRows.ts';
import { MessageType, RawClient } from './support/rawClient.ts';
import { type RelayHarness, randomId, startRelay, storageEngine } from './support/relayHarness.ts';

describe(`accounts API tenant isolation (${storageEngine})`, () => {
  let harness: RelayHarness;
  let api: ApiClient;
  let tenantA: TenantId;
  let tenantB: TenantId;
  let alice: TestAccount;
  let aliceLaptop: SessionResponse;
  let alicePhone: SessionResponse;
  let bob: TestAccount;
  let bobSession: SessionResponse;
  const at = (tenant: string, rest: string) => `/v1/tenants/${tenant}${rest}`;
  const snapshots = async () => ({
    a: await accountRowsSnapshot(harness, tenantA),
    b: await accountRowsSnapshot(harness, tenantB),
  });

  beforeAll(async () => {
    await ready();
    harness = await startRelay();
    api = new ApiClient(harness.httpUrl);
    tenantA = await createTestTenant(harness, randomId('tenant-a'));
    tenantB = await createTestTenant(harness, randomId('tenant-b'));
    alice = deriveTestAccount('alice@example.com', 'alice passphrase, long enough');
    bob = deriveTestAccount('bob@example.com', 'bob passphrase, long enough');
    aliceLaptop = await registerAccount(api, tenantA, alice);
    alicePhone = await loginAccount(api, tenantA, alice);
    bobSession = await registerAccount(api, tenantB, bob);
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('refuses a tenant-A token on every tenant-B bearer route with 403, changing nothing', async () => {
    const before = await snapshots();
    const attempts: [string, string, unknown?][] = [
      ['DELETE', '/sessions/current'],
      ['POST', '/me/totp'],
      ['POST', '/me/totp/confirm', { code: '123456' }],
      ['POST', '/me/totp/disable', { code: '123456' }],
      ['GET', '/me'],
      ['GET', '/me/devices'],
      ['DELETE', `/me/devices/${alicePhone.deviceId}`],
      ['DELETE', `/me/devices/${bobSession.deviceId}`],
      ['GET', '/members'],
    ];
    for (const [method, rest, json] of attempts) {
      const answer = await api.request(method, at(tenantB, rest), { token: aliceLaptop.accessToken, json });
      expect([answer.status, errorCodeOf(answer)], `${method} ${rest}`).toEqual([403, 'FORBIDDEN']);
      const unknownTenant = await api.request(method, at(randomId('nowhere'), rest), {
        token: aliceLaptop.accessToken,
        json,
      });
      expect([unknownTenant.status, errorCodeOf(unknownTenant)], `${method} ${rest} elsewhere`).toEqual([
        403,
        'FORBIDDEN',
      ]);
    }
    expect(await snapshots()).toEqual(before);
    // Alice's sessions and devices are untouched: the logout at B did not log her out.
    expect((await api.request('GET', at(tenantA, '/me/devices'), { token: aliceLaptop.accessToken })).status).toBe(200);
    expect((await api.request('GET', at(tenantA, '/me/devices'), { token: alicePhone.accessToken })).status).toBe(200);
  });

  it('refuses a tenant-A refresh token at tenant B with 401, and it still works at A', async () => {
    const before = await snapshots();
    const atB = await api.request('POST', at(tenantB, '/sessions/refresh'), {
      json: { refreshToken: alicePhone.refreshToken },
    });
    expect([atB.status, errorCodeOf(atB)]).toEqual([401, 'UNAUTHENTICATED']);
    // Even a token whose tenant prefix was rewritten to B is unknown there.
    const rewritten = `${tenantB}${alicePhone.refreshToken.slice(tenantA.length)}`;
    const forged = await api.request('POST', at(tenantB, '/sessions/refresh'), { json: { refreshToken: rewritten } });
    expect([forged.status, errorCodeOf(forged)]).toEqual([401, 'UNAUTHENTICATED']);
    expect(await snapshots()).toEqual(before);
    const atA = await api.request('POST', at(tenantA, '/sessions/refresh'), {
      json: { refreshToken: alicePhone.refreshToken },
    });
    expect(atA.status).toBe(200);
    alicePhone = atA.body as SessionResponse;
  });

  it('answers 404 for a tenant-A device id revoked at tenant B, and the device keeps working', async () => {
    const before = await snapshots();
    const answer = await api.request('DELETE', at(tenantB, `/me/devices/${alicePhone.deviceId}`), {
      token: bobSession.accessToken,
    });
    expect([answer.status, errorCodeOf(answer)]).toEqual([404, 'NOT_FOUND']);
    expect(await snapshots()).toEqual(before);
    expect((await api.request('GET', at(tenantA, '/me/devices'), { token: alicePhone.accessToken })).status).toBe(200);
  });

  it("does not log a tenant-A user in at tenant B, nor reveal A's KDF salt there", async () => {
    const login = await api.request('POST', at(tenantB, '/sessions'), { json: alice.loginBody() });
    expect([login.status, errorCodeOf(login)]).toEqual([401, 'INVALID_CREDENTIALS']);
    const kdfAtA = KdfResponseSchema.parse(
      (await api.request('POST', at(tenantA, '/kdf'), { json: { email: alice.email } })).body,
    );
    const kdfAtB = KdfResponseSchema.parse(
      (await api.request('POST', at(tenantB, '/kdf'), { json: { email: alice.email } })).body,
    );
    expect(kdfAtB.salt).not.toBe(kdfAtA.salt);
  });

  it('lets the same email register separately in each tenant, and lists members per tenant', async () => {
    const twin = deriveTestAccount(alice.email, 'a different passphrase at B');
    const atB = await registerAccount(api, tenantB, twin);
    expect(atB.userId).not.toBe(aliceLaptop.userId);
    expect(atB.role).toBe('member');
    const membersB = MemberListResponseSchema.parse(
      (await api.request('GET', at(tenantB, '/members'), { token: bobSession.accessToken })).body,
    ).members;
    expect(membersB.map((entry) => entry.id).sort()).toEqual([bobSession.userId, atB.userId].sort());
    const membersA = MemberListResponseSchema.parse(
      (await api.request('GET', at(tenantA, '/members'), { token: aliceLaptop.accessToken })).body,
    ).members;
    expect(membersA.map((entry) => entry.id)).toEqual([aliceLaptop.userId]);
  });

  it('answers 404 UNKNOWN_TENANT on the public routes of a tenant that does not exist', async () => {
    const nowhere = randomId('nowhere');
    const attempts: [string, unknown][] = [
      ['/kdf', { email: alice.email }],
      ['/users', deriveTestAccount('new@example.com', 'passphrase').registerBody()],
      ['/sessions', alice.loginBody()],
      ['/sessions/refresh', { refreshToken: alicePhone.refreshToken }],
    ];
    for (const [rest, json] of attempts) {
      const answer = await api.request('POST', at(nowhere, rest), { json });
      expect([answer.status, errorCodeOf(answer)], rest).toEqual([404, 'UNKNOWN_TENANT']);
    }
  });

  it('refuses a tenant-A session token on a tenant-B document', async () => {
    const client = new RawClient(harness.url);
    await client.opened();
    client.authenticate(`${tenantB}/${randomId('doc')}`, aliceLaptop.accessToken);
    expect((await client.waitFor((r) => r.type === MessageType.Auth))?.detail).toBe('denied:FORBIDDEN');
    client.close();
  });
});
