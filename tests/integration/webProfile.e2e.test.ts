import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAllFiles, storageEngine } from './support/relayHarness.ts';
import { SCREENSHOT_DIR } from './support/WebAppPage.ts';
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

/** A word no profile holds by chance. */
function token(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** `value` as UTF-8, UTF-16LE (Chromium's session files, LevelDB's string16) and UTF-16BE. */
function encodings(value: string): Buffer[] {
  const littleEndian = Buffer.from(value, 'utf16le');
  return [Buffer.from(value, 'utf8'), littleEndian, Buffer.from(littleEndian).swap16()];
}

/** The files of the profile folder (relative paths) holding `value` in any of its encodings. */
function filesHolding(files: { path: string; bytes: Buffer }[], profile: string, value: string): string[] {
  return files
    .filter((file) => encodings(value).some((needle) => file.bytes.includes(needle)))
    .map((file) => relative(profile, file.path));
}

/**
 * What Chromium keeps of the web app in its profile folder once closed normally
 * (session and history files, Local Storage, IndexedDB, Cache Storage, everything):
 * the app, built with Vite and served by a real relay, names the tab after what the
 * screen is unless the person chose to see titles there.
 */
describe(`web app and the browser profile in Chromium (${storageEngine})`, () => {
  const web = webAppSuite();
  const profiles: string[] = [];
  const newProfile = async (): Promise<string> => {
    const profile = await mkdtemp(join(tmpdir(), 'coffre-web-profile-'));
    profiles.push(profile);
    return profile;
  };

  afterEach(async () => {
    await Promise.all(profiles.splice(0).map((profile) => rm(profile, { recursive: true, force: true })));
  });

  it('after a normal close, no file of the profile holds a title, text, folder name or search query typed in the app', async () => {
    const profile = await newProfile();
    const { app, context } = await web.newPersistentApp(profile);
    const title = `Harbour ledger ${token()}`;
    const query = token();
    const text = `The spare key is under the blue boat ${query}`;
    await app.signUp(newCredentials('noor'));

    const documentId = await createDocument(app);
    await writeDocument(app, title, text);
    expect(await app.page.title()).toBe('Document · Coffre');
    await app.page.getByRole('heading', { level: 1, name: title }).waitFor({ state: 'attached', timeout: TIMEOUT });

    // A note is listed under its first line: that line is its title, kept out of the tab too.
    await backToDocuments(app);
    const noteLine = `Call the locksmith ${token()}`;
    await app.page.getByRole('button', { name: 'New note' }).click();
    await editorOf(app).waitOpen();
    await editorOf(app).text.click();
    await app.page.keyboard.type(noteLine);
    await expect.poll(() => editorOf(app).statusText(), { timeout: TIMEOUT }).toBe('Saved');
    await app.page.getByRole('heading', { level: 1, name: noteLine }).waitFor({ state: 'attached', timeout: TIMEOUT });
    expect(await app.page.title()).toBe('Note · Coffre');

    // The search box finds the document by its text; the query stays in the page.
    await backToDocuments(app);
    await app.page.getByRole('searchbox', { name: 'Search documents' }).fill(query);
    const list = app.page.getByRole('list', { name: 'Your documents' });
    await expect.poll(() => list.getByRole('link', { name: title }).count(), { timeout: TIMEOUT }).toBe(1);
    expect(app.page.url()).toBe(`${app.baseUrl}/#/`);
    // Leaving the page and coming back: the browser keeps the page's state (form fields, scroll) in the entry.
    await app.page.goto('about:blank');
    await app.page.goBack();
    await app.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await app.page.getByRole('button', { name: 'Unlock' }).click();
    await app.waitForHeading('Documents');

    // Names typed in the list's forms: a new title, a folder.
    const renamed = `Harbour accounts ${token()}`;
    await app.page.getByRole('button', { name: `Rename ${title}` }).click();
    await app.page.getByRole('textbox', { name: 'New title' }).fill(renamed);
    await app.page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => list.getByRole('link', { name: renamed }).count(), { timeout: TIMEOUT }).toBe(1);
    const folder = `Boathouse ${token()}`;
    await app.page.getByRole('button', { name: 'New folder' }).click();
    await app.page.getByRole('textbox', { name: 'Folder name' }).fill(folder);
    await app.page.getByRole('button', { name: 'Create folder' }).click();
    await app.page.getByRole('button', { name: `Open folder ${folder}`, exact: true }).waitFor({ timeout: TIMEOUT });

    await openFromList(app, renamed);
    expect(await editorOf(app).bodyText()).toBe(text);
    expect(app.page.url()).toBe(`${app.baseUrl}/#/d/${documentId}`);
    expect(await app.page.evaluate(() => window.history.state as unknown)).toBeNull();
    expect(await app.page.title()).toBe('Document · Coffre');

    // The browser quits as a person would close it, so it writes its session and history files.
    await context.close();
    expect((await readdir(join(profile, 'Default', 'Sessions'))).length).toBeGreaterThan(0);
    const files = await readAllFiles(profile);
    const paths = files.map((file) => relative(profile, file.path));
    expect(paths.filter((path) => /^Default\/Sessions\/(Tabs|Session)_/.test(path)).length).toBeGreaterThanOrEqual(2);
    expect(paths).toContain('Default/History');
    expect({
      title: filesHolding(files, profile, title),
      text: filesHolding(files, profile, text),
      renamed: filesHolding(files, profile, renamed),
      note: filesHolding(files, profile, noteLine),
      folder: filesHolding(files, profile, folder),
      query: filesHolding(files, profile, query),
    }).toEqual({ title: [], text: [], renamed: [], note: [], folder: [], query: [] });
  }, 120_000);

  it('shows titles in the tab once this device opts in, and the browser then keeps them in its session files', async () => {
    const profile = await newProfile();
    const { app, context } = await web.newPersistentApp(profile);
    const title = `Lighthouse rota ${token()}`;
    await app.signUp(newCredentials('omar'));

    await app.goTo('Security');
    const setting = app.page.getByRole('checkbox', { name: 'Show document titles in the browser tab' });
    expect(await setting.isChecked()).toBe(false);
    await setting.check();
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await app.page
      .getByRole('region', { name: 'This device' })
      .screenshot({ path: join(SCREENSHOT_DIR, 'profile-01-setting.png') });

    await app.goTo('Documents');
    await createDocument(app);
    await writeDocument(app, title, 'Tuesday: Maren.');
    await expect.poll(() => app.page.title(), { timeout: TIMEOUT }).toBe(`${title} · Coffre`);
    await app.screenshot('profile-02-document-title-shown');

    // The choice is kept on the device, across a reload.
    await app.page.reload();
    await app.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await app.page.getByRole('button', { name: 'Unlock' }).click();
    await editorOf(app).waitOpen();
    await expect.poll(() => app.page.title(), { timeout: TIMEOUT }).toBe(`${title} · Coffre`);

    await context.close();
    const files = await readAllFiles(profile);
    expect(filesHolding(files, profile, title).filter((path) => path.startsWith('Default/Sessions/'))).not.toEqual([]);
  }, 120_000);
});
