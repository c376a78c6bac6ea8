import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ready } from '@coffre/crypto';
import { deviceId, tenantId, userId } from '@coffre/protocol';
import { AccountError } from '../../src/account/AccountError.ts';
import { createDeviceKeys } from '../../src/account/createDeviceKeys.ts';
import { createIdentity } from '../../src/account/createIdentity.ts';
import { Session } from '../../src/account/Session.ts';
import { ProfileStore } from '../../src/bin/ProfileStore.ts';

describe('ProfileStore (the CLI state file)', () => {
  const folders: string[] = [];
  const folder = async () => {
    const path = await mkdtemp(join(tmpdir(), 'coffre-profile-'));
    folders.push(path);
    return join(path, 'nested', 'coffre');
  };
  const session = () =>
    new Session({
      tenant: tenantId('acme'),
      email: 'alice@acme.test',
      userId: userId('user-1'),
      deviceId: deviceId('device-1'),
      role: 'member',
      accessToken: 'access',
      accessTokenExpiresAt: 1_800_000_000_000,
      refreshToken: 'refresh-token-0123456789',
      identity: createIdentity(),
      device: createDeviceKeys(),
    });

  beforeAll(async () => {
    await ready();
  });

  afterEach(async () => {
    for (const path of folders.splice(0)) await rm(path, { recursive: true, force: true });
  });

  it('writes the session readable by its owner only, in a folder only its owner opens', async () => {
    const store = new ProfileStore(await folder());
    await store.save({ relay: 'http://relay.test', session: session() });
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect((await stat(store.directory)).mode & 0o777).toBe(0o700);
  });

  it('reads back the same relay and session, keys included', async () => {
    const store = new ProfileStore(await folder());
    const saved = session();
    await store.save({ relay: 'http://relay.test', session: saved });
    const loaded = await store.load();
    expect(loaded?.relay).toBe('http://relay.test');
    expect(loaded?.session).toEqual(saved);
  });

  it('tightens the mode of a file that was readable by others when it rewrites it', async () => {
    const store = new ProfileStore(await folder());
    await store.save({ relay: 'http://relay.test', session: session() });
    await writeFile(store.path, await readFile(store.path), { mode: 0o644 });
    await store.save({ relay: 'http://relay.test', session: session() });
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
  });

  it('is empty when nothing was saved and after clear()', async () => {
    const store = new ProfileStore(await folder());
    expect(await store.load()).toBeNull();
    await store.save({ relay: 'http://relay.test', session: session() });
    await store.clear();
    expect(await store.load()).toBeNull();
  });

  it('reports a damaged file as a session to sign in again', async () => {
    const store = new ProfileStore(await folder());
    await store.save({ relay: 'http://relay.test', session: session() });
    await writeFile(store.path, '{"relay": "x", "session": {"format": "coffre-session/1"}}');
    await expect(store.load()).rejects.toBeInstanceOf(AccountError);
  });
});
