import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AccountClient, Workspace, YjsEngine } from '@coffre/client';
import { documentId } from '@coffre/protocol';
import { dumpTenant } from './support/databaseDump.ts';
import { randomId, readAllFiles, storageEngine } from './support/relayHarness.ts';
import {
  PASSWORD,
  TIMEOUT,
  backToDocuments,
  createDocument,
  editorOf,
  newCredentials,
  openFromList,
  webAppSuite,
  writeDocument,
} from './support/webAppSuite.ts';

/**
 * The documents of the web app, built with Vite and served by a real relay,
 * driven in headless Chromium: create, write, reload, a second device of the
 * same user editing in real time, offline edits, rename, search and delete.
 * Screens are saved to /tmp/coffre-shots/ (docs-*).
 */
describe(`web app documents in Chromium (${storageEngine})`, () => {
  const web = webAppSuite();

  it('creates a document, keeps its title and text across a reload and unlock, and never stores them in the clear', async () => {
    const app = await web.newApp();
    const credentials = newCredentials('ada');
    await app.signUp(credentials);
    await app.page.getByRole('heading', { name: 'No documents here yet' }).waitFor({ timeout: TIMEOUT });
    expect(await app.page.getByText('No documents yet — create your first one.').count()).toBe(1);
    await app.screenshot('docs-01-list-empty');
    await app.audit('docs-01-list-empty');

    const documentId = await createDocument(app);
    const editor = editorOf(app);
    await editor.title.fill('Expedition plans');
    await editor.text.click();
    await app.page.keyboard.type('Pack the blue tent and three maps.');
    // The toolbar formats what comes next: a heading, then a task list.
    await app.page.keyboard.press('Enter');
    await editor.toolbar.getByRole('button', { name: 'Heading 2' }).click();
    await app.page.keyboard.type('Checklist');
    await app.page.keyboard.press('Enter');
    await editor.toolbar.getByRole('button', { name: 'Task list' }).click();
    await app.page.keyboard.type('Stove');
    expect(await editor.toolbar.getByRole('button', { name: 'Task list' }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => editor.statusText(), { timeout: TIMEOUT }).toBe('Saved');
    expect(await editor.toolbar.getByRole('button').count()).toBeGreaterThanOrEqual(12);
    await app.screenshot('docs-02-editor');
    await app.audit('docs-02-editor');

    // Arrow keys move between the toolbar's buttons.
    await editor.toolbar.getByRole('button', { name: 'Bold' }).focus();
    await app.page.keyboard.press('ArrowRight');
    expect(await app.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Italic');

    // Export is built on the device, the title as the first heading.
    const [download] = await Promise.all([
      app.page.waitForEvent('download'),
      app.page.getByRole('button', { name: 'Export Markdown' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('Expedition plans.md');
    const markdown = await readFile(await download.path(), 'utf8');
    expect(markdown).toBe('# Expedition plans\n\nPack the blue tent and three maps.\n\n## Checklist\n\n- [ ] Stove\n');

    await backToDocuments(app);
    const list = app.page.getByRole('list', { name: 'Your documents' });
    await expect.poll(() => list.getByRole('link', { name: 'Expedition plans' }).count()).toBe(1);
    await app.screenshot('docs-03-list-one');
    await app.audit('docs-03-list-one');

    // Nothing readable on the relay: not in its database, its files or its logs.
    const relayHolds = [
      await dumpTenant(web.harness, web.tenant),
      ...(await readAllFiles(web.harness.dataDir)).map((file) => file.bytes.toString('latin1')),
      web.harness.logs(),
    ].join('\n');
    expect(relayHolds).toContain(documentId);
    for (const secret of ['Expedition plans', 'blue tent', 'Checklist']) expect(relayHolds).not.toContain(secret);

    // Nothing readable on this device: the title is sealed in the catalog, the text in the envelope.
    const stored = await app.dumpStorage();
    expect(stored.databases.some((name) => name.startsWith('coffre-local/'))).toBe(true);
    expect(stored.text).not.toContain('Expedition plans');
    expect(stored.text).not.toContain('blue tent');

    await app.page.reload();
    await app.waitForHeading('Unlock Coffre');
    await app.page.getByLabel('Password', { exact: true }).fill(credentials.password);
    await app.page.getByRole('button', { name: 'Unlock' }).click();
    await app.waitForHeading('Documents');
    await list.getByRole('link', { name: 'Expedition plans' }).click();
    await editor.waitOpen();
    await expect
      .poll(() => editor.bodyText(), { timeout: TIMEOUT })
      .toBe('Pack the blue tent and three maps.\nChecklist\nStove');
    expect(await editor.title.inputValue()).toBe('Expedition plans');

    // Logging out from the editor closes the document and the account's database without an error.
    await app.logOut();
  });

  it('shows what another device of the same user types, and the other way round, through the relay', async () => {
    const credentials = newCredentials('bea');
    const laptop = await web.newApp();
    await laptop.signUp(credentials);
    await createDocument(laptop);
    const onLaptop = editorOf(laptop);
    await onLaptop.title.fill('Shared notes');
    await onLaptop.text.click();
    await laptop.page.keyboard.type('Written on the laptop.');
    await expect.poll(() => onLaptop.statusText(), { timeout: TIMEOUT }).toBe('Saved');

    const phone = await web.newApp();
    await phone.logIn(credentials);
    await openFromList(phone, 'Shared notes');
    const onPhone = editorOf(phone);
    await expect.poll(() => onPhone.bodyText(), { timeout: TIMEOUT }).toBe('Written on the laptop.');

    await onPhone.caretToEnd();
    await phone.page.keyboard.press('Enter');
    await phone.page.keyboard.type('Answered from the phone.');
    await expect
      .poll(() => onLaptop.bodyText(), { timeout: TIMEOUT })
      .toBe('Written on the laptop.\nAnswered from the phone.');
    // Each sees the other's caret, named by the device that signed it (this user's other device).
    await expect
      .poll(() => laptop.page.getByText('Also here: You (another device)').count(), { timeout: TIMEOUT })
      .toBe(1);
    await laptop.screenshot('docs-04-two-devices');
    await laptop.audit('docs-04-two-devices');
  });

  it('keeps edits made offline on the device, says so, and saves them once back online', async () => {
    const app = await web.newApp();
    await app.signUp(newCredentials('cleo'));
    await createDocument(app);
    const editor = editorOf(app);
    await writeDocument(app, 'Field journal', 'Day one.');

    await app.page.context().setOffline(true);
    await expect.poll(() => editor.statusText(), { timeout: TIMEOUT }).toMatch(/^Offline/);
    await app.page.keyboard.press('Enter');
    await app.page.keyboard.type('Day two, no signal.');
    await expect
      .poll(() => editor.statusText(), { timeout: TIMEOUT })
      .toMatch(/^Offline — \d+ changes? on this device$/);
    await app.screenshot('docs-05-editor-offline');
    await app.audit('docs-05-editor-offline');

    // Offline, the list is this device's catalog, and the document opens from IndexedDB.
    await backToDocuments(app);
    await expect
      .poll(() => app.page.getByText('You are offline: these are the documents kept on this device.').count())
      .toBe(1);
    await app.screenshot('docs-05b-list-offline');
    await app.audit('docs-05b-list-offline');
    await app.page.getByRole('link', { name: 'Field journal' }).click();
    await editor.waitOpen();
    await expect.poll(() => editor.bodyText(), { timeout: TIMEOUT }).toBe('Day one.\nDay two, no signal.');
    await expect
      .poll(() => editor.statusText(), { timeout: TIMEOUT })
      .toMatch(/^Offline — \d+ changes? on this device$/);

    await app.page.context().setOffline(false);
    await expect.poll(() => editor.statusText(), { timeout: TIMEOUT }).toBe('Saved');
    // The list follows the network: back online, it is the relay's again.
    await backToDocuments(app);
    await expect.poll(() => app.page.getByText('Created ', { exact: false }).count(), { timeout: TIMEOUT }).toBe(1);
    expect(await app.page.getByText('You are offline').count()).toBe(0);

    // What the relay holds is what a second device reads.
    const other = await web.newApp();
    await other.logIn({ email: (await app.page.locator('.account-email').textContent()) ?? '', password: PASSWORD });
    await other.page.getByRole('link', { name: 'Field journal' }).click({ timeout: TIMEOUT });
    await editorOf(other).waitOpen();
    await expect.poll(() => editorOf(other).bodyText(), { timeout: TIMEOUT }).toBe('Day one.\nDay two, no signal.');
  });

  it('lists a document another member shared for reading, and opens it without a way to edit it', async () => {
    const app = await web.newApp();
    const credentials = newCredentials('ella');
    await app.signUp(credentials);

    // Another member writes a document in Node and shares it with Ella as a viewer.
    const bob = new AccountClient({ baseUrl: web.harness.httpUrl });
    await bob.register(web.tenant, `bob-${randomId('b')}@example.test`, PASSWORD, 'Bob’s laptop');
    const workspace = await Workspace.open({ account: bob });
    const id = documentId('board-minutes');
    await workspace.createDocument(id);
    const document = await workspace.openDocument(id, new YjsEngine());
    const doc = document.engine.doc;
    doc.transact(() => {
      doc.getMap('meta').set('title', 'Board minutes');
      const paragraph = new Y.XmlElement('paragraph');
      paragraph.insert(0, [new Y.XmlText('The board approved the budget.')]);
      doc.getXmlFragment('content').insert(0, [paragraph]);
    });
    await document.whenSaved();
    await workspace.share(id, credentials.email, 'viewer');

    await app.goTo('Devices');
    await app.goTo('Documents');
    const row = app.page.getByRole('list', { name: 'Your documents' }).getByRole('listitem');
    await expect.poll(() => row.getByRole('link', { name: 'Board minutes' }).count(), { timeout: TIMEOUT }).toBe(1);
    expect(await row.getByText('Can view').count()).toBe(1);
    expect(await row.getByRole('button').count()).toBe(0);
    await app.screenshot('docs-09-list-shared');
    await app.audit('docs-09-list-shared');

    await row.getByRole('link', { name: 'Board minutes' }).click();
    const editor = editorOf(app);
    await editor.waitOpen();
    await expect.poll(() => editor.bodyText(), { timeout: TIMEOUT }).toBe('The board approved the budget.');
    expect(await editor.toolbar.count()).toBe(0);
    expect(await editor.text.getAttribute('contenteditable')).toBe('false');
    expect(await editor.title.getAttribute('readonly')).not.toBeNull();
    expect(await app.page.getByText('You can read this document; its owner has not let you edit it.').count()).toBe(1);
    await app.screenshot('docs-10-editor-read-only');
    await app.audit('docs-10-editor-read-only');
    document.destroy();
    bob.close();
  });

  it('renames, searches titles and text on the device, and deletes after a confirmation', async () => {
    const app = await web.newApp();
    const credentials = newCredentials('dina');
    await app.signUp(credentials);
    const editor = editorOf(app);
    for (const [title, text] of [
      ['Budget 2027', 'Rent, salaries and the new espresso machine.'],
      ['Hiring plan', 'Two engineers and one designer.'],
    ] as const) {
      await app.open('/');
      await app.waitForHeading('Documents');
      await createDocument(app);
      await writeDocument(app, title, text);
    }
    await backToDocuments(app);
    // After a reload, titles come from this device's sealed catalog, the search from its sealed index.
    await app.page.reload();
    await app.waitForHeading('Unlock Coffre');
    await app.page.getByLabel('Password', { exact: true }).fill(credentials.password);
    await app.page.getByRole('button', { name: 'Unlock' }).click();
    await app.waitForHeading('Documents');
    const list = app.page.getByRole('list', { name: 'Your documents' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
    expect(await list.getByRole('link', { name: 'Budget 2027' }).count()).toBe(1);

    const search = app.page.getByRole('searchbox', { name: 'Search documents' });
    await search.fill('espresso');
    await expect.poll(() => list.getByRole('listitem').count(), { timeout: TIMEOUT }).toBe(1);
    expect(await list.getByRole('link', { name: 'Budget 2027' }).count()).toBe(1);
    await app.screenshot('docs-06-list-search');
    await app.audit('docs-06-list-search');
    await search.fill('nothing like this');
    await expect.poll(() => app.page.getByText('No document matches “nothing like this”.').count()).toBe(1);
    await search.fill('');

    await app.page.getByRole('button', { name: 'Rename Hiring plan' }).click();
    await app.page.getByRole('textbox', { name: 'New title' }).fill('Hiring plan (draft)');
    await app.page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => list.getByRole('link', { name: 'Hiring plan (draft)' }).count(), { timeout: TIMEOUT })
      .toBe(1);

    await app.page.getByRole('button', { name: 'Delete Budget 2027' }).click();
    await app.screenshot('docs-07-list-confirm-delete');
    await app.audit('docs-07-list-confirm-delete');
    await app.page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => list.getByRole('listitem').count(), { timeout: TIMEOUT }).toBe(1);
    await app.screenshot('docs-08-list-after-delete');
    await app.audit('docs-08-list-after-delete');

    // The new title is in the document itself: it opens with it.
    await list.getByRole('link', { name: 'Hiring plan (draft)' }).click();
    await editor.waitOpen();
    await expect.poll(() => editor.title.inputValue(), { timeout: TIMEOUT }).toBe('Hiring plan (draft)');
  });
});
