// One piece over 400 lines: one contract suite for the five accounts
// repositories that share one seeded tenant (user, device, session) and one
// fixture; each test checks one rule, and the isolation tests need them all.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeviceId, type TenantId, type UserId, deviceId, tenantId, userId } from '@coffre/protocol';
import {
  finishRepositoryContract,
  type RepositoryContractFixture,
  tenantIds,
} from '../storage/RepositoryContractFixture.ts';
import type { TenantScope } from '../storage/TenantScope.ts';
import { type AccountRepositories, accountRepositories } from './accountRepositories.ts';
import type { AccountRole } from './AccountRole.ts';
import { DeviceRepository } from './DeviceRepository.ts';
import { SecondFactorRepository } from './SecondFactorRepository.ts';
import { SessionRepository } from './SessionRepository.ts';
import { type NewUser, UserRepository } from './UserRepository.ts';

/*
 * One piece, though long: the contract every accounts-repository engine
 * (PostgreSQL, PGlite) keeps, as one vitest suite, so both engines run
 * exactly the same cases.
 */

const bytes = (length: number) => new Uint8Array(randomBytes(length));

function newUser(id: UserId, email: string, role: AccountRole = 'member'): NewUser {
  return {
    id,
    email,
    role,
    authSalt: bytes(16),
    kdf: { opsLimit: 2, memLimit: 64 * 1024 * 1024 },
    authHash: bytes(32),
    authHashSalt: bytes(32),
    keyBundle: bytes(64),
    signingPublicKey: bytes(32),
    boxPublicKey: bytes(32),
  };
}

const newDevice = (id: DeviceId, name = 'laptop') => ({
  id,
  name,
  signingPublicKey: bytes(32),
  boxPublicKey: bytes(32),
});

/**
 * The rules the accounts repositories (tenants, users, devices, sessions,
 * second factors) keep on an engine, as a vitest suite: run it once per
 * engine on a migrated database connected as the application role. Tests
 * isolate themselves with random tenant ids, so the suite can run again and
 * again against one PostgreSQL database.
 */
