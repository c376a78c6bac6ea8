import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TenantId } from '@coffre/protocol';
import { StaticSite, ensureTenant } from '@coffre/sync-server';
import { buildWebApp } from '../support/buildWebApp.ts';
import { launchChromium } from '../support/chromium.ts';
import { type RelayHarness, randomId, startRelay, storageEngine } from './support/relayHarness.ts';
import { editorOf } from './support/webAppSuite.ts';
import { type Credentials, WebAppPage } from './support/WebAppPage.ts';

const PASSWORD = 'correct horse battery staple';
const TIMEOUT = 30_000;

function newCredentials(name: string): Credentials {
  return { email: `${name}-${Math.random().toString(36).slice(2, 8)}@example.test`, password: PASSWORD };
}

/** Resolves once a service worker controls the page and its shell cache is filled. */
async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', undefined, {
    timeout: TIMEOUT,
  });
}

/** Every URL path in the origin's Cache Storage, by cache name. */
async function cachedPaths(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      const requests = await (await caches.open(name)).keys();
      out[name] = requests.map((request) => new URL(request.url).pathname).sort();
    }
    return out;
  });
}

/**
 * The installable PWA, built with Vite and served by a real relay, in
 * headless Chromium: the service worker keeps the app shell, so with the
 * network off and the relay stopped a reload starts the app, unlocks, lists
 * and opens the documents from this device, and keeps new edits until the
 * relay is back; a new version waits and offers a reload. Screens are saved
 * to /tmp/coffre-shots/ (pwa-*).
 */
