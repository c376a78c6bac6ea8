import { describe, expect, it } from 'vitest';
import { WEB_CONTENT_SECURITY_POLICY } from '@coffre/sync-server';
import { dumpTenant } from './support/databaseDump.ts';
import { readAllFiles, storageEngine } from './support/relayHarness.ts';
import { makePng } from './support/sampleFiles.ts';
import type { Credentials, WebAppPage } from './support/WebAppPage.ts';
import { TIMEOUT, createDocument, editorOf, signedUpApp, webAppSuite, writeDocument } from './support/webAppSuite.ts';

/** The images of the open document, by what a person sees: decoded (naturalWidth) and where from. */
function imagesOf(app: WebAppPage) {
  const images = app.page.locator('.doc-prose .coffre-image img');
  return {
    images,
    /** The natural widths of the images shown, 0 for one not decoded. */
    widths: () => images.evaluateAll((found) => found.map((image) => (image as HTMLImageElement).naturalWidth)),
    sources: () => images.evaluateAll((found) => found.map((image) => (image as HTMLImageElement).src)),
    alerts: () => app.page.locator('.doc-prose .coffre-image [role=alert]').allTextContents(),
  };
}

/** Dispatches a paste (`kind` 'paste') or a drop of a PNG file on the editor, as the browser does with a real one. */
async function giveImage(app: WebAppPage, kind: 'paste' | 'drop', name: string, png: Buffer): Promise<void> {
  await app.page.locator('.doc-prose').evaluate(
    (element, { kind, name, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], name, { type: 'image/png' }));
      if (kind === 'paste') {
        element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
        return;
      }
      const box = element.getBoundingClientRect();
      const at = { clientX: box.left + 20, clientY: box.bottom - 10, bubbles: true, cancelable: true };
      element.dispatchEvent(new DragEvent('dragover', { ...at, dataTransfer: data }));
      element.dispatchEvent(new DragEvent('drop', { ...at, dataTransfer: data }));
    },
    { kind, name, base64: png.toString('base64') },
  );
}

/** After a reload: the app asks for the password again (nothing is remembered), then shows the document. */
async function unlock(app: WebAppPage, credentials: Credentials): Promise<void> {
  await app.waitForHeading('Unlock Coffre');
  await app.page.getByLabel('Password', { exact: true }).fill(credentials.password);
  await app.page.getByRole('button', { name: 'Unlock' }).click();
  await editorOf(app).waitOpen();
}

/** Shares the open document with `email` as a viewer, through the share dialog. */
async function shareAsViewer(app: WebAppPage, email: string): Promise<void> {
  const page = app.page;
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Share this document' });
  await dialog.getByLabel('Email address').fill(email);
  await dialog.getByLabel('Role').selectOption('viewer');
  await dialog.getByRole('button', { name: 'Invite' }).click();
  await dialog.getByRole('button', { name: 'Share as viewer' }).click({ timeout: TIMEOUT });
  await dialog.getByText(`${email} can now read this document.`).waitFor({ timeout: TIMEOUT });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
}

/**
 * Images in documents, in headless Chromium against a real relay: a PNG
 * pasted, one dropped and one added offline become attachments, sealed on
 * the device into chunks of the document's own space and shown from `blob:`
 * URLs under the app's CSP; after a reload they come back from the relay; a
 * viewer on another browser and a reader of a share link see them; a
 * tampered description is told in words; the relay holds no byte of the images and not their names.
 * Screens go to /tmp/coffre-shots/ (attach-*).
 */
