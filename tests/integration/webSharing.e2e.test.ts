import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccountClient } from '@coffre/client';
import { randomId, storageEngine } from './support/relayHarness.ts';
import type { WebAppPage } from './support/WebAppPage.ts';
import {
  PASSWORD,
  TIMEOUT,
  createDocument as createWebDocument,
  editorOf,
  newCredentials,
  webAppSuite,
  writeDocument,
} from './support/webAppSuite.ts';

const SAFETY_NUMBER = /^(\d{5} ){11}\d{5}$/;

/** The share dialog of the open document. */
function shareDialogOf(app: WebAppPage) {
  const dialog = app.page.getByRole('dialog', { name: 'Share this document' });
  return {
    dialog,
    async open(): Promise<void> {
      await app.page.getByRole('button', { name: 'Share', exact: true }).click();
      await dialog.waitFor({ state: 'visible', timeout: TIMEOUT });
    },
    /** The digits shown under a label, e.g. "Safety number of bea@…", as one string of groups. */
    async safetyNumber(label: string): Promise<string> {
      const figure = dialog.locator('figure.safety-number', { has: app.page.getByText(label, { exact: true }) });
      return ((await figure.locator('.safety-number-digits').textContent({ timeout: TIMEOUT })) ?? '')
        .replace(/(\d{5})(?=\d)/g, '$1 ')
        .trim();
    },
    members: dialog.getByRole('list', { name: 'People with access' }),
  };
}

async function createDocument(app: WebAppPage, title: string, text: string): Promise<string> {
  const documentId = await createWebDocument(app);
  await writeDocument(app, title, text);
  return documentId;
}

/** Types at the end of the document, on a new line. */
async function appendLine(app: WebAppPage, text: string): Promise<void> {
  const editor = editorOf(app);
  await editor.caretToEnd();
  await app.page.keyboard.press('Enter');
  await app.page.keyboard.type(text);
  await expect.poll(() => editor.statusText(), { timeout: TIMEOUT }).toBe('Saved');
}

/**
 * Sharing in the web app, built with Vite and served by a real relay, in
 * headless Chromium: a member invited by email (safety number the first
 * time, a refusal while their keys look changed), editing together, removal
 * with a key rotation, share links for people without an account, and the
 * dialog with the keyboard alone. Screens go to /tmp/coffre-shots/ (share-*).
 */
