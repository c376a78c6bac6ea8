import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AccountClient, Workspace, YjsEngine } from '@coffre/client';
import { documentId } from '@coffre/protocol';
import { randomId, storageEngine } from './support/relayHarness.ts';
import type { WebAppPage } from './support/WebAppPage.ts';
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

/** The document screen and its History dialog, by the names a person reads. */
function screenOf(app: WebAppPage) {
  const page = app.page;
  const dialog = page.getByRole('dialog', { name: 'Version history' });
  const versions = dialog.getByRole('list', { name: 'Versions' });
  return {
    ...editorOf(app),
    dialog,
    versions,
    versionText: dialog.getByRole('document', { name: 'Text of this version' }),
    /** The document's text (not the version shown in the dialog), one line per paragraph or heading. */
    async bodyText(): Promise<string> {
      return page
        .locator('.doc-prose')
        .first()
        .evaluate((element) => {
          const copy = element.cloneNode(true) as HTMLElement;
          for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
          return Array.from(copy.querySelectorAll('p, h1, h2, h3'), (block) => block.textContent ?? '').join('\n');
        });
    },
    async openHistory(): Promise<void> {
      await page.getByRole('button', { name: 'History' }).click();
      await dialog.waitFor({ state: 'visible', timeout: TIMEOUT });
    },
    /** Each listed version's text (name, time, author), newest first. */
    async listed(): Promise<string[]> {
      return versions.getByRole('button').allTextContents();
    },
  };
}

/**
 * Version history in the web app, built with Vite and served by a real
 * relay, in headless Chromium: a named version saved by hand, listed with
 * its time and author; an old version read without touching the document;
 * restoring it as a new change after keeping the current text; another
 * device of the same user seeing both. Screens are saved to
 * /tmp/coffre-shots/ (history-*).
 */