describe(`web app attachments in documents, in Chromium (${storageEngine})`, () => {
  const web = webAppSuite({ teardownTimeout: 180_000 });

  it('pastes, drops and adds offline images that show from blob: URLs, come back from the relay, reach a viewer and a link reader, and leak nothing', async () => {
    const { app: ada, credentials: adaCredentials } = await signedUpApp(web, 'ada');
    const { app: bea, credentials: beaCredentials } = await signedUpApp(web, 'bea');

    const marker = `attach-marker-${Math.random().toString(36).slice(2, 10)}`;
    const names = { pasted: `garden ${marker}.png`, dropped: `shed ${marker}.png`, offline: `pond ${marker}.png` };
    await createDocument(ada);
    await writeDocument(ada, 'Garden plan', 'Beds along the south wall.');
    const onAda = imagesOf(ada);

    // Pasted: sealed here and shown at once from the device's bytes.
    await giveImage(ada, 'paste', names.pasted, makePng(480, 320, marker));
    await expect.poll(() => onAda.widths(), { timeout: TIMEOUT }).toEqual([480]);
    expect((await onAda.sources())[0]).toMatch(/^blob:/);
    expect(await onAda.images.first().getAttribute('alt')).toBe(`garden ${marker}`);
    // Dropped below the text.
    await giveImage(ada, 'drop', names.dropped, makePng(200, 120, marker));
    await expect.poll(() => onAda.widths(), { timeout: TIMEOUT }).toEqual([480, 200]);
    await expect.poll(() => editorOf(ada).statusText(), { timeout: TIMEOUT }).toBe('Saved');
    await expect.poll(async () => (await readAllFiles(web.harness.blobDir)).length, { timeout: TIMEOUT }).toBe(2);
    await ada.screenshot('attach-01-pasted-and-dropped');
    await ada.audit('attach-01-pasted-and-dropped');

    // The toolbar offers the same by keyboard: Insert image opens the file picker for the types a document takes.
    const insert = editorOf(ada).toolbar.getByRole('button', { name: 'Insert image' });
    const [chooser] = await Promise.all([ada.page.waitForEvent('filechooser'), insert.click()]);
    expect(chooser.isMultiple()).toBe(true);
    await chooser.setFiles([]);

    // An image selected: the Image toolbar describes it (its alt text, the file name until then).
    const description = 'Raised beds along the south wall';
    await onAda.images.first().click();
    const describe = ada.page
      .getByRole('toolbar', { name: 'Image' })
      .getByRole('button', { name: 'Alt text, Describe the image' });
    await describe.click();
    const field = ada.page.getByRole('textbox', { name: 'Alt text' });
    expect(await field.inputValue()).toBe(`garden ${marker}`);
    await field.fill(description);
    await ada.screenshot('attach-05-alt-text');
    await ada.audit('attach-05-alt-text');
    await field.press('Enter');
    await expect.poll(() => onAda.images.first().getAttribute('alt'), { timeout: TIMEOUT }).toBe(description);
    await expect.poll(() => editorOf(ada).statusText(), { timeout: TIMEOUT }).toBe('Saved');

    // Reloaded: nothing in memory any more, the images come back from the relay's chunks.
    await ada.page.reload();
    await unlock(ada, adaCredentials);
    await expect.poll(() => onAda.widths(), { timeout: TIMEOUT }).toEqual([480, 200]);
    expect(await onAda.images.first().getAttribute('alt')).toBe(description);
    expect((await onAda.sources()).every((source) => source.startsWith('blob:'))).toBe(true);

    // Offline: an image pasted now shows at once, waits sealed on the device, and goes when the network returns.
    await ada.page.context().setOffline(true);
    // The caret in a new paragraph at the end (a paste over the selected last image would replace it).
    await ada.page.locator('.doc-prose').evaluate((element) => {
      type Commands = { insertContentAt: (at: number, content: unknown) => void; focus: (at: string) => void };
      type WithEditor = { editor: { commands: Commands; state: { doc: { content: { size: number } } } } };
      const editor = (element as unknown as WithEditor).editor;
      editor.commands.insertContentAt(editor.state.doc.content.size, { type: 'paragraph' });
      editor.commands.focus('end');
    });
    await giveImage(ada, 'paste', names.offline, makePng(160, 90, marker));
    await expect.poll(() => onAda.widths(), { timeout: TIMEOUT }).toEqual([480, 200, 160]);
    const stored = await ada.dumpStorage();
    expect(stored.text).not.toContain(marker);
    await ada.screenshot('attach-02-offline');
    await ada.page.context().setOffline(false);
    await expect.poll(async () => (await readAllFiles(web.harness.blobDir)).length, { timeout: TIMEOUT }).toBe(3);
    await expect.poll(() => editorOf(ada).statusText(), { timeout: TIMEOUT }).toBe('Saved');

    // A viewer, on another browser, sees all three, decoded from the relay's chunks; there is no toolbar to add any.
    await shareAsViewer(ada, beaCredentials.email);
    await bea.goTo('Devices');
    await bea.goTo('Documents');
    const list = bea.page.getByRole('list', { name: 'Your documents' });
    await expect.poll(() => list.getByRole('link', { name: 'Garden plan' }).count(), { timeout: TIMEOUT }).toBe(1);
    await list.getByRole('link', { name: 'Garden plan' }).click();
    await editorOf(bea).waitOpen();
    const onBea = imagesOf(bea);
    await expect.poll(() => onBea.widths(), { timeout: TIMEOUT }).toEqual([480, 200, 160]);
    expect(await onBea.images.first().getAttribute('alt')).toBe(description);
    expect(await editorOf(bea).toolbar.count()).toBe(0);
    await bea.screenshot('attach-03-viewer');
    await bea.audit('attach-03-viewer');

    // Someone with a read link, without an account, sees them too: the link's token reads this document's chunks.
    await ada.page.getByRole('button', { name: 'Share', exact: true }).click();
    const dialog = ada.page.getByRole('dialog', { name: 'Share this document' });
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const address = dialog.getByRole('textbox', { name: 'New link address' });
    await address.waitFor({ timeout: TIMEOUT });
    const readUrl = await address.inputValue();
    await ada.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const reader = await web.newApp();
    await reader.page.goto(readUrl);
    await editorOf(reader).waitOpen();
    await expect.poll(() => imagesOf(reader).widths(), { timeout: TIMEOUT }).toEqual([480, 200, 160]);
    await reader.screenshot('attach-04-link-reader');
    await reader.audit('attach-04-link-reader');

    // A tampered description (a size its chunks do not add up to) is refused in words; the editor goes on.
    await ada.page.locator('.doc-prose').evaluate((element) => {
      type Chain = { insertContent: (content: unknown) => Chain; run: () => boolean };
      type WithEditor = Element & {
        editor: { chain: () => { focus: (at: string) => Chain }; getJSON: () => unknown };
      };
      const editor = (element as unknown as WithEditor).editor;
      const json = JSON.stringify(editor.getJSON());
      const found = /"attachment":("(?:[^"\\]|\\.)*")/.exec(json);
      if (!found?.[1]) throw new Error('no attachment in the document');
      const reference = JSON.parse(JSON.parse(found[1]) as string) as { manifest: { size: number } };
      reference.manifest.size += 1;
      editor
        .chain()
        .focus('end')
        .insertContent({ type: 'image', attrs: { attachment: JSON.stringify(reference), alt: 'tampered' } })
        .run();
    });
    await expect
      .poll(() => onAda.alerts(), { timeout: TIMEOUT })
      .toEqual([expect.stringContaining('This image could not be opened: its description in the document is damaged')]);
    await ada.page.locator('.doc-prose .coffre-image[data-state=error]').scrollIntoViewIfNeeded();
    await ada.screenshot('attach-05-tampered');
    await ada.audit('attach-05-tampered');
    await expect.poll(() => imagesOf(bea).alerts(), { timeout: TIMEOUT }).toHaveLength(1);

    // The CSP is the app's, which shows blob: images and nothing looser.
    const response = await fetch(`${web.harness.httpUrl}/`);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toBe(WEB_CONTENT_SECURITY_POLICY);
    expect(policy).toContain("img-src 'self' data: blob:");
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(policy).not.toContain('unsafe-inline');

    // The relay holds ciphertext only: no image byte, marker or name in its blobs, rows or logs.
    const pngBody = makePng(480, 320, marker).subarray(40, 120);
    for (const { path, bytes } of await readAllFiles(web.harness.blobDir)) {
      expect(bytes.includes(Buffer.from(marker)), path).toBe(false);
      expect(bytes.includes(pngBody), path).toBe(false);
    }
    const rows = await dumpTenant(web.harness, web.tenant);
    expect(rows).not.toContain(marker);
    expect(rows).not.toContain('garden');
    expect(web.harness.logs()).not.toContain(marker);
    expect(web.harness.logs()).not.toContain('garden');
  });
});
