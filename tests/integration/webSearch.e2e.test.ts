import { describe, expect, it } from 'vitest';
import { dumpTenant } from './support/databaseDump.ts';
import { readAllFiles, storageEngine } from './support/relayHarness.ts';
import { makePdf } from './support/sampleFiles.ts';
import { uploadThroughFiles } from './support/filesScreen.ts';
import type { WebAppPage } from './support/WebAppPage.ts';
import {
  PASSWORD,
  TIMEOUT,
  backToDocuments,
  createDocument,
  editorOf,
  newCredentials,
  webAppSuite,
} from './support/webAppSuite.ts';

/** A word found nowhere else: letters and digits only, so the index keeps it as one term. */
function marker(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 10)}`;
}

/** The documents screen's search, by the names a person reads. */
function searchOf(app: WebAppPage) {
  const page = app.page;
  const list = page.getByRole('list', { name: 'Your documents' });
  const box = page.getByRole('searchbox', { name: 'Search documents' });
  return {
    box,
    list,
    result: (name: string) => list.getByRole('link', { name, exact: true }),
    /** Types `query` and waits until the result named `name` is listed (the index may still be reading files). */
    async find(query: string, name: string): Promise<void> {
      await box.fill(query);
      await expect.poll(() => list.getByRole('link', { name, exact: true }).count(), { timeout: TIMEOUT }).toBe(1);
    },
  };
}

function upload(app: WebAppPage, name: string, mimeType: string, buffer: Buffer): Promise<void> {
  return uploadThroughFiles(app.page, name, mimeType, buffer);
}

/**
 * One search for documents and files, in headless Chromium against a real
 * relay: a document found by a word of its text, a Markdown file and a PDF
 * found by their names and by words of their content (read on the device),
 * opened with Enter from the search box; after a reload the results come
 * from the index sealed in IndexedDB, with the network off; no word of any
 * of them is in the browser's storage or on the relay. Screens are saved to
 * /tmp/coffre-shots/ (search-*).
 */
describe(`web app search in Chromium (${storageEngine})`, () => {
  const web = webAppSuite();

  it('finds documents and files by name and content, opens them from the keyboard, and keeps the index sealed', async () => {
    const app = await web.newApp();
    await app.signUp(newCredentials('sami'));
    const page = app.page;
    const words = {
      document: marker('docword'),
      text: marker('textword'),
      pdf: marker('pdfword'),
      textName: marker('harbour'),
      pdfName: marker('ledger'),
    };
    const names = { text: `${words.textName}.md`, pdf: `${words.pdfName}.pdf` };
    const title = 'Lighthouse minutes';

    await createDocument(app);
    const editor = editorOf(app);
    await editor.title.fill(title);
    await editor.text.click();
    await page.keyboard.type(`The keeper said the ${words.document} lamp needs oil.`);
    await expect.poll(() => editor.statusText(), { timeout: TIMEOUT }).toBe('Saved');
    await backToDocuments(app);

    await app.goTo('Files');
    await upload(
      app,
      names.text,
      'text/markdown',
      Buffer.from(`# Harbour\n\nThe tide table and ${words.text} ropes.\n`),
    );
    await upload(
      app,
      names.pdf,
      'application/pdf',
      makePdf([{ lines: ['Quarterly ledger', 'Nothing here.'] }, { lines: ['Appendix', `Figures of ${words.pdf}`] }]),
    );
    await app.goTo('Documents');

    const search = searchOf(app);
    await search.box.focus();
    // By content: the document's text, the Markdown file's, the PDF's second page.
    await search.find(words.document, title);
    await search.find(words.text, names.text);
    await search.find(words.pdf, names.pdf);
    const pdfRow = search.list.getByRole('listitem').filter({ hasText: names.pdf });
    expect(await pdfRow.textContent()).toContain(`Figures of ${words.pdf}`);
    expect(await pdfRow.textContent()).toContain('In Files');
    // By name, a prefix of it, and with a typo in a word of the name.
    await search.find(words.textName.slice(0, -2), names.text);
    await search.find('quarterly', names.pdf);
    await search.find('lighthuose', title);
    // Everything that has "the" in it: the document and the text file.
    await search.box.fill('the');
    await expect.poll(() => search.list.getByRole('listitem').count(), { timeout: TIMEOUT }).toBe(2);
    await app.screenshot('search-01-results');
    await app.audit('search-01-results');
    await search.box.fill('nothing like this at all');
    await expect.poll(() => page.getByText('No document matches “nothing like this at all”.').count()).toBe(1);

    // Keyboard: Enter in the box opens the first result; the arrows walk the results and come back to the box.
    await search.box.fill(words.pdf);
    await search.result(names.pdf).waitFor({ timeout: TIMEOUT });
    await search.box.press('Enter');
    await page.getByRole('dialog', { name: names.pdf }).waitFor({ timeout: TIMEOUT });
    expect(page.url()).toMatch(/#\/files\/[0-9a-f]{32}$/);
    await app.screenshot('search-02-pdf-opened');
    await page.keyboard.press('Escape');
    await app.goTo('Documents');
    await search.box.fill('the');
    await expect.poll(() => search.list.getByRole('listitem').count(), { timeout: TIMEOUT }).toBe(2);
    await search.box.press('ArrowDown');
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    expect(await focused()).toBe(title);
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe(names.text);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search documents');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: names.text }).waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Escape');
    await app.goTo('Documents');
    await search.box.fill(words.document);
    await search.result(title).waitFor({ timeout: TIMEOUT });
    await search.box.press('Enter');
    await editor.waitOpen();
    expect(await editor.bodyText()).toContain(words.document);
    await backToDocuments(app);
    // Let the index's debounced save run.
    await page.waitForTimeout(2_500);

    // After a reload, with the network off: the results come from the index sealed on this device.
    await page.reload();
    await app.waitForHeading('Unlock Coffre');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await app.waitForHeading('Documents');
    await page.context().setOffline(true);
    await search.find(words.pdf, names.pdf);
    await search.find(words.text, names.text);
    await search.find(words.document, title);
    await app.screenshot('search-03-after-reload-offline');
    await page.context().setOffline(false);

    // Sealed: none of the words, names or titles in the browser's storage.
    const stored = await app.dumpStorage();
    expect(stored.text.length).toBeGreaterThan(10_000);
    for (const word of [...Object.values(words), 'Lighthouse', 'Quarterly ledger', 'tide table']) {
      expect(stored.text, word).not.toContain(word);
    }

    // The relay holds ciphertext only: none of them in its blobs, rows or logs.
    const harness = web.harness;
    for (const { path, bytes } of await readAllFiles(harness.blobDir)) {
      for (const word of Object.values(words)) expect(bytes.includes(Buffer.from(word)), path).toBe(false);
    }
    const rows = await dumpTenant(harness, web.tenant);
    const logs = harness.logs();
    for (const word of Object.values(words)) {
      expect(rows).not.toContain(word);
      expect(logs).not.toContain(word);
    }
  });
});
