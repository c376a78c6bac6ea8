import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dumpTenant } from './support/databaseDump.ts';
import { readAllFiles, storageEngine } from './support/relayHarness.ts';
import { makePdf, makePng, makeWav } from './support/sampleFiles.ts';
import { uploadThroughFiles } from './support/filesScreen.ts';
import type { WebAppPage } from './support/WebAppPage.ts';
import { TIMEOUT, newCredentials, webAppSuite } from './support/webAppSuite.ts';

/** The Files screen and its preview dialog, by the names a person reads. */
function previewOf(app: WebAppPage) {
  const page = app.page;
  const list = page.getByRole('list', { name: 'Your files' });
  return {
    row: (name: string) => list.getByRole('listitem').filter({ hasText: name }),
    dialog: (name: string) => page.getByRole('dialog', { name }),
    upload: (name: string, mimeType: string, buffer: Buffer) => uploadThroughFiles(page, name, mimeType, buffer),
    /** Opens a file's preview from the keyboard: Tab to its name, Enter. */
    async open(name: string): Promise<void> {
      await list.getByRole('button', { name, exact: true }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name }).waitFor({ timeout: TIMEOUT });
    },
    /** The thumbnail shown in a file's row, decoded: its natural width (0 while it is the type's icon). */
    thumbnailWidth: (name: string) =>
      list
        .getByRole('listitem')
        .filter({ hasText: name })
        .locator('.file-thumbnail img')
        .evaluateAll((images) => (images[0] as HTMLImageElement | undefined)?.naturalWidth ?? 0),
  };
}

/** Whether a canvas holds anything but white (pdf.js drew a page on it). */
async function canvasIsDrawn(app: WebAppPage): Promise<boolean> {
  return app.page.locator('canvas.preview-page').evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d');
    if (!context || canvas.width === 0) return false;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let coloured = 0;
    for (let index = 0; index < data.length; index += 4) {
      if ((data[index] as number) < 200 || (data[index + 1] as number) < 200 || (data[index + 2] as number) < 200)
        coloured += 1;
    }
    return coloured > (canvas.width * canvas.height) / 100;
  });
}

/**
 * Previews in the Files screen, in headless Chromium against a real relay:
 * an image, a PDF (pdf.js, its worker under the app's CSP), text and audio
 * are decrypted on the device and shown in a dialog driven by the keyboard;
 * images and PDFs get a thumbnail made on the device at upload, sealed like
 * a chunk; a tampered chunk and a file neither kept nor reachable are told
 * in words; the relay stores no name and no content. Screens are saved to
 * /tmp/coffre-shots/ (preview-*).
 */
