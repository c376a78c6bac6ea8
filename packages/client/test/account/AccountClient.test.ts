import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ready } from '@coffre/crypto';
import { ERROR_MESSAGES } from '@coffre/protocol';
import {
  AccountClient,
  type AccountClientOptions,
  type SharedSessionStore,
  type VaultKeyMaterial,
} from '../../src/account/AccountClient.ts';
import { AccountError, CLIENT_ERROR_MESSAGES } from '../../src/account/AccountError.ts';
import { type AccountKeyDerivation, deriveAccountKeys } from '../../src/account/deriveAccountKeys.ts';
import { Session } from '../../src/account/Session.ts';
import { FAKE_TOTP_CODE, FakeRelay, error, json } from './FakeRelay.ts';

const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };
const PASSWORD = 'correct horse battery staple';
const BASE = 'http://relay.test';

/** Runs `attempt` and returns the AccountError it rejected with (fails the test otherwise). */
async function rejection(attempt: Promise<unknown>): Promise<AccountError> {
  try {
    await attempt;
  } catch (caught) {
    expect(caught).toBeInstanceOf(AccountError);
    return caught as AccountError;
  }
  throw new Error('expected the call to reject');
}

describe('AccountClient', () => {
  let now: number;
  let relay: FakeRelay;
  const client = (options: Partial<AccountClientOptions> = {}) =>
    new AccountClient({
      baseUrl: BASE,
      fetch: relay.fetch,
      kdfParameters: FAST,
      minimumKdfParameters: FAST,
      now: () => now,
      ...options,
    });

  beforeAll(async () => {
    await ready();
  });

  beforeEach(() => {
    now = Date.parse('2026-11-21T10:00:00Z');
    relay = new FakeRelay(() => now);
  });

  describe('registration and login', () => {
    it('logs in on a second device with the password and opens the same identity keys', async () => {
      const first = client();
      const registered = await first.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      const second = client();
      const loggedIn = await second.login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' });

      expect(loggedIn.identity).toEqual(registered.identity);
      expect(loggedIn.userId).toBe(registered.userId);
      expect(loggedIn.deviceId).not.toBe(registered.deviceId);
      expect(loggedIn.device.signing.publicKey).not.toEqual(registered.device.signing.publicKey);
    });

    it('hands the same local vault key to register and login, with the salt that derives it again, and never sends it', async () => {
      const received: VaultKeyMaterial[] = [];
      await client().register('acme', 'alice@acme.test', PASSWORD, 'laptop', {
        onVaultKey: (material) => received.push(material),
      });
      await client().login('acme', 'alice@acme.test', PASSWORD, {
        deviceName: 'phone',
        onVaultKey: (material) => received.push(material),
      });
      const [registered, loggedIn] = received;
      expect(registered?.vaultKey).toHaveLength(32);
      expect(loggedIn?.vaultKey).toEqual(registered?.vaultKey);
      expect(loggedIn?.salt).toEqual(registered?.salt);
      expect(loggedIn?.kdf).toEqual(FAST);
      expect(deriveAccountKeys(PASSWORD, loggedIn!.salt, loggedIn!.kdf).vaultKey).toEqual(loggedIn?.vaultKey);
      const sent = JSON.stringify(relay.requests.map((request) => request.body));
      expect(sent).not.toContain(Buffer.from(registered!.vaultKey).toString('base64url'));
    });

    it('derives the keys with the injected derivation at registration and login, from the account salt and parameters', async () => {
      const calls: { salt: Uint8Array; parameters: unknown }[] = [];
      const deriveKeys: AccountKeyDerivation = (password, salt, parameters) => {
        calls.push({ salt, parameters });
        return Promise.resolve(deriveAccountKeys(password, salt, parameters));
      };
      const received: VaultKeyMaterial[] = [];
      const registered = await client({ deriveKeys }).register('acme', 'alice@acme.test', PASSWORD, 'laptop', {
        onVaultKey: (material) => received.push(material),
      });
      const loggedIn = await client({ deriveKeys }).login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' });

      expect(calls).toHaveLength(2);
      expect(calls[0]?.salt).toEqual(received[0]?.salt);
      expect(calls[1]?.salt).toEqual(received[0]?.salt);
      expect(calls.map((call) => call.parameters)).toEqual([FAST, FAST]);
      expect(loggedIn.identity).toEqual(registered.identity);
    });

    it('hands over no vault key when the password is wrong', async () => {
      await client().register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      const onVaultKey = vi.fn();
      await rejection(client().login('acme', 'alice@acme.test', 'wrong', { deviceName: 'phone', onVaultKey }));
      expect(onVaultKey).not.toHaveBeenCalled();
    });

    it('never sends the password, the wrapping key or a private key', async () => {
      const account = client();
      const session = await account.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      await client().login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' });
      const sent = JSON.stringify(relay.requests.map((request) => request.body));
      expect(sent).not.toContain(PASSWORD);
      const secrets = [
        session.identity.signing.secretKey,
        session.identity.box.secretKey,
        session.device.box.secretKey,
      ];
      for (const secret of secrets) expect(sent).not.toContain(Buffer.from(secret).toString('base64url'));
    });

    it('normalises the email, so a differently written address logs in to the same account', async () => {
      await client().register('acme', '  Alice@ACME.test ', PASSWORD, 'laptop');
      const session = await client().login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' });
      expect(session.email).toBe('alice@acme.test');
    });

    it('rejects a wrong password with INVALID_CREDENTIALS and its sentence', async () => {
      await client().register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      const failure = await rejection(client().login('acme', 'alice@acme.test', 'wrong', { deviceName: 'phone' }));
      expect(failure.code).toBe('INVALID_CREDENTIALS');
      expect(failure.message).toBe(ERROR_MESSAGES.INVALID_CREDENTIALS);
      expect(failure.status).toBe(401);
    });

    it('asks for the second factor once it is on, and accepts a current code', async () => {
      const first = client();
      await first.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      const setup = await first.setupTotp();
      expect(setup.uri).toMatch(/^otpauth:\/\//);
      expect(await first.confirmTotp(FAKE_TOTP_CODE)).toHaveLength(10);

      const missing = await rejection(client().login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' }));
      expect(missing.code).toBe('SECOND_FACTOR_REQUIRED');
      const wrong = await rejection(
        client().login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone', totp: '000000' }),
      );
      expect(wrong.code).toBe('INVALID_SECOND_FACTOR');
      const session = await client().login('acme', 'alice@acme.test', PASSWORD, {
        deviceName: 'phone',
        totp: FAKE_TOTP_CODE,
      });
      expect(session.email).toBe('alice@acme.test');
    });

    it('refuses weaker Argon2id parameters from the relay before sending anything derived from the password', async () => {
      await client().register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      const strict = client({ minimumKdfParameters: { opsLimit: 2, memLimit: 64 * 1024 * 1024 } });
      const failure = await rejection(strict.login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' }));
      expect(failure.code).toBe('WEAK_KDF_PARAMETERS');
      expect(failure.message).toBe(CLIENT_ERROR_MESSAGES.WEAK_KDF_PARAMETERS);
      expect(relay.calls('POST', '/sessions')).toHaveLength(0);
    });

    it('rejects a login whose key bundle belongs to another account', async () => {
      await client().register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      await client().register('acme', 'bob@acme.test', PASSWORD, 'laptop');
      const alice = relay.userByEmail('acme', 'alice@acme.test');
      const bob = relay.userByEmail('acme', 'bob@acme.test');
      if (!alice || !bob) throw new Error('users missing');
      // A relay that hands Bob's bundle (and keys) to Alice's login.
      Object.assign(alice, {
        keyBundle: bob.keyBundle,
        signingPublicKey: bob.signingPublicKey,
        boxPublicKey: bob.boxPublicKey,
      });
      const failure = await rejection(client().login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' }));
      expect(failure.code).toBe('KEY_BUNDLE_INVALID');
    });

    it('rejects a login where the relay announces other identity public keys than the bundle holds', async () => {
      await client().register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      await client().register('acme', 'mallory@acme.test', PASSWORD, 'laptop');
      const alice = relay.userByEmail('acme', 'alice@acme.test');
      const mallory = relay.userByEmail('acme', 'mallory@acme.test');
      if (!alice || !mallory) throw new Error('users missing');
      alice.boxPublicKey = mallory.boxPublicKey;
      const failure = await rejection(client().login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' }));
      expect(failure.code).toBe('KEY_BUNDLE_INVALID');
    });

    it('validates the tenant and email before any request', async () => {
      const account = client();
      expect((await rejection(account.register('../x', 'alice@acme.test', PASSWORD, 'laptop'))).code).toBe(
        'VALIDATION_FAILED',
      );
      expect((await rejection(account.register('acme', 'not an email', PASSWORD, 'laptop'))).code).toBe(
        'VALIDATION_FAILED',
      );
      expect((await rejection(account.register('acme', 'alice@acme.test', '', 'laptop'))).code).toBe(
        'VALIDATION_FAILED',
      );
      expect(relay.requests).toHaveLength(0);
    });
  });

  describe('error mapping', () => {
    it('maps a relay error body to its code, sentence and detail', async () => {
      relay.intercept = () => error(409, 'EMAIL_TAKEN', 'alice@acme.test is taken');
      const failure = await rejection(client().register('acme', 'alice@acme.test', PASSWORD, 'laptop'));
      expect(failure.code).toBe('EMAIL_TAKEN');
      expect(failure.message).toBe(ERROR_MESSAGES.EMAIL_TAKEN);
      expect(failure.detail).toBe('alice@acme.test is taken');
      expect(failure.status).toBe(409);
    });

    it('maps an unknown tenant to UNKNOWN_TENANT', async () => {
      const failure = await rejection(client().register('initech', 'alice@acme.test', PASSWORD, 'laptop'));
      expect(failure.code).toBe('UNKNOWN_TENANT');
    });

    it('maps rate limiting to RATE_LIMITED with the Retry-After delay', async () => {
      relay.intercept = () =>
        json(429, { error: { code: 'RATE_LIMITED', message: 'slow down' } }, { 'retry-after': '30' });
      const failure = await rejection(client().login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' }));
      expect(failure.code).toBe('RATE_LIMITED');
      expect(failure.retryAfterSeconds).toBe(30);
    });

    it('falls back to the HTTP status for a body that is not an error body or names an unknown code', async () => {
      relay.intercept = () => new Response('<html>Bad gateway</html>', { status: 502 });
      expect((await rejection(client().login('acme', 'a@acme.test', PASSWORD, { deviceName: 'x' }))).code).toBe(
        'INTERNAL',
      );
      relay.intercept = () => json(403, { error: { code: 'SOMETHING_NEW', message: 'new' } });
      const unknown = await rejection(client().login('acme', 'a@acme.test', PASSWORD, { deviceName: 'x' }));
      expect(unknown.code).toBe('FORBIDDEN');
      expect(unknown.detail).toBe('new');
    });

    it('turns a network failure into RELAY_UNREACHABLE, never a raw fetch error', async () => {
      const account = client({
        fetch: () => Promise.reject(new TypeError('fetch failed')),
      });
      const failure = await rejection(account.login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' }));
      expect(failure.code).toBe('RELAY_UNREACHABLE');
      expect(failure.message).toBe(CLIENT_ERROR_MESSAGES.RELAY_UNREACHABLE);
      expect(failure.cause).toBeInstanceOf(TypeError);
    });

    it('turns a success body outside the contract into INVALID_RESPONSE', async () => {
      relay.intercept = (request) =>
        request.path.endsWith('/kdf') ? json(200, { salt: 'short', kdf: {} }) : undefined;
      const failure = await rejection(client().login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' }));
      expect(failure.code).toBe('INVALID_RESPONSE');
      relay.intercept = (request) =>
        request.path.endsWith('/kdf') ? new Response('not json', { status: 200 }) : undefined;
      expect((await rejection(client().login('acme', 'a@acme.test', PASSWORD, { deviceName: 'x' }))).code).toBe(
        'INVALID_RESPONSE',
      );
    });

    it('says UNAUTHENTICATED when asked for a token before signing in', async () => {
      expect((await rejection(client().getAccessToken())).code).toBe('UNAUTHENTICATED');
      expect((await rejection(client().listDevices())).code).toBe('UNAUTHENTICATED');
    });
  });

  describe('tokens', () => {
    it('returns the current access token while it is fresh, without asking the relay', async () => {
      const account = client();
      const session = await account.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      const before = relay.requests.length;
      expect(await account.getAccessToken()).toBe(session.accessToken);
      now += 60_000;
      expect(await account.getAccessToken()).toBe(session.accessToken);
      expect(relay.requests).toHaveLength(before);
    });

    it('refreshes before expiry, rotating the refresh token and reporting the new session', async () => {
      const changes: (Session | null)[] = [];
      const account = client({ onSessionChange: (session) => void changes.push(session) });
      const session = await account.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      now = session.accessTokenExpiresAt - 10_000; // inside the 30 s margin
      const token = await account.getAccessToken();

      expect(token).not.toBe(session.accessToken);
      expect(relay.calls('POST', '/sessions/refresh')).toHaveLength(1);
      expect(account.session?.refreshToken).not.toBe(session.refreshToken);
      expect(changes.at(-1)).toBe(account.session);
      expect(account.session?.identity).toBe(session.identity);
    });

    it('shares one refresh between concurrent callers (single flight)', async () => {
      const account = client();
      const session = await account.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      now = session.accessTokenExpiresAt + 1;
      let release = () => {};
      relay.refreshGate = new Promise((resolve) => (release = resolve));
      const tokens = Promise.all([
        account.getAccessToken(),
        account.getAccessToken(),
        account.refresh().then((next) => next.accessToken),
        account.listDevices().then(() => account.getAccessToken()),
        account.getAccessToken(),
      ]);
      await vi.waitFor(() => expect(relay.calls('POST', '/sessions/refresh')).toHaveLength(1));
      release();
      const results = await tokens;

      expect(new Set(results).size).toBe(1);
      expect(relay.calls('POST', '/sessions/refresh')).toHaveLength(1);
      expect(relay.calls('GET', '/me/devices')[0]?.authorization).toBe(`Bearer ${results[0]}`);
    });

    it('refreshes and retries once when the relay answers TOKEN_EXPIRED early', async () => {
      const account = client();
      await account.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      relay.expireAccessTokens();
      const devices = await account.listDevices();

      expect(devices).toHaveLength(1);
      expect(devices[0]?.current).toBe(true);
      expect(relay.calls('POST', '/sessions/refresh')).toHaveLength(1);
      expect(relay.calls('GET', '/me/devices')).toHaveLength(2);
    });

    it('refreshes on a timer before expiry when autoRefresh is on', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const account = client({ autoRefresh: true });
        const session = await account.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
        now = session.accessTokenExpiresAt - 30_000;
        await vi.advanceTimersByTimeAsync(600_000 - 30_000);
        await vi.waitFor(() => expect(account.session?.accessToken).not.toBe(session.accessToken));
        expect(relay.calls('POST', '/sessions/refresh')).toHaveLength(1);
        account.close();
      } finally {
        vi.useRealTimers();
      }
    });

    it('two clients sharing a stored session refresh once between them instead of reusing the token', async () => {
      const original = await client().register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      let stored: Session | null = original;
      let queue = Promise.resolve();
      const sharedSession: SharedSessionStore = {
        withLock: <T>(task: () => Promise<T>) => {
          const run = queue.then(task);
          queue = run.then(
            () => undefined,
            () => undefined,
          );
          return run;
        },
        read: () => Promise.resolve(stored),
      };
      const process = () =>
        client({
          session: Session.fromJSON(original.toJSON()),
          sharedSession,
          onSessionChange: (session) => void (stored = session),
        });
      const [first, second] = [process(), process()];
      now = original.accessTokenExpiresAt + 1;
      const [tokenA, tokenB] = await Promise.all([first.getAccessToken(), second.getAccessToken()]);

      expect(tokenA).toBe(tokenB);
      expect(relay.calls('POST', '/sessions/refresh')).toHaveLength(1);
      expect(second.session?.refreshToken).toBe(first.session?.refreshToken);
      expect(await second.listDevices()).toHaveLength(1);
    });

    it('ends the session when a refresh token is used twice, on both copies', async () => {
      const original = client();
      const session = await original.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      const copy = client({ session: Session.fromJSON(JSON.parse(JSON.stringify(session.toJSON()))) });
      await original.refresh();
      const reused = await rejection(copy.refresh());
      expect(reused.code).toBe('REFRESH_TOKEN_REUSED');
      expect(reused.message).toBe(ERROR_MESSAGES.REFRESH_TOKEN_REUSED);
      expect(copy.session).toBeNull();
      expect((await rejection(copy.getAccessToken())).code).toBe('REFRESH_TOKEN_REUSED');
      // The whole family is revoked: the legitimate copy is signed out too.
      expect((await rejection(original.refresh())).code).toBe('TOKEN_REVOKED');
      expect(original.session).toBeNull();
    });
  });

  describe('logout, devices and members', () => {
    it('logout revokes the session on the relay and makes getAccessToken fail with TOKEN_REVOKED', async () => {
      const changes: (Session | null)[] = [];
      const account = client({ onSessionChange: (session) => void changes.push(session) });
      const session = await account.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      const saved = session.toJSON();
      await account.logout();

      expect(relay.calls('DELETE', '/sessions/current')[0]?.authorization).toBe(`Bearer ${session.accessToken}`);
      expect(changes.at(-1)).toBeNull();
      const failure = await rejection(account.getAccessToken());
      expect(failure.code).toBe('TOKEN_REVOKED');
      expect(failure.message).toBe(ERROR_MESSAGES.TOKEN_REVOKED);
      // A copy of the session kept elsewhere is dead too.
      const copy = client({ session: Session.fromJSON(saved) });
      expect((await rejection(copy.listDevices())).code).toBe('TOKEN_REVOKED');
      expect(copy.session).toBeNull();
    });

    it('logout forgets the session even when the relay cannot be reached, and says so', async () => {
      const account = client();
      await account.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      relay.intercept = () => new Response('down', { status: 503 });
      expect((await rejection(account.logout())).code).toBe('INTERNAL');
      expect(account.session).toBeNull();
      expect((await rejection(account.getAccessToken())).code).toBe('TOKEN_REVOKED');
    });

    it('lists devices with the current one marked and revokes another', async () => {
      const laptop = client();
      await laptop.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      const phone = client();
      const phoneSession = await phone.login('acme', 'alice@acme.test', PASSWORD, { deviceName: 'phone' });
      const devices = await laptop.listDevices();
      expect(devices.map((device) => [device.name, device.current])).toEqual([
        ['laptop', true],
        ['phone', false],
      ]);

      await laptop.revokeDevice(phoneSession.deviceId);
      const failure = await rejection(phone.listDevices());
      expect(failure.code).toBe('DEVICE_REVOKED');
      expect(phone.session).toBeNull();
      expect((await laptop.listDevices()).find((device) => device.name === 'phone')?.revokedAt).not.toBeNull();
    });

    it('lists members for a tenant admin and maps FORBIDDEN for a member', async () => {
      const admin = client();
      await admin.register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      const member = client();
      await member.register('acme', 'bob@acme.test', PASSWORD, 'laptop');
      expect((await admin.listMembers()).map((entry) => [entry.email, entry.role])).toEqual([
        ['alice@acme.test', 'tenant-admin'],
        ['bob@acme.test', 'member'],
      ]);
      const failure = await rejection(member.listMembers());
      expect(failure.code).toBe('FORBIDDEN');
      expect(member.session).not.toBeNull();
    });
  });

  describe('Session', () => {
    it('survives a JSON round trip with its keys and tokens', async () => {
      const session = await client().register('acme', 'alice@acme.test', PASSWORD, 'laptop');
      const restored = Session.fromJSON(JSON.parse(JSON.stringify(session)));
      expect(restored).toEqual(session);
      const account = client({ session: restored });
      expect(await account.getAccessToken()).toBe(session.accessToken);
    });

    it('refuses a saved session that is not one, with UNAUTHENTICATED', () => {
      for (const value of [null, {}, { format: 'coffre-session/0' }, 'text']) {
        expect(() => Session.fromJSON(value)).toThrow(AccountError);
      }
    });
  });

  afterEach(() => {
    relay.intercept = null;
  });
});
