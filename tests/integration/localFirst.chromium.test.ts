import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '@coffre/crypto';
import { type DeviceIdentity, YjsEngine } from '@coffre/client';
import { bundleForBrowser } from '../browser/bundleForBrowser.ts';
import type { CoffreTab, TabConfig } from '../browser/localDocument.entry.ts';
import { openBundlePage } from '../browser/openBundlePage.ts';
import { type ServedBundle, serveBundle } from '../browser/serveBundle.ts';
import { launchChromiumWithProfile } from '../support/chromium.ts';
import {
  type RelayHarness,
  TestWorkspace,
  openClient,
  readAllFiles,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';
import { freePort } from './support/relayProcess.ts';

declare const coffreTab: CoffreTab;

/**
 * LocalDocument in headless Chromium: real IndexedDB on disk, Web Locks and
 * BroadcastChannel between real tabs, pagehide, a browser restart.
 */
describe(`local-first documents in Chromium (${storageEngine})`, () => {
  let harness: RelayHarness;
  let served: ServedBundle;
  let profile: string;
  let context: BrowserContext;
  const markers: string[] = [];

  const marker = (name: string): string => {
    const value = `${name}-${Math.random().toString(36).slice(2, 10)}`;
    markers.push(value);
    return value;
  };
  const configFor = async (
    workspace: TestWorkspace,
    device: DeviceIdentity,
    options: { url?: string; batchWindowMs?: number } = {},
  ): Promise<TabConfig> => ({
    tenant: workspace.address.tenantId,
    document: workspace.address.documentId,
    device: device.id,
    signingPublicKey: toBase64Url(device.signingKeyPair.publicKey),
    signingSecretKey: toBase64Url(device.signingKeyPair.secretKey),
    trusted: [...workspace.devices.values()].map((trusted) => ({
      id: trusted.id,
      publicKey: toBase64Url(trusted.signingKeyPair.publicKey),
    })),
    documentKey: toBase64Url(workspace.documentKey),
    url: options.url ?? harness.url,
    token: await harness.token({ tenant: workspace.address.tenantId, device: device.id }),
    ...(options.batchWindowMs === undefined ? {} : { batchWindowMs: options.batchWindowMs }),
  });
  const openTab = async (config: TabConfig): Promise<Page> => {
    const { page } = await openBundlePage(context, served);
    await page.evaluate((tabConfig) => coffreTab.open(tabConfig), config);
    return page;
  };
  /** Closes a tab as a user would (pagehide, unload) and waits until it is gone, its Web Lock released. */
  const closeTab = async (page: Page): Promise<void> => {
    const closed = page.waitForEvent('close');
    await page.close({ runBeforeUnload: true });
    await closed;
  };
  const nowhere = async (): Promise<string> => `ws://127.0.0.1:${await freePort()}/sync`;

  beforeAll(async () => {
    harness = await startRelay();
    served = await serveBundle(
      await bundleForBrowser(resolve(import.meta.dirname, '../browser/localDocument.entry.ts')),
    );
    profile = await mkdtemp(join(tmpdir(), 'coffre-chromium-'));
    context = await launchChromiumWithProfile(profile);
  });
  afterAll(async () => {
    await context.close();
    await served.close();
    await harness.teardown();
    await rm(profile, { recursive: true, force: true });
  });

  it('two tabs: one seals, the other hands its edits over, and it takes over when the first tab closes', async () => {
    const workspace = new TestWorkspace();
    const device = workspace.addDevice();
    const first = await openTab(await configFor(workspace, device));
    const second = await openTab(await configFor(workspace, device));
    expect(await first.evaluate(() => coffreTab.role())).toBe('writer');
    expect(await second.evaluate(() => coffreTab.role())).toBe('follower');

    const remote = await openClient({ harness, workspace, engine: new YjsEngine() });
    const rejected: unknown[] = [];
    remote.on('entry-rejected', (event) => rejected.push(event));
    const remoteText = () => remote.engine.doc.getText('body').toString();
    try {
      await first.evaluate(() => coffreTab.type('one '));
      await second.evaluate(() => coffreTab.type('two '));
      await second.evaluate(() => coffreTab.whenSaved());
      await waitFor(() => remoteText().length === 8, 10_000, 'both tabs at the other device');
      expect(await first.evaluate(() => coffreTab.text())).toBe(remoteText());
      expect(await second.evaluate(() => coffreTab.text())).toBe(remoteText());

      await closeTab(first);
      await second.waitForFunction(() => coffreTab.role() === 'writer', undefined, { timeout: 10_000 });
      await second.evaluate(() => coffreTab.type('three'));
      await second.evaluate(() => coffreTab.whenSaved());
      await waitFor(() => remoteText().endsWith('three') && remoteText().length === 13, 10_000, 'after take-over');
      expect(rejected).toEqual([]);
      await second.close();
    } finally {
      remote.destroy();
    }
  });

  it('an edit typed just before the tab closes is sealed on pagehide and there when the page opens offline', async () => {
    const workspace = new TestWorkspace();
    const device = workspace.addDevice();
    const words = marker('typed before closing');
    // A long batch window: without the pagehide flush the edit would still be waiting to be sealed.
    const page = await openTab(await configFor(workspace, device, { url: await nowhere(), batchWindowMs: 60_000 }));
    await page.evaluate((text) => coffreTab.type(text), words);
    expect(await page.evaluate(() => coffreTab.status().unsaved)).toBeGreaterThan(0);
    await closeTab(page);

    const reopened = await openTab(await configFor(workspace, device, { url: await nowhere() }));
    expect(await reopened.evaluate(() => coffreTab.text())).toBe(words);
    const status = await reopened.evaluate(() => coffreTab.status());
    expect(status.state).not.toBe('saved');
    expect(status.unsaved).toBeGreaterThan(0);
    await reopened.close();
  });

  it('after a browser restart the document opens offline, and nothing on disk holds its text or key', async () => {
    const workspace = new TestWorkspace();
    const device = workspace.addDevice();
    const words = marker('kept on this device');
    const page = await openTab(await configFor(workspace, device));
    await page.evaluate((text) => coffreTab.type(text), words);
    await page.evaluate(() => coffreTab.whenSaved());
    await page.close();
    await context.close();

    context = await launchChromiumWithProfile(profile);
    const cold = await openTab(await configFor(workspace, device, { url: await nowhere() }));
    expect(await cold.evaluate(() => coffreTab.text())).toBe(words);

    const keys = [workspace.documentKey, device.signingKeyPair.secretKey.subarray(0, 32)];
    const needles = [
      ...markers,
      ...keys.map((key) => `b64:${toBase64Url(key)}`),
      ...keys.map((key) => toBase64Url(key)),
    ];
    expect(await cold.evaluate((list) => coffreTab.leaks(list), needles)).toEqual([]);
    const storage = await cold.evaluate(() => JSON.stringify({ ...localStorage }));
    for (const needle of [...markers, ...keys.map((key) => toBase64Url(key))]) expect(storage).not.toContain(needle);
    await cold.close();

    // The profile on disk: IndexedDB's files, localStorage, everything Chromium wrote.
    const files = await readAllFiles(profile);
    expect(files.length).toBeGreaterThan(0);
    for (const needle of [...markers.map((value) => Buffer.from(value)), ...keys.map((key) => Buffer.from(key))]) {
      expect(files.filter((file) => file.bytes.includes(needle)).map((file) => file.path)).toEqual([]);
    }
  });
});