describe(`web app file previews in Chromium (${storageEngine})`, () => {
  const web = webAppSuite();

  it('previews images, PDFs, text and audio by keyboard, shows thumbnails, refuses a tampered chunk, and leaks nothing', async () => {
    const app = await web.newApp();
    await app.signUp(newCredentials('petra'));
    await app.goTo('Files');
    const files = previewOf(app);
    const page = app.page;

    const marker = `preview-marker-${Math.random().toString(36).slice(2, 10)}`;
    const png = makePng(480, 320, marker);
    const pdf = makePdf([
      { lines: ['Quarterly report', `Figures of ${marker}`, 'Page one of two.'] },
      { lines: ['Appendix', 'Page two of two.'] },
    ]);
    const notes = `# Notes ${marker}\n\nPlain *Markdown*, shown as written.\n\n<script>alert("never run")</script>\n`;
    const names = {
      image: `photo ${marker}.png`,
      pdf: 'report.pdf',
      text: 'notes.md',
      audio: 'tone.wav',
      other: 'archive.zip',
      tampered: 'tampered.txt',
      unseen: 'unseen.png',
    };

    // The tampered file first, alone, to know which chunk on the relay's disk is its own.
    // (No chunk yet: the relay makes its blob folder with the first.)
    const before = new Set<string>();
    await files.upload(names.tampered, 'text/plain', Buffer.from(`secret words ${marker}\n`.repeat(50)));
    const itsChunks = (await readAllFiles(web.harness.blobDir)).filter((file) => !before.has(file.path));
    expect(itsChunks).toHaveLength(1);
    const [tamperedChunk] = itsChunks;
    if (!tamperedChunk) throw new Error('no chunk');
    const altered = Buffer.from(tamperedChunk.bytes);
    altered[altered.length >> 1] = (altered[altered.length >> 1] as number) ^ 0xff;
    await writeFile(tamperedChunk.path, altered);

    await files.upload(names.image, 'image/png', png);
    await files.upload(names.pdf, 'application/pdf', pdf);
    await files.upload(names.text, '', Buffer.from(notes));
    await files.upload(names.audio, 'audio/wav', makeWav(1));
    await files.upload(names.other, 'application/zip', Buffer.from('PK\u0003\u0004 not really an archive'));
    await page.getByRole('button', { name: 'Clear finished' }).click();

    // Thumbnails made on the device at upload: the image's and the PDF's first page; the others keep their icon.
    await expect.poll(() => files.thumbnailWidth(names.image), { timeout: TIMEOUT }).toBe(256);
    await expect.poll(() => files.thumbnailWidth(names.pdf), { timeout: TIMEOUT }).toBeGreaterThan(100);
    expect(await files.thumbnailWidth(names.text)).toBe(0);
    await app.screenshot('preview-01-list');
    await app.audit('preview-01-list');

    // The image, opened with Enter: decoded from a blob: URL.
    await files.open(names.image);
    const image = files.dialog(names.image).getByRole('img', { name: names.image });
    await expect
      .poll(() => image.evaluate((element: HTMLImageElement) => element.naturalWidth), { timeout: TIMEOUT })
      .toBe(480);
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    await app.screenshot('preview-02-image');
    await app.audit('preview-02-image');

    // Right arrow: the next file of the folder (by name), the PDF, drawn by pdf.js; pages turn with the buttons and PageDown.
    await page.keyboard.press('ArrowRight');
    const pdfDialog = files.dialog(names.pdf);
    await pdfDialog.getByRole('img', { name: `Page 1 of 2, ${names.pdf}` }).waitFor({ timeout: TIMEOUT });
    await expect.poll(() => canvasIsDrawn(app), { timeout: TIMEOUT }).toBe(true);
    await app.screenshot('preview-03-pdf');
    await app.audit('preview-03-pdf');
    await pdfDialog.getByRole('button', { name: 'Next page' }).click();
    await pdfDialog.getByRole('img', { name: `Page 2 of 2, ${names.pdf}` }).waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('PageUp');
    await pdfDialog.getByRole('img', { name: `Page 1 of 2, ${names.pdf}` }).waitFor({ timeout: TIMEOUT });

    // The tampered chunk: refused, in words, and nothing of it shown.
    await page.keyboard.press('ArrowRight');
    const refusal = files.dialog(names.tampered).getByRole('alert');
    await expect.poll(() => refusal.textContent(), { timeout: TIMEOUT }).toContain('came back altered');
    expect(await files.dialog(names.tampered).textContent()).not.toContain('secret words');
    await app.screenshot('preview-04-tampered');

    // Audio streamed by the service worker (range requests, decrypted as the element reads), with its duration.
    await page.keyboard.press('ArrowRight');
    const audio = files.dialog(names.audio).locator('audio');
    await expect
      .poll(() => audio.evaluate((element: HTMLAudioElement) => element.duration), { timeout: TIMEOUT })
      .toBeCloseTo(1, 1);
    expect(await audio.evaluate((element: HTMLAudioElement) => new URL(element.src).pathname)).toMatch(
      /^\/__coffre\/media\/[0-9a-f]{32}$/,
    );
    // Seeking to the middle plays from there (the element asks the worker for that range).
    await audio.evaluate((element: HTMLAudioElement) => {
      element.currentTime = 0.5;
    });
    await expect
      .poll(() => audio.evaluate((element: HTMLAudioElement) => element.readyState), { timeout: TIMEOUT })
      .toBeGreaterThanOrEqual(2);
    await app.screenshot('preview-05-audio');
    await app.audit('preview-05-audio');

    // Around the end to the first file: a type with no preview says so.
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => files.dialog(names.other).getByRole('status').first().textContent(), { timeout: TIMEOUT })
      .toContain('cannot be previewed here');

    // Text (a .md the browser gave no type): plain text in a <pre>, no markup run.
    await page.keyboard.press('ArrowRight');
    const text = files.dialog(names.text).getByLabel(`Text of ${names.text}`);
    await expect.poll(() => text.textContent(), { timeout: TIMEOUT }).toBe(notes);
    expect(await files.dialog(names.text).locator('script').count()).toBe(0);
    await app.screenshot('preview-06-text');
    await app.audit('preview-06-text');

    // Download from the dialog: the same bytes.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      files
        .dialog(names.text)
        .getByRole('button', { name: `Download ${names.text}` })
        .click(),
    ]);
    expect(download.suggestedFilename()).toBe(names.text);
    expect((await readFile(await download.path())).toString()).toBe(notes);

    // Escape closes; the focus is back on the name of the file shown last.
    await page.keyboard.press('Escape');
    await files.dialog(names.text).waitFor({ state: 'detached', timeout: TIMEOUT });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(names.text);

    // A click on the row opens it too.
    await files.row(names.pdf).locator('.list-meta').click();
    await files.dialog(names.pdf).waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Escape');

    // Offline: a file not kept on this device (and never fetched here, so not in the browser's HTTP cache either,
    // where the relay lets chunks stay) cannot be read, and the dialog says why; a kept one opens.
    await files.upload(names.unseen, 'image/png', makePng(200, 100));
    await page.getByRole('button', { name: `Keep offline, ${names.pdf}`, exact: true }).click();
    await expect.poll(() => files.row(names.pdf).textContent(), { timeout: TIMEOUT }).toContain('· on this device');
    await page.context().setOffline(true);
    await files.open(names.unseen);
    await expect
      .poll(() => files.dialog(names.unseen).getByRole('alert').textContent(), { timeout: TIMEOUT })
      .toContain('not kept on this device');
    await app.screenshot('preview-07-offline');
    await page.keyboard.press('Escape');
    await files.open(names.pdf);
    await files
      .dialog(names.pdf)
      .getByRole('img', { name: `Page 1 of 2, ${names.pdf}` })
      .waitFor({ timeout: TIMEOUT });
    await expect.poll(() => canvasIsDrawn(app), { timeout: TIMEOUT }).toBe(true);
    await page.keyboard.press('Escape');
    await page.context().setOffline(false);

    // The relay holds ciphertext only: no name or content of any file or thumbnail in its blobs, rows or logs.
    const harness = web.harness;
    for (const { path, bytes } of await readAllFiles(harness.blobDir)) {
      expect(bytes.includes(Buffer.from(marker)), path).toBe(false);
      expect(bytes.includes(Buffer.from('Quarterly report')), path).toBe(false);
    }
    const rows = await dumpTenant(harness, web.tenant);
    expect(rows).not.toContain(marker);
    expect(rows).not.toContain('report.pdf');
    expect(harness.logs()).not.toContain(marker);
  });
});
