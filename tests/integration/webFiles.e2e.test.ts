import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dumpTenant } from './support/databaseDump.ts';
import { readAllFiles, storageEngine } from './support/relayHarness.ts';
import type { WebAppPage } from './support/WebAppPage.ts';
import { downloadFromRow, uploadThroughFiles } from './support/filesScreen.ts';
import { TIMEOUT, newCredentials, webAppSuite } from './support/webAppSuite.ts';

/** The Files screen's controls, by the names a person reads. */
function filesOf(app: WebAppPage) {
  const page = app.page;
  const list = page.getByRole('list', { name: 'Your files' });
  return {
    list,
    row: (name: string) => list.getByRole('listitem').filter({ hasText: name }),
    async newFolder(name: string): Promise<void> {
      await page.getByRole('button', { name: 'New folder' }).click();
      await page.getByRole('textbox', { name: 'Folder name' }).fill(name);
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: `Open folder ${name}`, exact: true }).waitFor({ timeout: TIMEOUT });
    },
    upload: (name: string, mimeType: string, buffer: Buffer) => uploadThroughFiles(page, name, mimeType, buffer),
    async download(name: string): Promise<Buffer> {
      const { download, bytes } = await downloadFromRow(page, name);
      expect(download.suggestedFilename()).toBe(name);
      // Written to disk as it is decrypted, through the service worker, not assembled in the page's memory.
      expect(new URL(download.url()).pathname).toMatch(/^\/__coffre\/download\/[0-9a-f]{32}$/);
      return bytes;
    },
  };
}

/**
 * The Drive in the web app, built with Vite and served by a real relay,
 * driven in headless Chromium: files are cut and encrypted in the browser,
 * kept in the user's own encrypted Drive document, and come back whole on
 * another device; the relay never sees a file's name or content. Screens
 * are saved to /tmp/coffre-shots/ (files-*).
 */
