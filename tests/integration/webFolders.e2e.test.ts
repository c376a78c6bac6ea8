import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dumpTenant } from './support/databaseDump.ts';
import { readAllFiles, storageEngine } from './support/relayHarness.ts';
import type { WebAppPage } from './support/WebAppPage.ts';
import { TIMEOUT, newCredentials, webAppSuite } from './support/webAppSuite.ts';

/** The documents list's controls, by the names a person reads. */
function listOf(app: WebAppPage) {
  const page = app.page;
  const list = page.getByRole('list', { name: 'Your documents' });
  return {
    list,
    folder: (name: string) => page.getByRole('button', { name: `Open folder ${name}`, exact: true }),
    document: (title: string) => list.getByRole('link', { name: title, exact: true }),
    async goHome(): Promise<void> {
      const home = page.getByRole('navigation', { name: 'Folders' }).getByRole('button', { name: 'Home' });
      if ((await home.count()) > 0) await home.click();
    },
    async newFolder(name: string): Promise<void> {
      await page.getByRole('button', { name: 'New folder' }).click();
      await page.getByRole('textbox', { name: 'Folder name' }).fill(name);
      await page.getByRole('button', { name: 'Create folder' }).click();
      await page.getByRole('button', { name: `Open folder ${name}`, exact: true }).waitFor({ timeout: TIMEOUT });
    },
    async waitFor(locator: ReturnType<Page['getByRole']>): Promise<void> {
      await locator.waitFor({ state: 'visible', timeout: TIMEOUT });
    },
  };
}

/** Creates a document or a note with the list's button, types into it, and comes back to the list once saved. */
async function createAndWrite(
  app: WebAppPage,
  button: 'New document' | 'New note',
  title: string | null,
  text: string,
) {
  const page = app.page;
  await page.getByRole('button', { name: button }).click();
  const body = page.getByRole('textbox', { name: 'Document text' });
  await body.waitFor({ state: 'visible', timeout: TIMEOUT });
  if (title !== null) await page.getByRole('textbox', { name: 'Title' }).fill(title);
  await body.click();
  await page.keyboard.type(text);
  await expect.poll(() => page.locator('.sync-pill').textContent(), { timeout: TIMEOUT }).toBe('Saved');
  await page.getByRole('link', { name: '← Documents' }).click();
  await app.waitForHeading('Documents');
}

/**
 * Folders and notes in the web app, built with Vite and served by a real
 * relay, driven in headless Chromium: folders live in the user's own
 * encrypted folder document, so they follow the user to another device and
 * offline, and the relay never reads a folder's name. Screens are saved to
 * /tmp/coffre-shots/ (folders-*).
 */
