import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deviceId, documentId, linkId, tenantId, userId } from '@coffre/protocol';
import { AccountError, Session, SharingState, createDeviceKeys, createIdentity, ready } from '@coffre/client';
import { ProfileStore } from '../src/ProfileStore.ts';

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

  it('runs locked tasks one at a time, across store instances on one folder', async () => {
    const directory = await folder();
    const stores = [new ProfileStore(directory), new ProfileStore(directory)];
    let inside = 0;
    let most = 0;
    const task = async () => {
      inside += 1;
      most = Math.max(most, inside);
      await new Promise((resolveLater) => setTimeout(resolveLater, 20));
      inside -= 1;
    };
    await Promise.all(stores.flatMap((store) => [store.withLock(task), store.withLock(task)]));
    expect(most).toBe(1);
  });

  it('takes over a lock left behind by a process that died', async () => {
    const store = new ProfileStore(await folder());
    await store.save({ relay: 'http://relay.test', session: session() });
    const lockPath = `${store.path}.lock`;
    await writeFile(lockPath, '');
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(lockPath, longAgo, longAgo);
    expect(await store.withLock(() => Promise.resolve('ran'))).toBe('ran');
  });

  it('reports a damaged file as a session to sign in again', async () => {
    const store = new ProfileStore(await folder());
    await store.save({ relay: 'http://relay.test', session: session() });
    await writeFile(store.path, '{"relay": "x", "session": {"format": "coffre-session/1"}}');
    await expect(store.load()).rejects.toBeInstanceOf(AccountError);
  });

  it('keeps contacts and link secrets in sharing.json (mode 0600), and signing out deletes it with the session', async () => {
    const store = new ProfileStore(await folder());
    const sharing = store.sharingStore();
    expect(await sharing.load()).toBeNull();
    const state = new SharingState(tenantId('acme'), userId('user-1'));
    const link = linkId('0123456789abcdef0123456789abcdef');
    state.links.set(link, {
      linkId: link,
      documentId: documentId('plans'),
      role: 'viewer',
      secret: 'A'.repeat(43),
      linkKey: 'B'.repeat(43),
      passwordProtected: false,
      createdAt: '2026-11-21T08:00:00.000Z',
    });
    await store.save({ relay: 'http://relay.test', session: session() });
    await sharing.save(state.toJSON());
    expect((await stat(store.sharingPath)).mode & 0o777).toBe(0o600);
    const loaded = SharingState.fromJSON(await sharing.load(), {
      tenant: tenantId('acme'),
      userId: userId('user-1'),
    });
    expect([...loaded.links.keys()]).toEqual(['0123456789abcdef0123456789abcdef']);

    await store.clear();
    expect(await sharing.load()).toBeNull();
    expect(await store.load()).toBeNull();
  });
});