describe(`web app files in Chromium (${storageEngine})`, () => {
  const web = webAppSuite();

  it('uploads into a folder, downloads the same bytes on another device, trashes and restores, and leaks nothing to the relay', async () => {
    const credentials = newCredentials('fatou');
    const laptop = await web.newApp();
    await laptop.signUp(credentials);
    await laptop.goTo('Files');
    await laptop.page.getByRole('heading', { name: 'No files here yet' }).waitFor({ timeout: TIMEOUT });
    await laptop.screenshot('files-01-empty');
    await laptop.audit('files-01-empty');

    const files = filesOf(laptop);
    await files.newFolder('Taxes 2026');
    await laptop.page.getByRole('button', { name: 'Open folder Taxes 2026', exact: true }).click();
    await laptop.page.getByRole('heading', { name: '“Taxes 2026” is empty' }).waitFor({ timeout: TIMEOUT });

    const marker = `receipt-marker-${Math.random().toString(36).slice(2, 10)}`;
    const name = `${marker}.pdf`;
    const content = Buffer.concat([randomBytes(700_000), Buffer.from(marker), randomBytes(900_000)]);
    await files.upload(name, 'application/pdf', content);
    await files.row(name).waitFor({ timeout: TIMEOUT });
    expect(await files.row(name).textContent()).toContain('1.6 MB');
    // Sealed on the page's sealing worker (seal.worker.ts), which is still running: it did not fail over to the page.
    expect(laptop.page.workers().map((worker) => worker.url())).toContainEqual(expect.stringMatching(/seal\.worker/));
    await laptop.screenshot('files-02-uploaded');
    await laptop.audit('files-02-uploaded');
    expect((await files.download(name)).equals(content)).toBe(true);

    // Kept offline: its chunks (still encrypted) stay in IndexedDB, and it opens with the network off.
    await laptop.page.getByRole('button', { name: `Keep offline, ${name}`, exact: true }).click();
    await expect.poll(() => files.row(name).textContent(), { timeout: TIMEOUT }).toContain('on this device');
    expect(await laptop.page.getByRole('button', { name: `Keep offline, ${name}` }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await laptop.page.context().setOffline(true);
    expect((await files.download(name)).equals(content)).toBe(true);
    // A file added with no network waits on this device, sealed, through a reload, and goes once the network is back.
    const offlineName = 'written offline.txt';
    await laptop.page
      .locator('input[type=file]')
      .setInputFiles({ name: offlineName, mimeType: 'text/plain', buffer: Buffer.from(`offline words ${marker}`) });
    const waiting = () =>
      laptop.page.getByRole('region', { name: 'Uploads' }).getByRole('listitem').filter({ hasText: offlineName });
    await expect.poll(() => waiting().textContent(), { timeout: TIMEOUT }).toContain('Waiting for the connection');
    await laptop.screenshot('files-04-waiting');
    await laptop.audit('files-04-waiting');
    // What the browser keeps holds the file's ciphertext (over 1.6 MB) and the waiting upload, never a name or content.
    const stored = await laptop.dumpStorage();
    expect(stored.text.length).toBeGreaterThan(content.length);
    expect(stored.text).not.toContain(marker);
    expect(stored.text).not.toContain('offline words');
    await laptop.page.reload();
    await laptop.waitForHeading('Unlock Coffre');
    await laptop.page.getByLabel('Password', { exact: true }).fill(credentials.password);
    await laptop.page.getByRole('button', { name: 'Unlock' }).click();
    await laptop.waitForHeading('Files');
    await expect.poll(() => waiting().textContent(), { timeout: TIMEOUT }).toContain('Waiting for the connection');
    await laptop.page.context().setOffline(false);
    await expect.poll(() => waiting().textContent(), { timeout: TIMEOUT }).toContain('Saved');
    // The reload opened the top level: back into the folder, where the file arrived.
    await laptop.page.getByRole('button', { name: 'Open folder Taxes 2026', exact: true }).click();
    await files.row(offlineName).waitFor({ timeout: TIMEOUT });

    // Another device of the same person: the folder and the file are there, and open to the same bytes.
    const phone = await web.newApp();
    await phone.logIn(credentials);
    await phone.goTo('Files');
    const onPhone = filesOf(phone);
    await phone.page.getByRole('button', { name: 'Open folder Taxes 2026', exact: true }).click({ timeout: TIMEOUT });
    await onPhone.row(name).waitFor({ timeout: TIMEOUT });
    expect((await onPhone.download(name)).equals(content)).toBe(true);
    await onPhone.row(offlineName).waitFor({ timeout: TIMEOUT });
    expect((await onPhone.download(offlineName)).toString()).toBe(`offline words ${marker}`);

    // Versions: a new one uploaded from the dialog, the first downloaded and restored; the phone reads what is current.
    await laptop.page.getByRole('button', { name: `Versions of ${offlineName}`, exact: true }).click();
    const versions = laptop.page.getByRole('dialog', { name: `Versions of “${offlineName}”` });
    await versions.waitFor({ timeout: TIMEOUT });
    await versions
      .locator('input[type=file]')
      .setInputFiles({ name: 'draft 2.txt', mimeType: 'text/plain', buffer: Buffer.from('second words') });
    const versionRows = versions.getByRole('list', { name: `Versions of ${offlineName}` }).getByRole('listitem');
    await expect.poll(() => versionRows.first().textContent(), { timeout: TIMEOUT }).toContain('Version 2 · current');
    const [older] = await Promise.all([
      laptop.page.waitForEvent('download'),
      versions.getByRole('button', { name: 'Download version 1', exact: true }).click(),
    ]);
    expect(older.suggestedFilename()).toBe(offlineName);
    expect((await readFile(await older.path())).toString()).toBe(`offline words ${marker}`);
    await versions.getByRole('button', { name: 'Restore version 1', exact: true }).click();
    await versions.getByRole('status').filter({ hasText: 'as version 3' }).waitFor({ timeout: TIMEOUT });
    expect(await versionRows.first().textContent()).toContain('restored from version 1');
    expect(await versionRows.count()).toBe(3);
    await laptop.screenshot('files-06-versions');
    await laptop.audit('files-06-versions');
    await laptop.page.keyboard.press('Escape');
    await versions.waitFor({ state: 'detached', timeout: TIMEOUT });
    await expect.poll(() => files.row(offlineName).textContent(), { timeout: TIMEOUT }).toContain('version 3');
    await expect.poll(() => onPhone.row(offlineName).textContent(), { timeout: TIMEOUT }).toContain('version 3');
    expect((await onPhone.download(offlineName)).toString()).toBe(`offline words ${marker}`);

    // Into the trash and back, with the keyboard.
    await laptop.page.getByRole('button', { name: `Move to trash, ${name}`, exact: true }).focus();
    await laptop.page.keyboard.press('Enter');
    await files.row(name).waitFor({ state: 'detached', timeout: TIMEOUT });
    await laptop.page.getByRole('button', { name: 'Undo' }).click();
    await files.row(name).waitFor({ timeout: TIMEOUT });
    // And through the trash view.
    await laptop.page.getByRole('button', { name: `Move to trash, ${name}`, exact: true }).click();
    await laptop.page.getByRole('button', { name: 'Trash (1)' }).click();
    const trash = laptop.page.getByRole('list', { name: 'Trash' });
    await trash.getByRole('listitem').filter({ hasText: name }).waitFor({ timeout: TIMEOUT });
    await laptop.screenshot('files-03-trash');
    await laptop.audit('files-03-trash');
    await laptop.page.getByRole('button', { name: `Restore ${name}`, exact: true }).click();
    await laptop.page.getByRole('heading', { name: 'The trash is empty' }).waitFor({ timeout: TIMEOUT });
    await laptop.page.getByRole('button', { name: 'Trash (0)' }).click();
    await files.row(name).waitFor({ timeout: TIMEOUT });

    // Emptied for good, after a confirmation: the relay frees the file's chunks (and keeps the other file's).
    const blobsBefore = (await readAllFiles(web.harness.blobDir)).length;
    await laptop.page.getByRole('button', { name: `Move to trash, ${name}`, exact: true }).click();
    await laptop.page.getByRole('button', { name: 'Trash (1)' }).click();
    await laptop.page.getByRole('button', { name: 'Empty trash' }).click();
    const confirm = laptop.page.getByRole('alertdialog', { name: 'Empty the trash?' });
    await confirm.waitFor({ timeout: TIMEOUT });
    await laptop.screenshot('files-05-empty-trash');
    await laptop.audit('files-05-empty-trash');
    await laptop.page.keyboard.press('Enter');
    await expect
      .poll(() => laptop.page.getByRole('status').filter({ hasText: 'for good' }).first().textContent(), {
        timeout: TIMEOUT,
      })
      .toMatch(/Deleted 1 item for good; 1\.\d MB freed on the relay\./);
    expect((await readAllFiles(web.harness.blobDir)).length).toBeLessThan(blobsBefore);
    await laptop.page.getByRole('button', { name: 'Trash (0)' }).click();
    await files.row(offlineName).waitFor({ timeout: TIMEOUT });
    expect(await files.row(name).count()).toBe(0);
    expect((await files.download(offlineName)).toString()).toBe(`offline words ${marker}`);

    // The Drive's own document is not listed among the documents.
    await laptop.goTo('Documents');
    await laptop.page.getByRole('heading', { name: 'No documents here yet' }).waitFor({ timeout: TIMEOUT });

    // The relay holds ciphertext only: no file name, folder name or content in its blobs, rows or logs.
    const harness = web.harness;
    for (const { path, bytes } of await readAllFiles(harness.blobDir)) {
      expect(bytes.includes(Buffer.from(marker)), path).toBe(false);
    }
    const rows = await dumpTenant(harness, web.tenant);
    expect(rows).not.toContain(marker);
    expect(rows).not.toContain('Taxes 2026');
    expect(harness.logs()).not.toContain(marker);
  });
});