describe(`web app folders and notes in Chromium (${storageEngine})`, () => {
  const web = webAppSuite();
  const newApp = () => web.newApp();

  it('keeps folders, notes and where each document is across a reload, on a second device and offline, and never in the clear on the relay', async () => {
    const credentials = newCredentials('fiona');
    const laptop = await newApp();
    await laptop.signUp(credentials);
    await laptop.page.getByRole('heading', { name: 'No documents here yet' }).waitFor({ timeout: TIMEOUT });
    const onLaptop = listOf(laptop);

    // A folder, and a document made inside it.
    await onLaptop.newFolder('Projects');
    await onLaptop.folder('Projects').click();
    await laptop.page.getByRole('heading', { name: '“Projects” is empty' }).waitFor({ timeout: TIMEOUT });
    await laptop.screenshot('folders-02-empty-folder');
    await laptop.audit('folders-02-empty-folder');
    await createAndWrite(laptop, 'New document', 'Budget plan', 'Rent, tools and seeds.');
    // Back from the editor, the list is still in the folder.
    await onLaptop.waitFor(onLaptop.document('Budget plan'));
    expect(await laptop.page.getByRole('navigation', { name: 'Folders' }).textContent()).toContain('Projects');

    // A note at the top level: untitled, listed under its first line, with a note badge.
    await onLaptop.goHome();
    await createAndWrite(laptop, 'New note', null, 'Call the plumber');
    await onLaptop.waitFor(onLaptop.document('Call the plumber'));
    expect(await onLaptop.list.locator('.badge-note').count()).toBe(1);
    expect(await onLaptop.document('Budget plan').count()).toBe(0);

    // Move the note into Projects with the keyboard-usable dialog.
    await laptop.page.getByRole('button', { name: 'Move to…, Call the plumber' }).click();
    const dialog = laptop.page.getByRole('dialog', { name: 'Move “Call the plumber”' });
    await dialog.waitFor({ timeout: TIMEOUT });
    expect(await dialog.getByRole('radio', { name: 'Home (no folder)' }).isChecked()).toBe(true);
    await laptop.page.keyboard.press('ArrowDown');
    expect(await dialog.getByRole('radio', { name: 'Projects' }).isChecked()).toBe(true);
    await laptop.screenshot('folders-03-move-dialog');
    await laptop.audit('folders-03-move-dialog');
    await dialog.getByRole('button', { name: 'Move', exact: true }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => onLaptop.document('Call the plumber').count()).toBe(0);

    // Rename the folder; inside it, the filter tells notes from documents.
    await laptop.page.getByRole('button', { name: 'Rename folder Projects' }).click();
    await laptop.page.getByRole('textbox', { name: 'Folder name' }).fill('Client work');
    await laptop.page.getByRole('button', { name: 'Save' }).click();
    await onLaptop.waitFor(onLaptop.folder('Client work'));
    await laptop.screenshot('folders-01-list');
    await laptop.audit('folders-01-list');
    await laptop.page.setViewportSize({ width: 390, height: 844 });
    await laptop.screenshot('folders-01b-list-phone');
    await laptop.audit('folders-01b-list-phone');
    await laptop.page.setViewportSize({ width: 1280, height: 900 });
    await onLaptop.folder('Client work').click();
    await onLaptop.waitFor(onLaptop.document('Call the plumber'));
    await onLaptop.waitFor(onLaptop.document('Budget plan'));
    await laptop.page.getByRole('button', { name: 'Notes', exact: true }).click();
    await expect.poll(() => onLaptop.document('Budget plan').count()).toBe(0);
    expect(await onLaptop.document('Call the plumber').count()).toBe(1);
    await laptop.screenshot('folders-04-folder-notes');
    await laptop.audit('folders-04-folder-notes');
    await laptop.page.getByRole('button', { name: 'All', exact: true }).click();

    // After a reload and unlock, the tree is there.
    await laptop.page.reload();
    await laptop.waitForHeading('Unlock Coffre');
    await laptop.page.getByLabel('Password', { exact: true }).fill(credentials.password);
    await laptop.page.getByRole('button', { name: 'Unlock' }).click();
    await laptop.waitForHeading('Documents');
    await onLaptop.folder('Client work').click({ timeout: TIMEOUT });
    await onLaptop.waitFor(onLaptop.document('Budget plan'));
    await onLaptop.waitFor(onLaptop.document('Call the plumber'));
    await onLaptop.goHome();

    // A second device of the same user sees the same folders and placement.
    const phone = await newApp();
    await phone.logIn(credentials);
    const onPhone = listOf(phone);
    await onPhone.folder('Client work').click({ timeout: TIMEOUT });
    await onPhone.waitFor(onPhone.document('Budget plan'));
    await onPhone.waitFor(onPhone.document('Call the plumber'));
    await onPhone.goHome();

    // A folder made offline reaches the other device once back online.
    await laptop.page.context().setOffline(true);
    await expect
      .poll(() => laptop.page.getByText('You are offline: these are the documents kept on this device.').count(), {
        timeout: TIMEOUT,
      })
      .toBe(1);
    await onLaptop.newFolder('Offline ideas');
    await laptop.screenshot('folders-05-offline');
    await laptop.audit('folders-05-offline');
    await laptop.page.context().setOffline(false);
    await onPhone.waitFor(onPhone.folder('Offline ideas'));

    // Deleting a folder puts its documents back at the top level, on both devices.
    await laptop.page.getByRole('button', { name: 'Delete folder Client work' }).click();
    await laptop.page
      .getByRole('group', { name: 'Delete folder Client work?' })
      .getByRole('button', { name: 'Delete folder' })
      .click();
    await onLaptop.waitFor(onLaptop.document('Budget plan'));
    await onLaptop.waitFor(onLaptop.document('Call the plumber'));
    expect(await onLaptop.folder('Client work').count()).toBe(0);
    await onPhone.waitFor(onPhone.document('Budget plan'));
    await onPhone.waitFor(onPhone.document('Call the plumber'));
    expect(await onPhone.folder('Client work').count()).toBe(0);

    // Folder names are content: the relay holds them only as ciphertext, and so does the device.
    const relayHolds = [
      await dumpTenant(web.harness, web.tenant),
      ...(await readAllFiles(web.harness.dataDir)).map((file) => file.bytes.toString('latin1')),
      web.harness.logs(),
    ].join('\n');
    expect(relayHolds).toContain('folders-');
    for (const secret of ['Projects', 'Client work', 'Offline ideas', 'Budget plan', 'plumber']) {
      expect(relayHolds).not.toContain(secret);
    }
    const stored = await laptop.dumpStorage();
    for (const secret of ['Client work', 'Offline ideas']) expect(stored.text).not.toContain(secret);
  });
});
