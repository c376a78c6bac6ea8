import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Session, createDeviceKeys, createIdentity, deriveAccountKeys, type VaultKeyMaterial } from '@coffre/client';
import { generatePasswordSalt, ready } from '@coffre/crypto';
import { deviceId, tenantId, userId } from '@coffre/protocol';
import { KeyValueDatabase } from '../src/session/KeyValueDatabase.ts';
import { SessionVault, WrongPasswordError } from '../src/session/SessionVault.ts';

const PASSWORD = 'correct horse battery staple';
const FAST = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };

function newSession(email = 'alice@acme.test'): Session {
  return new Session({
    tenant: tenantId('acme'),
    email,
    userId: userId('user-1'),
    deviceId: deviceId('device-1'),
    role: 'member',
    accessToken: 'access-token-never-stored-in-the-clear',
    accessTokenExpiresAt: Date.now() + 300_000,
    refreshToken: 'refresh-token-never-stored-in-the-clear',
    identity: createIdentity(),
    device: createDeviceKeys(),
  });
}

/** What sign-in hands over: the vault key and the salt and parameters that derive it again. */
function material(password = PASSWORD): VaultKeyMaterial {
  const salt = generatePasswordSalt();
  const { vaultKey } = deriveAccountKeys(password, salt, FAST);
  return { vaultKey, salt, kdf: FAST };
}

let databases = 0;
async function openVault(): Promise<{ vault: SessionVault; name: string }> {
  const name = `coffre-web-test-${(databases += 1)}`;
  return { vault: await SessionVault.open(name), name };
}

/** Everything in the vault's IndexedDB, bytes as latin1 text, to look for secrets in the clear. */
async function dump(name: string): Promise<string> {
  const database = await KeyValueDatabase.open(name, 'device');
  const value = await database.get<Record<string, unknown>>('session');
  database.close();
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner instanceof Uint8Array ? Buffer.from(inner).toString('latin1') : inner,
  );
}

describe('SessionVault', () => {
  beforeAll(async () => {
    await ready();
  });

  it('opens the saved session with the account password alone, with no network', async () => {
    const { vault } = await openVault();
    const session = newSession();
    await vault.save(session, material(), { remember: false });

    expect(await vault.locked()).toEqual({ tenant: 'acme', email: 'alice@acme.test' });
    const unlocked = await vault.unlock(PASSWORD);
    expect(unlocked.session.toJSON()).toEqual(session.toJSON());
    expect(unlocked.vaultKey).toHaveLength(32);
  });

  it('refuses another password with WrongPasswordError', async () => {
    const { vault } = await openVault();
    await vault.save(newSession(), material(), { remember: false });
    await expect(vault.unlock('not the password')).rejects.toBeInstanceOf(WrongPasswordError);
  });

  it('keeps no token, private key or password readable in IndexedDB', async () => {
    const { vault, name } = await openVault();
    const session = newSession();
    await vault.save(session, material(), { remember: false });
    const stored = await dump(name);
    const secrets = [
      session.accessToken,
      session.refreshToken,
      PASSWORD,
      Buffer.from(session.identity.box.secretKey).toString('latin1'),
      Buffer.from(session.identity.signing.secretKey).toString('base64url'),
      Buffer.from(session.device.box.secretKey).toString('base64url'),
    ];
    for (const secret of secrets) expect(stored).not.toContain(secret);
    expect(stored).not.toContain('SecretKey');
  });

  it('does not open a sealed session copied under another account', async () => {
    const { vault, name } = await openVault();
    const keys = material();
    await vault.save(newSession('alice@acme.test'), keys, { remember: false });
    const database = await KeyValueDatabase.open(name, 'device');
    const record = await database.get<Record<string, unknown>>('session');
    await database.put('session', { ...record, email: 'mallory@acme.test' });
    database.close();
    await expect(vault.unlock(PASSWORD)).rejects.toBeInstanceOf(WrongPasswordError);
  });

  it('seals the refreshed session again, and another tab reads it with the same vault key', async () => {
    const { vault, name } = await openVault();
    const keys = material();
    const session = newSession();
    await vault.save(session, keys, { remember: false });
    const refreshed = session.withTokens({
      accessToken: 'second-access-token',
      accessTokenExpiresAt: Date.now() + 600_000,
      refreshToken: 'second-refresh-token',
      role: 'member',
    });
    await vault.update(refreshed, keys.vaultKey);

    const otherTab = await SessionVault.open(name);
    expect((await otherTab.read(keys.vaultKey))?.refreshToken).toBe('second-refresh-token');
    expect(await otherTab.read(new Uint8Array(32))).toBeNull();
    otherTab.close();
  });

  it('with "keep me signed in" opens without the password, and forgets the browser key when turned off', async () => {
    const { vault, name } = await openVault();
    const keys = material();
    const session = newSession();
    await vault.save(session, keys, { remember: true });
    expect(await vault.isRemembered()).toBe(true);
    const remembered = await vault.unlockRemembered();
    expect(remembered?.session.refreshToken).toBe(session.refreshToken);
    expect(remembered?.vaultKey).toEqual(keys.vaultKey);
    expect(await dump(name)).not.toContain(Buffer.from(keys.vaultKey).toString('latin1'));

    await vault.setRemembered(null);
    expect(await vault.isRemembered()).toBe(false);
    expect(await vault.unlockRemembered()).toBeNull();
    expect((await vault.unlock(PASSWORD)).session.refreshToken).toBe(session.refreshToken);
  });

  it('forgets everything on clear', async () => {
    const { vault } = await openVault();
    await vault.save(newSession(), material(), { remember: true });
    await vault.clear();
    expect(await vault.locked()).toBeNull();
    expect(await vault.unlockRemembered()).toBeNull();
    await expect(vault.unlock(PASSWORD)).rejects.toThrow();
  });
});
