// One piece over 400 lines: the account service's behaviour on each engine,
// one describe per engine sharing the tenant helpers and the clock.
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready, randomBytes, toBase64Url } from '@coffre/crypto';
import {
  type AccessClaims,
  CoffreError,
  DeviceSchema,
  EmailSchema,
  type ErrorCode,
  MemberSchema,
  type RegisterRequest,
  RegisterRequestSchema,
  SessionResponseSchema,
  type TenantId,
  deviceId,
  tenantId,
  userId,
} from '@coffre/protocol';
import { AccountService, type Revocation } from '../../src/accounts/AccountService.ts';
import { currentTotpCode } from '../../src/accounts/totp.ts';
import { generateTokenKeys, type TokenKeys } from '../../src/auth/TokenKeys.ts';
import { TokenVerifier } from '../../src/auth/TokenVerifier.ts';
import { createDatabase } from '../../src/storage/createDatabase.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { DEFAULT_APP_ROLE } from '../../src/storage/migrations.ts';
import { PostgresDatabase } from '../../src/storage/PostgresDatabase.ts';
import type { SqlDatabase } from '../../src/storage/SqlDatabase.ts';
import { withUser } from '../storage/fixtures.ts';

interface Engine {
  name: string;
  open(): Promise<{ db: SqlDatabase; cleanup(tenants: string[]): Promise<void> }>;
}

const adminUrl = process.env.DATABASE_URL;
const engines: Engine[] = [
  {
    name: 'PGlite',
    open: async () => {
      const db = await createDatabase({ pgliteOnMainThread: true });
      return { db, cleanup: () => Promise.resolve() };
    },
  },
];
if (adminUrl) {
  engines.push({
    name: 'PostgreSQL',
    open: async () => {
      const admin = new PostgresDatabase({ connectionString: adminUrl, max: 1 });
      await migrate(admin);
      const db = new PostgresDatabase(withUser(adminUrl, DEFAULT_APP_ROLE));
      return {
        db,
        cleanup: async (tenants) => {
          await admin.withoutTenant((sql) =>
            sql.query('delete from tenants where id = any($1::text[])', [`{${tenants.join(',')}}`]),
          );
          await admin.close();
        },
      };
    },
  });
}

const key32 = () => toBase64Url(randomBytes(32));
const device = (name = 'laptop') => ({ name, signingPublicKey: key32(), boxPublicKey: key32() });

/**
 * What a client sends, as the route's schema parses it (emails normalised):
 * the service takes parsed input. `authKey` stands for the Argon2id-derived
 * key (the relay cannot tell).
 */
function registration(email: string, authKey = key32()): RegisterRequest {
  return RegisterRequestSchema.parse({
    email,
    salt: toBase64Url(randomBytes(16)),
    kdf: { opsLimit: 3, memLimit: 64 * 1024 * 1024 },
    authKey,
    keyBundle: toBase64Url(randomBytes(120)),
    signingPublicKey: key32(),
    boxPublicKey: key32(),
    device: device(),
  });
}

async function rejectionCode(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CoffreError) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