describe(`web app sharing in Chromium (${storageEngine})`, () => {
  const web = webAppSuite({ teardownTimeout: 180_000 });

  it('shares with a member as editor after showing their safety number, edits together live, and after removal nothing new reaches them', async () => {
    const ada = await web.newApp();
    const bea = await web.newApp();
    const adaCredentials = newCredentials('ada');
    const beaCredentials = newCredentials('bea');
    await ada.signUp(adaCredentials);
    await bea.signUp(beaCredentials);

    const documentId = await createDocument(ada, 'Trip notes', 'Written by Ada.');
    const onAda = editorOf(ada);
    const share = shareDialogOf(ada);
    await share.open();
    await share.dialog.getByLabel('Email address').fill(beaCredentials.email);
    expect(await share.dialog.getByLabel('Role').inputValue()).toBe('editor');
    await share.dialog.getByRole('button', { name: 'Invite' }).click();

    // The first time: Bea's safety number and how to compare it, before anything is shared.
    await share.dialog.getByText(`First time sharing with ${beaCredentials.email}`).waitFor({ timeout: TIMEOUT });
    const beaAsSeenByAda = await share.safetyNumber(`Safety number of ${beaCredentials.email}`);
    expect(beaAsSeenByAda).toMatch(SAFETY_NUMBER);
    expect(await share.dialog.getByText('read it aloud in a phone or video call', { exact: false }).count()).toBe(1);
    await ada.screenshot('share-01-first-time-safety-number');
    await ada.audit('share-01-first-time-safety-number');
    await share.dialog.getByRole('button', { name: 'Share as editor' }).click();
    await share.dialog
      .getByText(`${beaCredentials.email} can now read and edit this document.`)
      .waitFor({ timeout: TIMEOUT });
    const beaRow = share.members.getByRole('listitem').filter({ hasText: beaCredentials.email });
    await expect.poll(() => beaRow.getByText('Can edit').count(), { timeout: TIMEOUT }).toBe(1);
    await ada.screenshot('share-02-member-added');
    await ada.audit('share-02-member-added');
    await ada.page.keyboard.press('Escape');
    await share.dialog.waitFor({ state: 'detached' });

    // Bea finds the document in her list, reads Ada's text and writes; Ada sees it live.
    await bea.goTo('Devices');
    await bea.goTo('Documents');
    const beaList = bea.page.getByRole('list', { name: 'Your documents' });
    await expect.poll(() => beaList.getByRole('link', { name: 'Trip notes' }).count(), { timeout: TIMEOUT }).toBe(1);
    await beaList.getByRole('link', { name: 'Trip notes' }).click();
    const onBea = editorOf(bea);
    await onBea.waitOpen();
    await expect.poll(() => onBea.bodyText(), { timeout: TIMEOUT }).toBe('Written by Ada.');
    await appendLine(bea, 'Answered by Bea.');
    await expect.poll(() => onAda.bodyText(), { timeout: TIMEOUT }).toBe('Written by Ada.\nAnswered by Bea.');

    // Bea sees her own safety number, the one Ada compared; she cannot invite or remove anyone.
    const beaShare = shareDialogOf(bea);
    await beaShare.open();
    expect(await beaShare.safetyNumber(`Safety number of ${beaCredentials.email}`)).toBe(beaAsSeenByAda);
    expect(await beaShare.dialog.getByRole('button', { name: 'Invite' }).count()).toBe(0);
    // And Ada's, to compare the other way round.
    await beaShare.dialog.getByText('Safety number', { exact: true }).click();
    expect(await beaShare.safetyNumber(`Safety number of ${adaCredentials.email}`)).toMatch(SAFETY_NUMBER);
    expect(await beaShare.dialog.getByRole('button', { name: /^Remove/ }).count()).toBe(0);
    await bea.screenshot('share-03-member-view');
    await bea.audit('share-03-member-view');
    await beaShare.dialog.getByRole('button', { name: 'Close' }).click();

    // Ada removes Bea, after a confirmation that explains the new key.
    await share.open();
    await share.dialog.getByRole('button', { name: `Remove ${beaCredentials.email}` }).click();
    await share.dialog.getByText('cannot read anything written from now on', { exact: false }).waitFor();
    await ada.screenshot('share-04-confirm-remove');
    await ada.audit('share-04-confirm-remove');
    await share.dialog.getByRole('button', { name: 'Remove and change the key' }).click();
    await share.dialog
      .getByText(`${beaCredentials.email} was removed.`, { exact: false })
      .waitFor({ timeout: TIMEOUT });
    await expect.poll(() => share.members.getByRole('listitem').count(), { timeout: TIMEOUT }).toBe(1);
    await share.dialog.getByRole('button', { name: 'Close' }).click();

    await appendLine(ada, 'Written after Bea left.');
    // Bea's open copy never shows it, and the document no longer opens for her.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await onBea.bodyText()).not.toContain('after Bea left');
    await bea.screenshot('share-05a-removed-member-open-copy');
    await bea.audit('share-05a-removed-member-open-copy');
    await bea.open(`/d/${documentId}`);
    await bea.page.reload();
    await bea.waitForHeading('Unlock Coffre');
    await bea.page.getByLabel('Password', { exact: true }).fill(beaCredentials.password);
    await bea.page.getByRole('button', { name: 'Unlock' }).click();
    await bea.waitForHeading('This document could not be opened');
    expect(await bea.alert().textContent()).toBe('You do not have access to this document.');
    expect(await bea.page.getByText('after Bea left').count()).toBe(0);
    await bea.screenshot('share-05-removed-member');
    await bea.audit('share-05-removed-member');
    await bea.page.getByRole('link', { name: 'Back to documents' }).click();
    await bea.waitForHeading('Documents');
    await expect.poll(() => beaList.getByRole('link', { name: 'Trip notes' }).count(), { timeout: TIMEOUT }).toBe(0);

    // The relay serves other keys for Bea: a loud warning, and nothing is shared until they are accepted.
    const forged = {
      signingPublicKey: randomBytes(32).toString('base64url'),
      boxPublicKey: randomBytes(32).toString('base64url'),
    };
    await ada.page.route(
      (url) => url.pathname.endsWith('/users/lookup'),
      async (route) => {
        const response = await route.fetch();
        const keys = (await response.json()) as Record<string, unknown>;
        await route.fulfill({ response, json: { ...keys, ...forged } });
      },
    );
    await share.open();
    await share.dialog.getByLabel('Email address').fill(beaCredentials.email);
    await share.dialog.getByRole('button', { name: 'Invite' }).click();
    const warning = share.dialog.getByRole('alert').filter({ hasText: 'have changed' });
    await warning.waitFor({ timeout: TIMEOUT });
    expect(await warning.getByText(`Warning: the security keys of ${beaCredentials.email} have changed`).count()).toBe(
      1,
    );
    expect(await share.safetyNumber('Safety number you trusted before')).toBe(beaAsSeenByAda);
    expect(await share.safetyNumber('New safety number')).not.toBe(beaAsSeenByAda);
    const accept = share.dialog.getByRole('button', { name: 'Accept the new keys and share' });
    expect(await accept.isDisabled()).toBe(true);
    await warning.getByText('Warning: the security keys', { exact: false }).scrollIntoViewIfNeeded();
    await ada.screenshot('share-06-key-changed-warning');
    await ada.audit('share-06-key-changed-warning');
    await share.dialog.getByRole('button', { name: 'Do not share' }).click();
    await ada.page.unroute((url) => url.pathname.endsWith('/users/lookup'));
    await share.dialog.getByRole('button', { name: 'Close' }).click();
    expect(await onAda.bodyText()).toBe('Written by Ada.\nAnswered by Bea.\nWritten after Bea left.');
  }, 180_000);

  it('opens a read link without an account, an edit link with its password, and says a revoked link does not work any more', async () => {
    const ada = await web.newApp();
    const adaCredentials = newCredentials('ada');
    await ada.signUp(adaCredentials);
    await createDocument(ada, 'Public agenda', 'Meeting at ten.');
    const share = shareDialogOf(ada);
    await share.open();

    // A read link.
    await share.dialog.getByRole('button', { name: 'Create link' }).click();
    const address = share.dialog.getByRole('textbox', { name: 'New link address' });
    await address.waitFor({ timeout: TIMEOUT });
    const readUrl = await address.inputValue();
    expect(readUrl).toMatch(new RegExp(`^${web.harness.httpUrl}/#/link/${web.tenant}/[A-Za-z0-9_-]+$`));
    await expect
      .poll(() => share.dialog.getByRole('list', { name: 'Links of this document' }).getByRole('listitem').count(), {
        timeout: TIMEOUT,
      })
      .toBe(1);
    await address.scrollIntoViewIfNeeded();
    await ada.screenshot('share-07-link-created');
    await ada.audit('share-07-link-created');

    const reader = await web.newApp();
    await reader.page.goto(readUrl);
    const onReader = editorOf(reader);
    await onReader.waitOpen();
    await expect.poll(() => onReader.bodyText(), { timeout: TIMEOUT }).toBe('Meeting at ten.');
    expect(await onReader.title.inputValue()).toBe('Public agenda');
    expect(await onReader.text.getAttribute('contenteditable')).toBe('false');
    expect(await reader.page.getByRole('toolbar', { name: 'Formatting' }).count()).toBe(0);
    expect(await reader.page.getByText('Shared with you by link: read only').count()).toBe(1);
    await reader.screenshot('share-08-link-read-only');
    await reader.audit('share-08-link-read-only');

    // An edit link with a password: asked for, refused when wrong, then editable; Ada sees the edit live.
    await share.dialog.getByLabel('Can edit').check();
    await share.dialog.getByLabel('Password (optional)').fill('blue heron');
    await share.dialog.getByRole('button', { name: 'Create link' }).click();
    await expect
      .poll(() => share.dialog.getByRole('list', { name: 'Links of this document' }).getByRole('listitem').count(), {
        timeout: TIMEOUT,
      })
      .toBe(2);
    const editUrl = await address.inputValue();
    expect(editUrl).not.toBe(readUrl);
    const editor = await web.newApp();
    await editor.page.goto(editUrl);
    await editor.waitForHeading('This link is protected by a password');
    await editor.page.getByLabel('Link password').fill('grey heron');
    await editor.page.getByRole('button', { name: 'Open the document' }).click();
    await editor
      .alert()
      .filter({ hasText: 'The password for this link is not correct.' })
      .waitFor({ timeout: TIMEOUT });
    await editor.screenshot('share-09-link-wrong-password');
    await editor.audit('share-09-link-wrong-password');
    await editor.page.getByLabel('Link password').fill('blue heron');
    await editor.page.getByRole('button', { name: 'Open the document' }).click();
    const onEditor = editorOf(editor);
    await onEditor.waitOpen();
    await expect.poll(() => onEditor.bodyText(), { timeout: TIMEOUT }).toBe('Meeting at ten.');
    await appendLine(editor, 'Added through the link.');
    await expect
      .poll(() => editorOf(ada).bodyText(), { timeout: TIMEOUT })
      .toBe('Meeting at ten.\nAdded through the link.');
    // Carets are named by the signing device: the link's is "Someone with a link", and a link sees no email.
    await expect.poll(() => ada.page.getByText('Also here: Someone with a link').count(), { timeout: TIMEOUT }).toBe(1);
    expect(await editor.page.content()).not.toContain(adaCredentials.email);
    await editor.screenshot('share-10-link-editing');
    await editor.audit('share-10-link-editing');

    // Ada revokes the read link: it does not open any more.
    await share.dialog.getByRole('button', { name: 'Revoke link 1, can view' }).click();
    await share.dialog.getByText('The link was revoked', { exact: false }).waitFor({ timeout: TIMEOUT });
    await expect
      .poll(() => share.dialog.getByRole('list', { name: 'Links of this document' }).getByRole('listitem').count(), {
        timeout: TIMEOUT,
      })
      .toBe(1);
    // A tab that had it open says so and keeps only what it had received.
    await reader.alert().filter({ hasText: 'This link does not work any more' }).waitFor({ timeout: TIMEOUT });
    await expect.poll(() => onReader.statusText()).toBe('No longer shared');
    await reader.screenshot('share-11a-link-revoked-while-open');
    await reader.audit('share-11a-link-revoked-while-open');
    await reader.page.reload();
    await reader.waitForHeading('This link does not work any more');
    expect(
      await reader.page
        .getByText(
          'It was revoked, or the document was deleted. Ask the person who shared the document for a new link.',
        )
        .count(),
    ).toBe(1);
    expect(await reader.page.getByText('Meeting at ten.').count()).toBe(0);
    await reader.screenshot('share-11-link-revoked');
    await reader.audit('share-11-link-revoked');

    // A link cut short says so.
    await reader.page.goto(`${web.harness.httpUrl}/#/link/${web.tenant}/abc`);
    await reader.waitForHeading('This link is not complete');
  }, 180_000);

  it('works with the keyboard alone: opens from the Share button, keeps focus inside, shares, and Escape returns to the button', async () => {
    const ada = await web.newApp();
    await ada.signUp(newCredentials('ada'));
    const cleo = new AccountClient({ baseUrl: web.harness.httpUrl });
    const cleoEmail = `cleo-${randomId('c')}@example.test`;
    await cleo.register(web.tenant, cleoEmail, PASSWORD, 'Cleo’s laptop');
    cleo.close();
    await createDocument(ada, 'Keyboard only', 'No mouse here.');

    const page = ada.page;
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement;
        return {
          inDialog: element?.closest('dialog') !== null,
          label: element?.getAttribute('aria-label') ?? element?.textContent ?? '',
          tag: element?.tagName ?? '',
        };
      });
    const shareButton = page.getByRole('button', { name: 'Share', exact: true });
    await shareButton.focus();
    await page.keyboard.press('Enter');
    const share = shareDialogOf(ada);
    await share.dialog.waitFor({ timeout: TIMEOUT });
    // Focus starts in the email field.
    expect(
      await share.dialog.getByLabel('Email address').evaluate((element) => element === document.activeElement),
    ).toBe(true);
    await page.keyboard.type(cleoEmail);
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown');
    expect(await share.dialog.getByLabel('Role').inputValue()).toBe('viewer');
    await page.keyboard.press('Tab');
    expect((await focused()).label).toBe('Invite');
    await page.keyboard.press('Enter');
    await share.dialog.getByText(`First time sharing with ${cleoEmail}`).waitFor({ timeout: TIMEOUT });
    expect((await focused()).label).toBe('Share as viewer');
    await page.keyboard.press('Enter');
    await share.dialog.getByText(`${cleoEmail} can now read this document.`).waitFor({ timeout: TIMEOUT });

    // Tab and Shift+Tab go round inside the dialog, never to the page behind it.
    for (let step = 0; step < 30; step += 1) {
      await page.keyboard.press('Tab');
      expect((await focused()).inDialog).toBe(true);
    }
    for (let step = 0; step < 10; step += 1) {
      await page.keyboard.press('Shift+Tab');
      expect((await focused()).inDialog).toBe(true);
    }
    await ada.screenshot('share-12-keyboard');
    await ada.audit('share-12-keyboard');
    // On a phone's width the dialog fits the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await share.dialog.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    await ada.screenshot('share-13-narrow');
    await ada.audit('share-13-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.keyboard.press('Escape');
    await share.dialog.waitFor({ state: 'detached' });
    expect(await shareButton.evaluate((element) => element === document.activeElement)).toBe(true);
  }, 180_000);
});