export function runAccountRepositoryContractTests(name: string, setup: () => Promise<RepositoryContractFixture>): void {
  describe(`Account repositories contract: ${name}`, () => {
    const prefix = `ra${randomBytes(5).toString('hex')}-`;
    const newTenantId = tenantIds(prefix, tenantId);
    let fixture: RepositoryContractFixture | undefined;
    let scope: TenantScope<AccountRepositories>;

    const ctx = (): RepositoryContractFixture => {
      if (!fixture) throw new Error('contract fixture was not set up');
      return fixture;
    };
    /** A tenant with one user (`u_alice`, alice@example.com) who has one device (`d_laptop`) and one session. */
    const seededTenant = async (label: string) => {
      const tenant = newTenantId(label);
      const user = newUser(userId('u_alice'), 'alice@example.com', 'tenant-admin');
      const tokenHash = bytes(32);
      await scope.run(tenant, async ({ tenants, users, devices, sessions }) => {
        await tenants.create(`Tenant ${label}`);
        await users.insert(user);
        await devices.insert(user.id, newDevice(deviceId('d_laptop')));
        await sessions.insert({
          hash: tokenHash,
          familyId: 's_family',
          userId: user.id,
          deviceId: deviceId('d_laptop'),
          lifetimeSeconds: 3600,
        });
      });
      return { tenant, user, tokenHash };
    };
    const countIn = async (tenant: TenantId, table: string): Promise<number> => {
      const [row] = await ctx().db.withTenant(tenant, (sql) =>
        sql.query<{ n: bigint }>(`select count(*) as n from ${table}`),
      );
      return Number(row?.n);
    };

    beforeAll(async () => {
      fixture = await setup();
      scope = accountRepositories(fixture.db);
    });
    afterAll(async () => {
      if (fixture) await finishRepositoryContract(fixture, prefix);
    });

    it('creates a tenant row once, and a tenant sees only its own row', async () => {
      const first = newTenantId('tenant');
      const second = newTenantId('tenant');
      await expect(scope.run(first, ({ tenants }) => tenants.create('First'))).resolves.toBe(true);
      await expect(scope.run(first, ({ tenants }) => tenants.create('Again'))).resolves.toBe(false);
      await expect(scope.run(first, ({ tenants }) => tenants.exists())).resolves.toBe(true);
      await expect(scope.run(first, ({ tenants }) => tenants.lock())).resolves.toBe(true);
      await expect(scope.run(second, ({ tenants }) => tenants.exists())).resolves.toBe(false);
      await expect(scope.run(second, ({ tenants }) => tenants.lock())).resolves.toBe(false);
    });

    it('reads a user by email or id, and tells whether an email is taken and whether the tenant has users', async () => {
      const tenant = newTenantId('users');
      await scope.run(tenant, ({ tenants }) => tenants.create(null));
      await expect(scope.run(tenant, ({ users }) => users.registrationState('a@example.com'))).resolves.toEqual({
        taken: false,
        hasUsers: false,
      });
      const user = newUser(userId('u_first'), 'a@example.com', 'tenant-admin');
      await scope.run(tenant, ({ users }) => users.insert(user));
      await expect(scope.run(tenant, ({ users }) => users.registrationState('a@example.com'))).resolves.toEqual({
        taken: true,
        hasUsers: true,
      });
      await expect(scope.run(tenant, ({ users }) => users.registrationState('b@example.com'))).resolves.toEqual({
        taken: false,
        hasUsers: true,
      });
      await expect(scope.run(tenant, ({ users }) => users.kdfParams('a@example.com'))).resolves.toEqual({
        auth_salt: user.authSalt,
        kdf_ops: 2,
        kdf_mem: 64 * 1024 * 1024,
      });
      const byEmail = await scope.run(tenant, ({ users }) => users.lockForLogin({ email: 'a@example.com' }));
      const byId = await scope.run(tenant, ({ users }) => users.lockForLogin({ userId: user.id }));
      expect(byEmail).toEqual(byId);
      expect(byEmail).toMatchObject({
        id: user.id,
        role: 'tenant-admin',
        auth_hash: user.authHash,
        totp_enabled: false,
      });
      await expect(scope.run(tenant, ({ users }) => users.sessionUser(user.id))).resolves.toEqual({
        id: user.id,
        role: 'tenant-admin',
        key_bundle: user.keyBundle,
        signing_public_key: user.signingPublicKey,
        box_public_key: user.boxPublicKey,
      });
      await expect(scope.run(tenant, ({ users }) => users.signingKey(user.id))).resolves.toEqual(user.signingPublicKey);
      await expect(scope.run(tenant, ({ users }) => users.exists(userId('u_nobody')))).resolves.toBe(false);
      await expect(scope.run(tenant, ({ users }) => users.kdfParams('nobody@example.com'))).resolves.toBeUndefined();
    });

    it('refuses a second user with the same email in one tenant, and rolls the transaction back', async () => {
      const { tenant } = await seededTenant('email');
      await expect(
        scope.run(tenant, ({ users }) => users.insert(newUser(userId('u_other'), 'alice@example.com'))),
      ).rejects.toThrow();
      expect(await countIn(tenant, 'users')).toBe(1);
    });

    it('lists users and a user’s devices oldest first, revoked devices included', async () => {
      const { tenant, user } = await seededTenant('lists');
      await scope.run(tenant, async ({ users, devices }) => {
        await users.insert(newUser(userId('u_bob'), 'bob@example.com'));
        await devices.insert(user.id, newDevice(deviceId('d_phone'), 'phone'));
        await expect(devices.revoke(user.id, deviceId('d_phone'))).resolves.toBe(true);
      });
      const listed = await scope.run(tenant, ({ users }) => users.list());
      expect(listed.map((row) => [row.id, row.email, row.role])).toEqual([
        ['u_alice', 'alice@example.com', 'tenant-admin'],
        ['u_bob', 'bob@example.com', 'member'],
      ]);
      const devices = await scope.run(tenant, ({ devices }) => devices.listOfUser(user.id));
      expect(devices.map((row) => [row.id, row.name, row.revoked_at !== null])).toEqual([
        ['d_laptop', 'laptop', false],
        ['d_phone', 'phone', true],
      ]);
      expect(devices[0]?.last_seen_at).toBeInstanceOf(Date);
    });

    it("revokes only the user's own device, and keeps the first revocation time", async () => {
      const { tenant, user } = await seededTenant('revoke');
      await scope.run(tenant, ({ users }) => users.insert(newUser(userId('u_bob'), 'bob@example.com')));
      await expect(
        scope.run(tenant, ({ devices }) => devices.revoke(userId('u_bob'), deviceId('d_laptop'))),
      ).resolves.toBe(false);
      await expect(scope.run(tenant, ({ devices }) => devices.revoke(user.id, deviceId('d_laptop')))).resolves.toBe(
        true,
      );
      const [first] = await scope.run(tenant, ({ devices }) => devices.listOfUser(user.id));
      await expect(scope.run(tenant, ({ devices }) => devices.revoke(user.id, deviceId('d_laptop')))).resolves.toBe(
        true,
      );
      const [again] = await scope.run(tenant, ({ devices }) => devices.listOfUser(user.id));
      expect(again?.revoked_at).toEqual(first?.revoked_at);
    });

    it('lists a device as certified only once it carries an identity signature and while it is not revoked', async () => {
      const { tenant, user } = await seededTenant('certified');
      await expect(scope.run(tenant, ({ devices }) => devices.certifiedOf([user.id]))).resolves.toEqual([]);
      const certifiable = await scope.run(tenant, ({ devices }) =>
        devices.lockForCertification(user.id, deviceId('d_laptop')),
      );
      expect(certifiable?.identity_key).toEqual(user.signingPublicKey);
      const signature = bytes(64);
      await scope.run(tenant, ({ devices }) => devices.setIdentitySignature(deviceId('d_laptop'), signature));
      const certified = await scope.run(tenant, ({ devices }) => devices.certifiedOf([user.id]));
      expect(certified.map((row) => [row.id, row.user_id, row.identity_signature])).toEqual([
        ['d_laptop', 'u_alice', signature],
      ]);
      await scope.run(tenant, ({ devices }) => devices.revoke(user.id, deviceId('d_laptop')));
      await expect(scope.run(tenant, ({ devices }) => devices.certifiedOf([user.id]))).resolves.toEqual([]);
      const past = await scope.run(tenant, ({ devices }) => devices.certifiedOf([user.id], { revoked: true }));
      expect(past.map((row) => [row.id, row.revoked, row.identity_signature])).toEqual([['d_laptop', true, signature]]);
      await expect(
        scope.run(tenant, ({ devices }) => devices.lockForCertification(user.id, deviceId('d_laptop'))),
      ).resolves.toBeUndefined();
    });

    it('reads public identities by id, by email and of the members of a document', async () => {
      const { tenant, user } = await seededTenant('identities');
      const byId = await scope.run(tenant, ({ users }) => users.publicIdentities({ userId: user.id }));
      const byEmail = await scope.run(tenant, ({ users }) => users.publicIdentities({ email: 'alice@example.com' }));
      expect(byId).toEqual([
        {
          id: user.id,
          email: 'alice@example.com',
          signing_public_key: user.signingPublicKey,
          box_public_key: user.boxPublicKey,
        },
      ]);
      expect(byEmail).toEqual(byId);
      await expect(
        scope.run(tenant, ({ users }) => users.publicIdentities({ documentId: 'no-members' })),
      ).resolves.toEqual([]);
    });

    it('finds a refresh token by its hash, marks it used, and reports the session as live until its family is revoked', async () => {
      const { tenant, user, tokenHash } = await seededTenant('refresh');
      const laptop = deviceId('d_laptop');
      await expect(scope.run(tenant, ({ sessions }) => sessions.lockForRefresh(tokenHash))).resolves.toEqual({
        family_id: 's_family',
        user_id: user.id,
        device_id: laptop,
        expired: false,
        used: false,
        revoked: false,
        device_revoked: false,
      });
      await scope.run(tenant, ({ sessions }) => sessions.markUsed(tokenHash));
      await expect(scope.run(tenant, ({ sessions }) => sessions.lockForRefresh(tokenHash))).resolves.toMatchObject({
        used: true,
      });
      await expect(scope.run(tenant, ({ sessions }) => sessions.lockForRefresh(bytes(32)))).resolves.toBeUndefined();
      await expect(scope.run(tenant, ({ sessions }) => sessions.status(user.id, laptop, 's_family'))).resolves.toEqual({
        role: 'tenant-admin',
        device_revoked: false,
        session_active: true,
      });
      // Revoking the family for another user changes nothing; for its user, it ends the session.
      await scope.run(tenant, ({ sessions }) => sessions.revokeFamily('s_family', userId('u_bob')));
      await expect(
        scope.run(tenant, ({ sessions }) => sessions.status(user.id, laptop, 's_family')),
      ).resolves.toMatchObject({
        session_active: true,
      });
      await scope.run(tenant, ({ sessions }) => sessions.revokeFamily('s_family', user.id));
      await expect(
        scope.run(tenant, ({ sessions }) => sessions.status(user.id, laptop, 's_family')),
      ).resolves.toMatchObject({
        session_active: false,
      });
    });

    it('reports a device that is not the user’s as unknown and an expired token as expired', async () => {
      const { tenant, user, tokenHash } = await seededTenant('status');
      await expect(
        scope.run(tenant, ({ sessions }) => sessions.status(user.id, deviceId('d_other'), 's_family')),
      ).resolves.toEqual({ role: 'tenant-admin', device_revoked: null, session_active: false });
      await expect(
        scope.run(tenant, ({ sessions }) => sessions.status(userId('u_nobody'), deviceId('d_laptop'), 's_family')),
      ).resolves.toBeUndefined();
      await ctx().db.withTenant(tenant, (sql) =>
        sql.query("update refresh_tokens set expires_at = now() - interval '1 s'"),
      );
      await expect(scope.run(tenant, ({ sessions }) => sessions.lockForRefresh(tokenHash))).resolves.toMatchObject({
        expired: true,
      });
    });

    it("revoking a device's tokens answers each family once and leaves the device's used tokens for replay detection", async () => {
      const { tenant, user, tokenHash } = await seededTenant('device-tokens');
      const laptop = deviceId('d_laptop');
      await scope.run(tenant, async ({ sessions }) => {
        await sessions.markUsed(tokenHash);
        await sessions.insert({
          hash: bytes(32),
          familyId: 's_family',
          userId: user.id,
          deviceId: laptop,
          lifetimeSeconds: 60,
        });
        await sessions.insert({
          hash: bytes(32),
          familyId: 's_second',
          userId: user.id,
          deviceId: laptop,
          lifetimeSeconds: 60,
        });
      });
      const families = await scope.run(tenant, ({ sessions }) => sessions.revokeDevice(laptop));
      expect(families.sort()).toEqual(['s_family', 's_second']);
      await expect(scope.run(tenant, ({ sessions }) => sessions.revokeDevice(laptop))).resolves.toEqual([]);
      // Just used is inside the retention window: a replay of the token is still recognised.
      await scope.run(tenant, ({ sessions }) => sessions.deleteExpiredUsed('s_family'));
      await expect(scope.run(tenant, ({ sessions }) => sessions.lockForRefresh(tokenHash))).resolves.toMatchObject({
        used: true,
        revoked: true,
      });
    });

    it('deletes only the used tokens of a family older than the replay window', async () => {
      const { tenant, user, tokenHash } = await seededTenant('retention');
      const fresh = bytes(32);
      await scope.run(tenant, async ({ sessions }) => {
        await sessions.markUsed(tokenHash);
        await sessions.insert({
          hash: fresh,
          familyId: 's_family',
          userId: user.id,
          deviceId: deviceId('d_laptop'),
          lifetimeSeconds: 60,
        });
      });
      await ctx().db.withTenant(tenant, (sql) =>
        sql.query("update refresh_tokens set used_at = now() - interval '2 days' where used_at is not null"),
      );
      await scope.run(tenant, ({ sessions }) => sessions.deleteExpiredUsed('s_family'));
      await expect(scope.run(tenant, ({ sessions }) => sessions.lockForRefresh(tokenHash))).resolves.toBeUndefined();
      await expect(scope.run(tenant, ({ sessions }) => sessions.lockForRefresh(fresh))).resolves.toMatchObject({
        used: false,
      });
    });

    it('turns two-factor authentication on with the pending secret, accepts each recovery code once, and turns it off', async () => {
      const { tenant, user } = await seededTenant('totp');
      await expect(scope.run(tenant, ({ secondFactors }) => secondFactors.lockSetup(user.id))).resolves.toEqual({
        email: 'alice@example.com',
        totp_enabled: false,
        totp_pending_secret: null,
      });
      await scope.run(tenant, ({ secondFactors }) => secondFactors.setPendingSecret(user.id, 'PENDINGSECRET'));
      const codes = [bytes(32), bytes(32)];
      await scope.run(tenant, ({ secondFactors }) => secondFactors.enable(user.id, 1000, codes));
      expect(await scope.run(tenant, ({ users }) => users.lockForLogin({ userId: user.id }))).toMatchObject({
        totp_enabled: true,
        totp_secret: 'PENDINGSECRET',
        totp_last_step: 1000n,
      });
      await expect(scope.run(tenant, ({ secondFactors }) => secondFactors.lockSetup(user.id))).resolves.toMatchObject({
        totp_pending_secret: null,
      });
      await scope.run(tenant, ({ secondFactors }) => secondFactors.useStep(user.id, 1001));
      expect(await scope.run(tenant, ({ users }) => users.lockForLogin({ userId: user.id }))).toMatchObject({
        totp_last_step: 1001n,
      });
      const [first] = codes;
      if (!first) throw new Error('no code');
      await expect(
        scope.run(tenant, ({ secondFactors }) => secondFactors.useRecoveryCode(user.id, first)),
      ).resolves.toBe(true);
      await expect(
        scope.run(tenant, ({ secondFactors }) => secondFactors.useRecoveryCode(user.id, first)),
      ).resolves.toBe(false);
      // Confirming a new setup replaces the codes: the old unused one no longer works.
      await scope.run(tenant, ({ secondFactors }) => secondFactors.setPendingSecret(user.id, 'NEWSECRET'));
      await scope.run(tenant, ({ secondFactors }) => secondFactors.enable(user.id, 1002, [bytes(32)]));
      await expect(
        scope.run(tenant, ({ secondFactors }) => secondFactors.useRecoveryCode(user.id, codes[1] ?? first)),
      ).resolves.toBe(false);
      await scope.run(tenant, ({ secondFactors }) => secondFactors.disable(user.id));
      expect(await countIn(tenant, 'recovery_codes')).toBe(0);
      expect(await scope.run(tenant, ({ users }) => users.lockForLogin({ userId: user.id }))).toMatchObject({
        totp_enabled: false,
        totp_secret: null,
        totp_last_step: null,
      });
    });

    it("a tenant's repositories never see another tenant's rows with the same ids", async () => {
      const a = await seededTenant('isolation-a');
      const b = await seededTenant('isolation-b');
      const inA = await scope.run(a.tenant, async ({ users, devices, sessions }) => ({
        login: await users.lockForLogin({ email: 'alice@example.com' }),
        list: await users.list(),
        devices: await devices.listOfUser(a.user.id),
        tokenOfB: await sessions.lockForRefresh(b.tokenHash),
      }));
      expect(inA.login?.auth_hash).toEqual(a.user.authHash);
      expect(inA.list).toHaveLength(1);
      expect(inA.devices).toHaveLength(1);
      expect(inA.tokenOfB).toBeUndefined();
      // Changes in A, by ids that exist in B too, leave B's rows as they were.
      await scope.run(a.tenant, async ({ devices, sessions, secondFactors }) => {
        await devices.revoke(a.user.id, deviceId('d_laptop'));
        await sessions.revokeFamily('s_family');
        await secondFactors.setPendingSecret(a.user.id, 'ASECRET');
      });
      await expect(
        scope.run(b.tenant, ({ sessions }) => sessions.status(b.user.id, deviceId('d_laptop'), 's_family')),
      ).resolves.toEqual({ role: 'tenant-admin', device_revoked: false, session_active: true });
      await expect(
        scope.run(b.tenant, ({ secondFactors }) => secondFactors.lockSetup(b.user.id)),
      ).resolves.toMatchObject({
        totp_pending_secret: null,
      });
    });

    it("under Row Level Security, a repository given another tenant's id inside a tenant's transaction sees and changes nothing", async () => {
      const a = await seededTenant('rls-a');
      const b = await seededTenant('rls-b');
      const seen = await ctx().db.withTenant(a.tenant, async (sql) => {
        const users = new UserRepository(sql, b.tenant);
        const sessions = new SessionRepository(sql, b.tenant);
        const devices = new DeviceRepository(sql, b.tenant);
        const secondFactors = new SecondFactorRepository(sql, b.tenant);
        const result = {
          list: await users.list(),
          login: await users.lockForLogin({ email: 'alice@example.com' }),
          token: await sessions.lockForRefresh(b.tokenHash),
          revokedDevice: await devices.revoke(b.user.id, deviceId('d_laptop')),
          revokedFamilies: await sessions.revokeDevice(deviceId('d_laptop')),
        };
        await secondFactors.setPendingSecret(b.user.id, 'LEAKED');
        return result;
      });
      expect(seen).toEqual({ list: [], login: undefined, token: undefined, revokedDevice: false, revokedFamilies: [] });
      await expect(
        scope.run(b.tenant, ({ sessions }) => sessions.status(b.user.id, deviceId('d_laptop'), 's_family')),
      ).resolves.toEqual({ role: 'tenant-admin', device_revoked: false, session_active: true });
      await expect(
        scope.run(b.tenant, ({ secondFactors }) => secondFactors.lockSetup(b.user.id)),
      ).resolves.toMatchObject({
        totp_pending_secret: null,
      });
      // Inserting a row for B from A's transaction is refused by the policy's WITH CHECK.
      await expect(
        ctx().db.withTenant(a.tenant, (sql) =>
          new UserRepository(sql, b.tenant).insert(newUser(userId('u_intruder'), 'x@example.com')),
        ),
      ).rejects.toThrow();
      expect(await countIn(b.tenant, 'users')).toBe(1);
    });
  });
}