for (const engine of engines) {
  describe(`AccountService (${engine.name})`, () => {
    const run = nodeRandomBytes(4).toString('hex');
    let counter = 0;
    const createdTenants: string[] = [];
    let db: SqlDatabase;
    let cleanup: (tenants: string[]) => Promise<void>;
    let keys: TokenKeys;
    let verifier: TokenVerifier;
    let clock = Date.now();
    const revocations: Revocation[] = [];
    let accounts: AccountService;
    const serverSecret = randomBytesSync(32);

    const newTenant = async (): Promise<TenantId> => {
      const id = tenantId(`acct${run}-${++counter}`);
      createdTenants.push(id);
      await accounts.createTenant(id, `Tenant ${counter}`);
      return id;
    };
    const claimsOf = async (accessToken: string): Promise<AccessClaims> => verifier.verify(accessToken);
    const count = (tenant: TenantId, table: string) =>
      db
        .withTenant(tenant, (sql) => sql.query<{ n: bigint }>(`select count(*) as n from ${table}`))
        .then((rows) => Number(rows[0]?.n));

    beforeAll(async () => {
      await ready();
      const opened = await engine.open();
      db = opened.db;
      cleanup = (tenants) => opened.cleanup(tenants);
      keys = await generateTokenKeys();
      verifier = new TokenVerifier({ publicKey: keys.publicKey });
      accounts = new AccountService({
        database: db,
        tokenKeys: keys,
        serverSecret,
        onRevoked: (revocation) => revocations.push(revocation),
        now: () => clock,
      });
    });
    afterAll(async () => {
      await cleanup(createdTenants);
      await db.close();
    });

    it('registers the first user of a tenant as tenant-admin and the next as member', async () => {
      const tenant = await newTenant();
      const first = await accounts.register(tenant, registration('First@Example.com '));
      const second = await accounts.register(tenant, registration('second@example.com'));
      expect(SessionResponseSchema.parse(first)).toEqual(first);
      expect(first.role).toBe('tenant-admin');
      expect(second.role).toBe('member');
      expect(first.expiresIn).toBe(300);
      expect(first.refreshToken.startsWith(`${tenant}.`)).toBe(true);
      const claims = await claimsOf(first.accessToken);
      expect(claims).toEqual({
        sub: first.userId,
        tenant,
        role: 'tenant-admin',
        device: first.deviceId,
        sid: expect.any(String) as string,
      });
      const members = await accounts.authenticate(claims).then((session) => accounts.listMembers(session));
      expect(members.map((member) => [member.email, member.role])).toEqual([
        ['first@example.com', 'tenant-admin'],
        ['second@example.com', 'member'],
      ]);
      for (const member of members) expect(MemberSchema.parse(member)).toEqual(member);
    });

    it('refuses a taken email (case-insensitively) and an unknown tenant, and stores nothing', async () => {
      const tenant = await newTenant();
      await accounts.register(tenant, registration('taken@example.com'));
      const before = [
        await count(tenant, 'users'),
        await count(tenant, 'devices'),
        await count(tenant, 'refresh_tokens'),
      ];
      expect(await rejectionCode(accounts.register(tenant, registration('TAKEN@example.com')))).toBe('EMAIL_TAKEN');
      expect(await rejectionCode(accounts.register(tenantId(`nobody${run}`), registration('a@example.com')))).toBe(
        'UNKNOWN_TENANT',
      );
      const bad = { ...registration('bad@example.com'), authKey: 'too-short' };
      // Base64url of the wrong length gets past the schema's character count; decoding refuses it.
      expect(await rejectionCode(accounts.register(tenant, bad))).toBe('VALIDATION_FAILED');
      expect([
        await count(tenant, 'users'),
        await count(tenant, 'devices'),
        await count(tenant, 'refresh_tokens'),
      ]).toEqual(before);
    });

    it('answers KDF parameters of the same shape for known and unknown emails, with a stable fake salt', async () => {
      const tenant = await newTenant();
      const request = registration('known@example.com');
      await accounts.register(tenant, request);
      expect(await accounts.kdfParams(tenant, EmailSchema.parse('KNOWN@example.com'))).toEqual({
        salt: request.salt,
        kdf: request.kdf,
      });
      const unknown = await accounts.kdfParams(tenant, 'unknown@example.com');
      expect(unknown.salt).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(unknown.kdf).toEqual({ opsLimit: 2, memLimit: 64 * 1024 * 1024 });
      expect(await accounts.kdfParams(tenant, 'unknown@example.com')).toEqual(unknown);
      expect((await accounts.kdfParams(tenant, 'other@example.com')).salt).not.toBe(unknown.salt);
      const otherTenant = await newTenant();
      expect((await accounts.kdfParams(otherTenant, 'unknown@example.com')).salt).not.toBe(unknown.salt);
      const otherRelay = new AccountService({ database: db, tokenKeys: keys, serverSecret: randomBytesSync(32) });
      expect((await otherRelay.kdfParams(tenant, 'unknown@example.com')).salt).not.toBe(unknown.salt);
      expect(await rejectionCode(accounts.kdfParams(tenantId(`nobody${run}`), 'a@example.com'))).toBe('UNKNOWN_TENANT');
    });

    it('logs in with the right key, and refuses a wrong key and an unknown email alike', async () => {
      const tenant = await newTenant();
      const request = registration('login@example.com');
      const registered = await accounts.register(tenant, request);
      const session = await accounts.login(tenant, {
        email: 'login@example.com',
        authKey: request.authKey,
        device: device('phone'),
      });
      expect(session.userId).toBe(registered.userId);
      expect(session.deviceId).not.toBe(registered.deviceId);
      expect(session.keyBundle).toBe(request.keyBundle);
      const devicesBefore = await count(tenant, 'devices');
      expect(
        await rejectionCode(accounts.login(tenant, { email: 'login@example.com', authKey: key32(), device: device() })),
      ).toBe('INVALID_CREDENTIALS');
      expect(
        await rejectionCode(
          accounts.login(tenant, { email: 'nobody@example.com', authKey: key32(), device: device() }),
        ),
      ).toBe('INVALID_CREDENTIALS');
      expect(await count(tenant, 'devices')).toBe(devicesBefore);
    });

    it('stores a keyed hash of the auth key, never the key itself', async () => {
      const tenant = await newTenant();
      const request = registration('hash@example.com');
      await accounts.register(tenant, request);
      const [row] = await db.withTenant(tenant, (sql) =>
        sql.query<{ auth_hash: Uint8Array; auth_hash_salt: Uint8Array }>('select auth_hash, auth_hash_salt from users'),
      );
      expect(row?.auth_hash.byteLength).toBe(32);
      expect(toBase64Url(row?.auth_hash ?? new Uint8Array())).not.toBe(request.authKey);
      const tokens = await db.withTenant(tenant, (sql) =>
        sql.query<{ token_hash: Uint8Array }>('select token_hash from refresh_tokens'),
      );
      expect(tokens).toHaveLength(1);
    });

    describe('two-factor authentication', () => {
      let tenant: TenantId;
      let request: RegisterRequest;
      let secret: string;
      let recoveryCodes: string[];
      const login = (extra: { totp?: string; recoveryCode?: string } = {}) =>
        accounts.login(tenant, { email: request.email, authKey: request.authKey, device: device(), ...extra });

      beforeAll(async () => {
        tenant = await newTenant();
        request = registration('totp@example.com');
        const registered = await accounts.register(tenant, request);
        const session = await accounts.authenticate(await claimsOf(registered.accessToken));
        const setup = await accounts.totpSetup(session);
        secret = setup.secret;
        expect(setup.uri).toMatch(/^otpauth:\/\/totp\//);
        expect(setup.uri).toContain(`secret=${secret}`);
        expect(await rejectionCode(accounts.totpConfirm(session, '000000'))).toBe('INVALID_SECOND_FACTOR');
        ({ recoveryCodes } = await accounts.totpConfirm(session, currentTotpCode(secret, clock)));
        expect(await rejectionCode(accounts.totpSetup(session))).toBe('TWO_FACTOR_ALREADY_ENABLED');
      });

      it('hands out 10 distinct recovery codes, stored only as hashes', async () => {
        expect(recoveryCodes).toHaveLength(10);
        expect(new Set(recoveryCodes).size).toBe(10);
        for (const code of recoveryCodes) expect(code).toMatch(/^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$/);
        const rows = await db.withTenant(tenant, (sql) =>
          sql.query<{ code_hash: Uint8Array }>('select code_hash from recovery_codes'),
        );
        expect(rows).toHaveLength(10);
        const stored = rows.map((row) => Buffer.from(row.code_hash).toString('latin1')).join('\n');
        for (const code of recoveryCodes) expect(stored).not.toContain(code);
      });

      it('needs a second factor to log in, and issues nothing without a valid one', async () => {
        const before = await count(tenant, 'refresh_tokens');
        expect(await rejectionCode(login())).toBe('SECOND_FACTOR_REQUIRED');
        expect(await rejectionCode(login({ totp: '123456' }))).toBe('INVALID_SECOND_FACTOR');
        expect(await rejectionCode(login({ recoveryCode: 'aaaa-bbbb-cccc' }))).toBe('INVALID_SECOND_FACTOR');
        expect(await count(tenant, 'refresh_tokens')).toBe(before);
      });

      it('accepts a TOTP code once', async () => {
        clock += 30_000;
        const code = currentTotpCode(secret, clock);
        await expect(login({ totp: code })).resolves.toMatchObject({ role: 'tenant-admin' });
        expect(await rejectionCode(login({ totp: code }))).toBe('INVALID_SECOND_FACTOR');
      });

      it('accepts a recovery code once', async () => {
        const [code] = recoveryCodes;
        await expect(login({ recoveryCode: code })).resolves.toMatchObject({ role: 'tenant-admin' });
        expect(await rejectionCode(login({ recoveryCode: code }))).toBe('INVALID_SECOND_FACTOR');
      });

      it('turns off with a recovery code, after which the password alone logs in', async () => {
        const session = await accounts.authenticate(
          await claimsOf((await login({ recoveryCode: recoveryCodes[1] })).accessToken),
        );
        expect(await rejectionCode(accounts.totpDisable(session, { code: '000000' }))).toBe('INVALID_SECOND_FACTOR');
        await accounts.totpDisable(session, { recoveryCode: recoveryCodes[2] });
        await expect(login()).resolves.toMatchObject({ role: 'tenant-admin' });
        expect(await count(tenant, 'recovery_codes')).toBe(0);
        expect(await rejectionCode(accounts.totpDisable(session, { code: '000000' }))).toBe('NOT_FOUND');
      });
    });

    describe('sessions', () => {
      it('rotates refresh tokens, and a reused one revokes the whole family', async () => {
        const tenant = await newTenant();
        const first = await accounts.register(tenant, registration('refresh@example.com'));
        const second = await accounts.refresh(tenant, first.refreshToken);
        expect(second.refreshToken).not.toBe(first.refreshToken);
        expect((await claimsOf(second.accessToken)).sid).toBe((await claimsOf(first.accessToken)).sid);
        const third = await accounts.refresh(tenant, second.refreshToken);
        revocations.length = 0;
        expect(await rejectionCode(accounts.refresh(tenant, first.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
        expect(revocations).toEqual([
          { tenant, sessions: [(await claimsOf(first.accessToken)).sid], devices: [], reason: 'REFRESH_TOKEN_REUSED' },
        ]);
        expect(await rejectionCode(accounts.refresh(tenant, third.refreshToken))).toBe('TOKEN_REVOKED');
        expect(await rejectionCode(accounts.authenticate(await claimsOf(third.accessToken)))).toBe('TOKEN_REVOKED');
      });

      it('refuses unknown, foreign and expired refresh tokens', async () => {
        const tenant = await newTenant();
        const other = await newTenant();
        const session = await accounts.register(tenant, registration('expired@example.com'));
        expect(await rejectionCode(accounts.refresh(tenant, `${tenant}.${key32()}`))).toBe('UNAUTHENTICATED');
        expect(await rejectionCode(accounts.refresh(other, session.refreshToken))).toBe('UNAUTHENTICATED');
        await db.withTenant(tenant, (sql) =>
          sql.query("update refresh_tokens set expires_at = now() - interval '1 s'"),
        );
        expect(await rejectionCode(accounts.refresh(tenant, session.refreshToken))).toBe('TOKEN_EXPIRED');
      });

      it('logs out: the session family is revoked and its access token refused', async () => {
        const tenant = await newTenant();
        const request = registration('logout@example.com');
        const registered = await accounts.register(tenant, request);
        const other = await accounts.login(tenant, {
          email: request.email,
          authKey: request.authKey,
          device: device(),
        });
        const claims = await claimsOf(registered.accessToken);
        revocations.length = 0;
        await accounts.logout(await accounts.authenticate(claims));
        expect(revocations).toEqual([{ tenant, sessions: [claims.sid], devices: [], reason: 'TOKEN_REVOKED' }]);
        expect(await rejectionCode(accounts.authenticate(claims))).toBe('TOKEN_REVOKED');
        expect(await rejectionCode(accounts.refresh(tenant, registered.refreshToken))).toBe('TOKEN_REVOKED');
        await expect(accounts.authenticate(await claimsOf(other.accessToken))).resolves.toMatchObject({
          role: 'tenant-admin',
        });
      });

      it('refuses tokens without a session (development tokens) and of unknown users', async () => {
        const tenant = await newTenant();
        const claims: AccessClaims = { sub: userId('u_nobody'), tenant, role: 'member', device: deviceId('d_nothing') };
        expect(await rejectionCode(accounts.authenticate(claims))).toBe('UNAUTHENTICATED');
        expect(await rejectionCode(accounts.authenticate({ ...claims, sid: 's_nothing' }))).toBe('UNAUTHENTICATED');
      });
    });

    describe('devices', () => {
      it("lists the user's devices and revokes one with its sessions", async () => {
        const tenant = await newTenant();
        const request = registration('devices@example.com');
        const laptop = await accounts.register(tenant, request);
        const phone = await accounts.login(tenant, {
          email: request.email,
          authKey: request.authKey,
          device: device('phone'),
        });
        const session = await accounts.authenticate(await claimsOf(laptop.accessToken));
        const devices = await accounts.listDevices(session);
        expect(devices.map((entry) => [entry.id, entry.name, entry.current, entry.revokedAt])).toEqual([
          [laptop.deviceId, 'laptop', true, null],
          [phone.deviceId, 'phone', false, null],
        ]);
        for (const entry of devices) expect(DeviceSchema.parse(entry)).toEqual(entry);
        revocations.length = 0;
        await accounts.revokeDevice(session, deviceId(phone.deviceId));
        const phoneClaims = await claimsOf(phone.accessToken);
        expect(revocations).toEqual([
          { tenant, sessions: [phoneClaims.sid], devices: [phone.deviceId], reason: 'DEVICE_REVOKED' },
        ]);
        expect(await rejectionCode(accounts.authenticate(phoneClaims))).toBe('DEVICE_REVOKED');
        expect(await rejectionCode(accounts.refresh(tenant, phone.refreshToken))).toBe('DEVICE_REVOKED');
        expect((await accounts.listDevices(session))[1]?.revokedAt).toEqual(expect.any(String));
        await expect(accounts.refresh(tenant, laptop.refreshToken)).resolves.toMatchObject({
          deviceId: laptop.deviceId,
        });
      });

      it("answers NOT_FOUND for an unknown device and for another user's device", async () => {
        const tenant = await newTenant();
        const alice = await accounts.register(tenant, registration('alice@example.com'));
        const bob = await accounts.register(tenant, registration('bob@example.com'));
        const session = await accounts.authenticate(await claimsOf(alice.accessToken));
        expect(await rejectionCode(accounts.revokeDevice(session, deviceId('d_unknown')))).toBe('NOT_FOUND');
        expect(await rejectionCode(accounts.revokeDevice(session, deviceId(bob.deviceId)))).toBe('NOT_FOUND');
        await expect(accounts.authenticate(await claimsOf(bob.accessToken))).resolves.toMatchObject({ role: 'member' });
      });
    });

    it('lists members for tenant-admins only', async () => {
      const tenant = await newTenant();
      await accounts.register(tenant, registration('admin@example.com'));
      const member = await accounts.register(tenant, registration('member@example.com'));
      const session = await accounts.authenticate(await claimsOf(member.accessToken));
      expect(await rejectionCode(accounts.listMembers(session))).toBe('FORBIDDEN');
    });
  });
}

function randomBytesSync(length: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(length));
}
