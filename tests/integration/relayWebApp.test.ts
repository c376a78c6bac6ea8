import type { ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccountClient } from '@coffre/client';
import { ready } from '@coffre/crypto';
import { WEB_CONTENT_SECURITY_POLICY } from '@coffre/sync-server';
import { randomId, storageEngine } from './support/relayHarness.ts';
import { freePort, startRelayProcess, stopProcess } from './support/relayProcess.ts';

/** `coffre-relay serve` as a newcomer runs it: the web app at /, and an organisation to sign up into. */
describe(`coffre-relay serve for a newcomer (${storageEngine})`, () => {
  const cleanups: (() => Promise<void>)[] = [];

  const serve = async (extraArgs: string[]): Promise<{ url: string; relay: ChildProcess }> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'coffre-relay-web-'));
    const port = await freePort();
    const relay = await startRelayProcess(dataDir, port, extraArgs);
    cleanups.push(async () => {
      await stopProcess(relay);
      await rm(dataDir, { recursive: true, force: true });
    });
    return { url: `http://127.0.0.1:${port}`, relay };
  };

  const builtApp = async (): Promise<string> => {
    const folder = await mkdtemp(join(tmpdir(), 'coffre-web-dist-'));
    await mkdir(join(folder, 'assets'));
    await writeFile(join(folder, 'index.html'), '<!doctype html><title>Coffre app</title>');
    await writeFile(join(folder, 'assets', 'index-abc123.js'), 'export {};');
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    return folder;
  };

  beforeAll(async () => {
    await ready();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('creates the default organisation on first start, announces it, and its first member becomes admin', async () => {
    const organisation = randomId('default');
    const { url } = await serve(['--web-dir', await builtApp(), '--default-tenant', organisation]);
    const config = await fetch(`${url}/v1/config`);
    expect(await config.json()).toEqual({ defaultTenant: organisation });

    const account = new AccountClient({ baseUrl: url });
    const session = await account.register(organisation, `${randomId('first')}@example.test`, 'a long password', 'CI');
    expect(session.role).toBe('tenant-admin');
    account.close();
  });

  it('serves the built app at / with the security headers and keeps the status page at /status', async () => {
    const { url } = await serve(['--web-dir', await builtApp(), '--default-tenant', randomId('default')]);
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('<title>Coffre app</title>');
    expect(page.headers.get('content-security-policy')).toBe(WEB_CONTENT_SECURITY_POLICY);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const asset = await fetch(`${url}/assets/index-abc123.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const route = await fetch(`${url}/settings/devices`);
    expect(await route.text()).toContain('<title>Coffre app</title>');
    const status = await fetch(`${url}/status`);
    expect(await status.text()).toContain('Coffre relay');
    const api = await fetch(`${url}/v1/tenants/nowhere/members`);
    expect(api.status).toBe(401);
  });

  it('without a built app shows the status page at /, and --no-default-tenant announces no organisation', async () => {
    const { url } = await serve(['--web-dir', join(tmpdir(), randomId('no-such-folder')), '--no-default-tenant']);
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('Coffre relay');
    expect(await (await fetch(`${url}/v1/config`)).json()).toEqual({ defaultTenant: null });
  });
});
