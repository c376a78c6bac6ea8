import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '@coffre/crypto';
import { type SessionResponse, type TenantId } from '@coffre/protocol';
import {
  ApiClient,
  type TestAccount,
  createTestTenant,
  deriveTestAccount,
  errorCodeOf,
  expectRateLimited,
  registerAccount,
} from './support/accountApi.ts';
import { accountRowsSnapshot } from './support/accountRows.ts';
import { type RelayHarness, randomId, startRelay, storageEngine } from './support/relayHarness.ts';

describe(`accounts API rate limits (${storageEngine})`, () => {
  let harness: RelayHarness;
  let api: ApiClient;
  let tenant: TenantId;
  let alice: TestAccount;
  let bob: TestAccount;
  let bobSession: SessionResponse;
  const path = (rest: string) => `/v1/tenants/${tenant}${rest}`;
  const login = (account: TestAccount) => api.request('POST', path('/sessions'), { json: account.loginBody() });

  beforeAll(async () => {
    await ready();
    harness = await startRelay({
      accounts: {
        rateLimits: {
          loginPerAccount: { points: 3, durationSeconds: 900 },
          loginPerIp: { points: 9, durationSeconds: 60 },
          registerPerIp: { points: 2, durationSeconds: 3600 },
          kdfPerIp: { points: 4, durationSeconds: 60 },
          refreshPerIp: { points: 2, durationSeconds: 60 },
          secondFactorPerUser: { points: 2, durationSeconds: 900 },
        },
      },
    });
    api = new ApiClient(harness.httpUrl);
    tenant = await createTestTenant(harness, randomId('limits'));
    alice = deriveTestAccount('alice@example.com', 'alice passphrase, long enough');
    bob = deriveTestAccount('bob@example.com', 'bob passphrase, long enough');
    await registerAccount(api, tenant, alice);
    bobSession = await registerAccount(api, tenant, bob);
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('limits registrations per address', async () => {
    const before = await accountRowsSnapshot(harness, tenant);
    const third = deriveTestAccount('carol@example.com', 'carol passphrase, long enough');
    expectRateLimited(await api.request('POST', path('/users'), { json: third.registerBody() }), 3600);
    expect(await accountRowsSnapshot(harness, tenant)).toEqual(before);
  });

  it('limits login attempts per account, known or not, and issues nothing over the limit', async () => {
    const wrong = deriveTestAccount(alice.email, 'guess');
    for (let attempt = 0; attempt < 3; attempt += 1)
      expect(errorCodeOf(await login(wrong))).toBe('INVALID_CREDENTIALS');
    const before = await accountRowsSnapshot(harness, tenant);
    // Over the limit even the right password gets no session.
    expectRateLimited(await login(alice), 900);
    expect(await accountRowsSnapshot(harness, tenant)).toEqual(before);
    const nobody = deriveTestAccount('nobody@example.com', 'guess');
    for (let attempt = 0; attempt < 3; attempt += 1)
      expect(errorCodeOf(await login(nobody))).toBe('INVALID_CREDENTIALS');
    expectRateLimited(await login(nobody), 900);
  });

  it('limits login attempts per address across accounts', async () => {
    // 8 attempts so far from this address; the 9th is allowed (and succeeds), the 10th is not.
    expect((await login(bob)).status).toBe(200);
    expectRateLimited(await login(bob), 60);
  });

  it('limits KDF look-ups per address', async () => {
    for (let attempt = 0; attempt < 4; attempt += 1) {
      expect((await api.request('POST', path('/kdf'), { json: { email: `user${attempt}@example.com` } })).status).toBe(
        200,
      );
    }
    expectRateLimited(await api.request('POST', path('/kdf'), { json: { email: 'user9@example.com' } }), 60);
  });

  it('limits refreshes per address, without burning the refresh token', async () => {
    const refresh = (token: string) =>
      api.request('POST', path('/sessions/refresh'), { json: { refreshToken: token } });
    const unknown = `${tenant}.${'A'.repeat(43)}`;
    expect(errorCodeOf(await refresh(unknown))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await refresh(unknown))).toBe('UNAUTHENTICATED');
    expectRateLimited(await refresh(bobSession.refreshToken), 60);
    // Refused before it was looked at: the token is neither used nor revoked.
    const rows = await harness.relay.database.withTenant(tenant, (sql) =>
      sql.query<{ used: boolean; revoked: boolean }>(
        'select used_at is not null as used, revoked_at is not null as revoked from refresh_tokens where device_id = $1',
        [bobSession.deviceId],
      ),
    );
    expect(rows).toEqual([{ used: false, revoked: false }]);
  });

  it('limits two-factor codes tried by one user', async () => {
    const setup = await api.request('POST', path('/me/totp'), { token: bobSession.accessToken });
    expect(setup.status).toBe(200);
    const confirm = () =>
      api.request('POST', path('/me/totp/confirm'), { token: bobSession.accessToken, json: { code: '000000' } });
    for (let attempt = 0; attempt < 2; attempt += 1) expect((await confirm()).status).toBe(401);
    expectRateLimited(await confirm(), 900);
  });
});