describe(`web app version history in Chromium (${storageEngine})`, () => {
  const web = webAppSuite();

  it('lists a named version with its time and author, shows it read-only, restores it, and another device sees both', async () => {
    const credentials = newCredentials('vera');
    const laptop = await web.newApp();
    await laptop.signUp(credentials);
    await createDocument(laptop);
    const screen = screenOf(laptop);

    // An empty history says when versions appear.
    await screen.openHistory();
    await screen.dialog
      .getByText('No versions yet — versions are saved when you leave a document or every 10 minutes while you edit.')
      .waitFor({ timeout: TIMEOUT });
    await laptop.screenshot('history-01-empty');
    await laptop.audit('history-01-empty');
    // Escape closes it, and focus goes back to the History button.
    await laptop.page.keyboard.press('Escape');
    await screen.dialog.waitFor({ state: 'hidden', timeout: TIMEOUT });
    expect(await laptop.page.evaluate(() => document.activeElement?.textContent)).toBe('History');

    await writeDocument(laptop, 'Field notes', 'First version');

    // A version saved by hand, with a name.
    await screen.openHistory();
    await screen.dialog.getByLabel('Name of the version (optional)').fill('Draft');
    await screen.dialog.getByRole('button', { name: 'Save version' }).click();
    await screen.dialog.getByText('Saved “Draft”.').waitFor({ timeout: TIMEOUT });
    await laptop.page.keyboard.press('Escape');
    await screen.dialog.waitFor({ state: 'hidden', timeout: TIMEOUT });

    await screen.caretToEnd();
    await laptop.page.keyboard.press('Enter');
    await laptop.page.keyboard.type('Then a second paragraph.');
    await expect.poll(() => screen.bodyText(), { timeout: TIMEOUT }).toBe('First version\nThen a second paragraph.');
    await expect.poll(() => screen.statusText(), { timeout: TIMEOUT }).toBe('Saved');

    // The list: the name, when (today, and how long ago) and who.
    await screen.openHistory();
    const [draft, ...others] = await screen.listed();
    expect(others).toEqual([]);
    expect(draft).toMatch(/^Draft/);
    expect(draft).toMatch(/Today \d{1,2}:\d{2}/);
    expect(draft).toContain('just now');
    expect(draft).toContain('You (this device)');

    // Reading it changes nothing in the document.
    await screen.versions.getByRole('button', { name: /^Draft/ }).click();
    await expect.poll(() => screen.versionText.textContent(), { timeout: TIMEOUT }).toBe('First version');
    expect(await screen.dialog.getByText('Field notes', { exact: true }).count()).toBe(1);
    expect(await screen.versionText.getAttribute('contenteditable')).toBe('false');
    await laptop.screenshot('history-02-version');
    await laptop.audit('history-02-version');
    // The arrow keys move along the list, which is focusable.
    await screen.versions.getByRole('button', { name: /^Draft/ }).focus();
    await laptop.page.keyboard.press('End');
    expect(await laptop.page.evaluate(() => document.activeElement?.className)).toBe('history-item');

    // Restoring asks first, says the current text is kept, and Escape only cancels the question.
    await screen.dialog.getByRole('button', { name: 'Restore this version' }).click();
    const confirm = screen.dialog.getByRole('group', { name: 'Restore this version?' });
    await confirm.getByText('The current text is kept as a version, so you can undo this.').waitFor();
    await laptop.screenshot('history-03-confirm');
    await laptop.audit('history-03-confirm');
    await laptop.page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden', timeout: TIMEOUT });
    expect(await screen.dialog.isVisible()).toBe(true);
    await screen.dialog.getByRole('button', { name: 'Restore this version' }).click();
    await confirm.getByRole('button', { name: 'Restore', exact: true }).click();
    await screen.dialog.getByText(/^Restored the version of Today/).waitFor({ timeout: TIMEOUT });
    await expect
      .poll(async () => (await screen.listed()).map((item) => item.split('Today')[0]), { timeout: TIMEOUT })
      .toEqual(['Before restoring an earlier version', 'Draft']);
    await laptop.screenshot('history-04-restored');
    await laptop.audit('history-04-restored');
    await laptop.page.keyboard.press('Escape');
    await screen.dialog.waitFor({ state: 'hidden', timeout: TIMEOUT });
    await expect.poll(() => screen.bodyText(), { timeout: TIMEOUT }).toBe('First version');
    await expect.poll(() => screen.statusText(), { timeout: TIMEOUT }).toBe('Saved');

    // The version kept before restoring holds the text that was replaced.
    await screen.openHistory();
    await screen.versions.getByRole('button', { name: /^Before restoring/ }).click();
    await expect
      .poll(() => screen.versionText.locator('p').allTextContents(), { timeout: TIMEOUT })
      .toEqual(['First version', 'Then a second paragraph.']);
    await laptop.page.keyboard.press('Escape');

    // Another device of the same user: the restored text, and the versions by "another device".
    const phone = await web.newApp();
    await phone.logIn(credentials);
    await openFromList(phone, 'Field notes');
    const onPhone = screenOf(phone);
    await expect.poll(() => onPhone.bodyText(), { timeout: TIMEOUT }).toBe('First version');
    await onPhone.openHistory();
    await expect.poll(async () => (await onPhone.listed()).length, { timeout: TIMEOUT }).toBe(2);
    const listed = await onPhone.listed();
    expect(listed[0]).toMatch(/^Before restoring an earlier version/);
    expect(listed[1]).toMatch(/^Draft/);
    await expect
      .poll(async () => (await onPhone.listed()).every((item) => item.endsWith('You (another device)')), {
        timeout: TIMEOUT,
      })
      .toBe(true);
    await onPhone.versions.getByRole('button', { name: /^Draft/ }).click();
    await expect.poll(() => onPhone.versionText.textContent(), { timeout: TIMEOUT }).toBe('First version');
    await phone.screenshot('history-05-other-device');
    await phone.audit('history-05-other-device');
    // On a phone's width the list and the version stack.
    await phone.page.setViewportSize({ width: 390, height: 844 });
    await phone.screenshot('history-06-phone');
    await phone.audit('history-06-phone');
  });

  it('shows a member’s versions under their email to a viewer, who can read them but not restore or save', async () => {
    const app = await web.newApp();
    const credentials = newCredentials('ella');
    await app.signUp(credentials);

    // Another member writes a document in Node, keeps a version of it, and shares it with Ella as a viewer.
    const bobEmail = `bob-${randomId('b')}@example.test`;
    const bob = new AccountClient({ baseUrl: web.harness.httpUrl });
    await bob.register(web.tenant, bobEmail, PASSWORD, 'Bob’s laptop');
    const workspace = await Workspace.open({ account: bob });
    const id = documentId('minutes');
    await workspace.createDocument(id);
    const document = await workspace.openDocument(id, new YjsEngine());
    const doc = document.engine.doc;
    const write = (text: string) =>
      doc.transact(() => {
        const content = doc.getXmlFragment('content');
        content.delete(0, content.length);
        const paragraph = new Y.XmlElement('paragraph');
        paragraph.insert(0, [new Y.XmlText(text)]);
        content.insert(0, [paragraph]);
      });
    doc.getMap('meta').set('title', 'Minutes');
    write('Agenda: budget.');
    document.history.save('Agenda');
    write('The board approved the budget.');
    await document.whenSaved();
    await workspace.share(id, credentials.email, 'viewer');

    await app.goTo('Devices');
    await app.goTo('Documents');
    await app.page.getByRole('link', { name: 'Minutes' }).click({ timeout: TIMEOUT });
    const screen = screenOf(app);
    await screen.waitOpen();
    await expect.poll(() => screen.bodyText(), { timeout: TIMEOUT }).toBe('The board approved the budget.');
    await screen.openHistory();
    await expect.poll(() => screen.listed(), { timeout: TIMEOUT }).toHaveLength(1);
    await expect
      .poll(async () => (await screen.listed())[0], { timeout: TIMEOUT })
      .toMatch(new RegExp(`^Agenda.*${bobEmail}$`));
    expect(await screen.dialog.getByText('You can read earlier versions; only editors can restore them.').count()).toBe(
      1,
    );
    expect(await screen.dialog.getByRole('button', { name: 'Save version' }).count()).toBe(0);
    await screen.versions.getByRole('button', { name: /^Agenda/ }).click();
    await expect.poll(() => screen.versionText.textContent(), { timeout: TIMEOUT }).toBe('Agenda: budget.');
    expect(await screen.dialog.getByRole('button', { name: 'Restore this version' }).count()).toBe(0);
    await app.screenshot('history-07-viewer');
    await app.audit('history-07-viewer');
    document.destroy();
    bob.close();
  });

  it('saves a version when the writer leaves a document it changed, and not when nothing changed', async () => {
    const app = await web.newApp();
    await app.signUp(newCredentials('otto'));
    await createDocument(app);
    const screen = screenOf(app);
    await screen.text.click();
    await app.page.keyboard.type('Kept when I leave');
    await expect.poll(() => screen.statusText(), { timeout: TIMEOUT }).toBe('Saved');
    const url = app.page.url();

    await backToDocuments(app);
    await app.page.goto(url);
    await screen.waitOpen();
    await screen.openHistory();
    await expect.poll(() => screen.listed(), { timeout: TIMEOUT }).toHaveLength(1);
    const [saved] = await screen.listed();
    expect(saved).toMatch(/^Saved automatically/);
    await screen.versions.getByRole('button').first().click();
    await expect.poll(() => screen.versionText.textContent(), { timeout: TIMEOUT }).toBe('Kept when I leave');
    await app.page.keyboard.press('Escape');

    // Leaving again without a change adds nothing.
    await backToDocuments(app);
    await app.page.goto(url);
    await screen.waitOpen();
    await screen.openHistory();
    await expect.poll(() => screen.listed(), { timeout: TIMEOUT }).toHaveLength(1);
  });
});