describe(`web app offline start (PWA) in Chromium (${storageEngine})`, () => {
  let harness: RelayHarness;
  let browser: Browser;
  let tenant: TenantId;
  /** A copy of the build, so a test can publish a "new version" of the worker. */
  let siteDir: string;
  const serverSecret = new Uint8Array(randomBytes(32));
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  const newApp = async (): Promise<WebAppPage> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message: ConsoleMessage) => {
      const text = message.text();
      if (message.type() !== 'error' || text.startsWith('Failed to load resource')) return;
      if (/WebSocket connection to .* failed/.test(text)) return;
      problems.push(`console error: ${text}`);
    });
    return new WebAppPage(page, harness.httpUrl);
  };

  const relayOn = (port: number, dataDir?: string, keys?: RelayHarness['keys']) =>
    startRelay({
      webApp: new StaticSite(siteDir),
      defaultTenant: tenant,
      port,
      ...(dataDir ? { dataDir } : {}),
      ...(keys ? { keys } : {}),
      accounts: { serverSecret },
    });

  beforeAll(async () => {
    const [webDir] = await Promise.all([buildWebApp(), (async () => (browser = await launchChromium()))()]);
    siteDir = await mkdtemp(join(tmpdir(), 'coffre-web-pwa-'));
    await cp(webDir, siteDir, { recursive: true });
    tenant = randomId('org') as TenantId;
    harness = await relayOn(0);
    await ensureTenant(harness.relay.database, tenant, 'Test organisation');
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.teardown();
    if (siteDir) await rm(siteDir, { recursive: true, force: true });
  });

  it('serves an installable manifest and a worker the CSP allows', async () => {
    const manifest = await fetch(`${harness.httpUrl}/manifest.webmanifest`);
    expect(manifest.headers.get('content-type')).toBe('application/manifest+json; charset=utf-8');
    const body = (await manifest.json()) as { name: string; start_url: string; display: string; icons: unknown[] };
    expect(body).toMatchObject({ name: 'Coffre', start_url: '/', display: 'standalone' });
    expect(body.icons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sizes: '192x192', type: 'image/png' }),
        expect.objectContaining({ sizes: '512x512', type: 'image/png', purpose: 'any' }),
        expect.objectContaining({ sizes: '512x512', type: 'image/png', purpose: 'maskable' }),
      ]),
    );
    for (const icon of ['/icon-192.png', '/icon-512.png', '/icon-maskable-512.png']) {
      const response = await fetch(`${harness.httpUrl}${icon}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
    }
    const worker = await fetch(`${harness.httpUrl}/sw.js`);
    expect(worker.status).toBe(200);
    expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(worker.headers.get('cache-control')).toBe('no-cache');
    const csp = worker.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("manifest-src 'self'");
    const index = await (await fetch(`${harness.httpUrl}/`)).text();
    expect(index).toContain('<link rel="manifest" href="/manifest.webmanifest">');

    // Chromium's own verdict: the manifest parses, and nothing but the test's incognito-like profile stops an install.
    const app = await newApp();
    await app.open('/');
    await waitForServiceWorker(app.page);
    const devtools = await app.page.context().newCDPSession(app.page);
    const manifestReport = await devtools.send('Page.getAppManifest');
    expect(manifestReport.url).toBe(`${harness.httpUrl}/manifest.webmanifest`);
    expect(manifestReport.errors).toEqual([]);
    const { installabilityErrors } = await devtools.send('Page.getInstallabilityErrors');
    expect(installabilityErrors.filter((error) => error.errorId !== 'in-incognito')).toEqual([]);
  });

  it('starts with the network off and the relay stopped, opens the document from the device, and saves edits once back', async () => {
    const app = await newApp();
    const credentials = newCredentials('ines');
    await app.signUp(credentials);
    await waitForServiceWorker(app.page);

    await app.page.getByRole('button', { name: 'New document' }).click();
    const editor = editorOf(app);
    await editor.waitOpen();
    await editor.title.fill('Mountain hut');
    await editor.text.click();
    await app.page.keyboard.type('The key is under the third stone.');
    await expect.poll(() => editor.statusText(), { timeout: TIMEOUT }).toBe('Saved');
    await app.page.getByRole('link', { name: '← Documents' }).click();
    await app.waitForHeading('Documents');

    // The shell is cached, the relay's answers are not.
    const cached = await cachedPaths(app.page);
    const names = Object.keys(cached);
    expect(names).toHaveLength(1);
    const paths = cached[names[0] as string] ?? [];
    expect(paths).toEqual(expect.arrayContaining(['/index.html', '/manifest.webmanifest', '/icon-192.png']));
    expect(paths.some((path) => path.endsWith('.wasm'))).toBe(true);
    expect(paths.some((path) => path.startsWith('/assets/') && path.endsWith('.js'))).toBe(true);
    expect(paths.filter((path) => path.startsWith('/v1') || path.startsWith('/sync'))).toEqual([]);

    // No network at all: the browser is offline and the relay is gone.
    const { port, dataDir, keys } = harness;
    await app.page.context().setOffline(true);
    await harness.stop();
    await app.page.reload();
    await app.waitForHeading('Unlock Coffre');
    await app.screenshot('pwa-01-unlock-offline');
    await app.audit('pwa-01-unlock-offline');
    await app.page.getByLabel('Password', { exact: true }).fill(credentials.password);
    await app.page.getByRole('button', { name: 'Unlock' }).click();
    await app.waitForHeading('Documents');
    await expect
      .poll(() => app.page.getByText('You are offline: these are the documents kept on this device.').count(), {
        timeout: TIMEOUT,
      })
      .toBe(1);
    const list = app.page.getByRole('list', { name: 'Your documents' });
    await expect.poll(() => list.getByRole('link', { name: 'Mountain hut' }).count(), { timeout: TIMEOUT }).toBe(1);
    await app.screenshot('pwa-02-list-offline');
    await app.audit('pwa-02-list-offline');

    await list.getByRole('link', { name: 'Mountain hut' }).click();
    await editor.waitOpen();
    await expect.poll(() => editor.bodyText(), { timeout: TIMEOUT }).toBe('The key is under the third stone.');
    await editor.caretToEnd();
    await app.page.keyboard.press('Enter');
    await app.page.keyboard.type('Written with no network.');
    await expect
      .poll(() => editor.statusText(), { timeout: TIMEOUT })
      .toMatch(/^Offline — \d+ changes? on this device$/);
    await app.screenshot('pwa-03-editor-offline');
    await app.audit('pwa-03-editor-offline');

    // The relay comes back (same data, same keys) and the browser goes online: the edit is saved.
    harness = await relayOn(port, dataDir, keys);
    await app.page.context().setOffline(false);
    await expect.poll(() => editor.statusText(), { timeout: TIMEOUT }).toBe('Saved');

    // What the relay holds is what another browser reads.
    const other = await newApp();
    await other.logIn(credentials);
    await other.page.getByRole('link', { name: 'Mountain hut' }).click({ timeout: TIMEOUT });
    await editorOf(other).waitOpen();
    await expect
      .poll(() => editorOf(other).bodyText(), { timeout: TIMEOUT })
      .toBe('The key is under the third stone.\nWritten with no network.');
  }, 120_000);

  it('installs a new version beside the running one, offers a reload, and hands over on the next load', async () => {
    const app = await newApp();
    await app.signUp(newCredentials('jon'));
    await waitForServiceWorker(app.page);
    const original = await readFile(join(siteDir, 'sw.js'), 'utf8');
    const publish = async (version: string) => {
      await writeFile(join(siteDir, 'sw.js'), original.replace(/"version":"[^"]+"/, `"version":"${version}"`));
      await app.page.evaluate(async () => {
        await (await navigator.serviceWorker.getRegistration())?.update();
      });
    };
    const noticeIn = (page: Page) => page.getByRole('status').filter({ hasText: 'A new version of Coffre is ready.' });
    // A second tab of the same browser, to see the notice there too.
    const otherTab = await app.page.context().newPage();
    await otherTab.goto(`${harness.httpUrl}/#/`);
    await otherTab.getByRole('heading', { level: 1 }).waitFor({ timeout: TIMEOUT });
    // Both tabs listen for updates before one is published: a tab still registering when the new version lands
    // would take it over at once, as on a later load, instead of announcing it.
    for (const page of [app.page, otherTab]) {
      await page.locator('html[data-updates="watching"]').waitFor({ state: 'attached', timeout: TIMEOUT });
    }
    try {
      await publish('test-v2');
      const notice = noticeIn(app.page);
      await notice.waitFor({ timeout: TIMEOUT });
      await noticeIn(otherTab).waitFor({ timeout: TIMEOUT });
      await app.screenshot('pwa-04-update-ready');
      await app.audit('pwa-04-update-ready');
      await Promise.all([app.page.waitForEvent('load'), notice.getByRole('button', { name: 'Reload' }).click()]);
      await app.waitForHeading('Unlock Coffre');
      expect(Object.keys(await cachedPaths(app.page))).toEqual(['coffre-shell-test-v2']);
      expect(await notice.count()).toBe(0);
      // The other tab's Reload, once the first one handed over, only loads the page again.
      await Promise.all([
        otherTab.waitForEvent('load'),
        noticeIn(otherTab).getByRole('button', { name: 'Reload' }).click(),
      ]);
      expect(await noticeIn(otherTab).count()).toBe(0);
      await otherTab.close();

      // A version found while the tab is open and not taken: the next load hands over to it.
      await publish('test-v3');
      await notice.waitFor({ timeout: TIMEOUT });
      await app.page.reload();
      await app.waitForHeading('Unlock Coffre');
      await expect
        .poll(() => cachedPaths(app.page).then((caches) => Object.keys(caches)), { timeout: TIMEOUT })
        .toEqual(['coffre-shell-test-v3']);
      expect(await app.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting)).toBe(
        null,
      );
    } finally {
      await writeFile(join(siteDir, 'sw.js'), original);
    }
  });
});
