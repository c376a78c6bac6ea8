import { describe, expect, it } from 'vitest';
import { dumpTenant } from './support/databaseDump.ts';
import { readAllFiles, storageEngine } from './support/relayHarness.ts';
import { downloadFromRow, uploadThroughFiles } from './support/filesScreen.ts';
import type { WebAppPage } from './support/WebAppPage.ts';
import { TIMEOUT, newCredentials, webAppSuite } from './support/webAppSuite.ts';

/** A shared folder's screen, by the names a person reads. */
function folderOf(app: WebAppPage) {
  const page = app.page;
  const list = page.getByRole('list', { name: 'Files', exact: true });
  return {
    list,
    row: (name: string) => list.getByRole('listitem').filter({ hasText: name }),
    async open(folderName: string): Promise<void> {
      await app.goTo('Files');
      await page
        .getByRole('button', { name: `Open shared folder ${folderName}`, exact: true })
        .click({ timeout: TIMEOUT });
      await page.getByRole('heading', { name: folderName }).waitFor({ timeout: TIMEOUT });
    },
    upload: (name: string, text: string) => uploadThroughFiles(page, name, 'text/plain', Buffer.from(text)),
    download: async (name: string) => (await downloadFromRow(page, name)).bytes.toString(),
  };
}

/** Invites someone from the open Share dialog, past the first-time safety number. */
async function invite(app: WebAppPage, email: string, role: 'editor' | 'viewer'): Promise<void> {
  const dialog = app.page.getByRole('dialog', { name: 'Share this folder' });
  await dialog.getByLabel('Email address').fill(email);
  await dialog.getByLabel('Role').selectOption(role);
  await dialog.getByRole('button', { name: 'Invite' }).click();
  await dialog.getByRole('button', { name: `Share as ${role}` }).click({ timeout: TIMEOUT });
  await dialog.getByText(`${email} can now`, { exact: false }).waitFor({ timeout: TIMEOUT });
}

/**
 * Shared folders in the web app, built with Vite and served by a real
 * relay, in headless Chromium: a folder of its own members, editors who
 * upload, a viewer who reads, a removal after which new files are sealed
 * with a secret the removed member never saw, and a read-only link.
 * Screens go to /tmp/coffre-shots/ (shared-*).
 */
describe(`web app shared folders in Chromium (${storageEngine})`, () => {
  const web = webAppSuite({ teardownTimeout: 180_000 });

  it('shares a folder with an editor and a viewer, removes the editor, opens it by link read-only, and leaks nothing', async () => {
    const marker = `folder-marker-${Math.random().toString(36).slice(2, 10)}`;
    const folderName = `Project ${marker}`;
    const first = `${marker}-plan.txt`;
    const [alice, bob, carol] = await Promise.all([web.newApp(), web.newApp(), web.newApp()]);
    const [aliceCredentials, bobCredentials, carolCredentials] = ['alice', 'bob', 'carol'].map(newCredentials) as [
      ReturnType<typeof newCredentials>,
      ReturnType<typeof newCredentials>,
      ReturnType<typeof newCredentials>,
    ];
    await alice.signUp(aliceCredentials);
    await bob.signUp(bobCredentials);
    await carol.signUp(carolCredentials);

    // Alice makes a shared folder from her Files and puts a file in it.
    await alice.goTo('Files');
    await alice.page.getByRole('button', { name: 'New shared folder' }).click();
    await alice.page.getByRole('textbox', { name: 'Shared folder name' }).fill(folderName);
    await alice.page.keyboard.press('Enter');
    await alice.page.getByRole('heading', { name: folderName }).waitFor({ timeout: TIMEOUT });
    const onAlice = folderOf(alice);
    await onAlice.upload(first, `the plan, ${marker}`);
    await alice.screenshot('shared-01-folder');
    await alice.audit('shared-01-folder');

    // Shared with Bob as editor and Carol as viewer, from the folder's Share button.
    await alice.page.getByRole('button', { name: 'Share', exact: true }).click();
    await invite(alice, bobCredentials.email, 'editor');
    await invite(alice, carolCredentials.email, 'viewer');
    await alice.screenshot('shared-02-share-dialog');
    await alice.audit('shared-02-share-dialog');
    await alice.page.keyboard.press('Escape');

    // Bob finds it at the top of his Files, with who shares it, and adds a file.
    await bob.goTo('Files');
    const sharedRow = bob.page.getByRole('list', { name: 'Shared folders' }).getByRole('listitem');
    await expect
      .poll(() => sharedRow.textContent(), { timeout: TIMEOUT })
      .toContain(`Shared by ${aliceCredentials.email}`);
    expect(await sharedRow.textContent()).toContain('you can edit');
    await bob.screenshot('shared-03-listed');
    await bob.audit('shared-03-listed');
    const onBob = folderOf(bob);
    await onBob.open(folderName);
    await onBob.row(first).waitFor({ timeout: TIMEOUT });
    expect(await onBob.download(first)).toBe(`the plan, ${marker}`);
    await onBob.upload(`${marker}-bob.txt`, `Bob's notes, ${marker}`);

    // Carol reads both, and has no way to add or change anything.
    const onCarol = folderOf(carol);
    await onCarol.open(folderName);
    await onCarol.row(`${marker}-bob.txt`).waitFor({ timeout: TIMEOUT });
    expect(await onCarol.download(`${marker}-bob.txt`)).toBe(`Bob's notes, ${marker}`);
    expect(await carol.page.getByRole('button', { name: 'Upload files' }).count()).toBe(0);
    expect(await carol.page.getByRole('button', { name: 'New folder' }).count()).toBe(0);
    expect(await carol.page.getByRole('button', { name: /^Move to trash/ }).count()).toBe(0);
    expect(await carol.page.getByRole('button', { name: /^Rename/ }).count()).toBe(0);
    expect(await carol.page.getByRole('button', { name: /^Move to…/ }).count()).toBe(0);
    await carol.screenshot('shared-04-viewer');
    await carol.audit('shared-04-viewer');

    // Alice moves a file of her own into the folder: copied, sealed again for its members; the original to her trash.
    await alice.page.getByRole('button', { name: /My files/ }).click();
    const mine = `${marker}-mine.txt`;
    await onAlice.upload(mine, `my draft, ${marker}`);
    await alice.page.getByRole('button', { name: `Move to…, ${mine}`, exact: true }).click();
    const move = alice.page.getByRole('dialog', { name: `Move “${mine}”` });
    await move.getByLabel(`${folderName} (shared)`).check({ timeout: TIMEOUT });
    await alice.screenshot('shared-05-move');
    await alice.audit('shared-05-move');
    await move.getByRole('button', { name: 'Copy and move' }).click();
    await move.waitFor({ state: 'detached', timeout: TIMEOUT });
    await alice.page.getByRole('button', { name: 'Trash (1)' }).waitFor({ timeout: TIMEOUT });
    expect(await alice.page.getByRole('button', { name: `Download ${mine}` }).count()).toBe(0);
    await alice.page.getByRole('button', { name: `Open shared folder ${folderName}`, exact: true }).click();
    await onAlice.row(mine).waitFor({ timeout: TIMEOUT });
    await onCarol.row(mine).waitFor({ timeout: TIMEOUT });
    expect(await onCarol.download(mine)).toBe(`my draft, ${marker}`);
    // A folder moves with what it holds.
    await alice.page.getByRole('button', { name: /My files/ }).click();
    await alice.page.getByRole('button', { name: 'New folder' }).click();
    await alice.page.getByRole('textbox', { name: 'Folder name' }).fill('Drafts');
    await alice.page.keyboard.press('Enter');
    await alice.page.getByRole('button', { name: 'Open folder Drafts', exact: true }).click({ timeout: TIMEOUT });
    const inDrafts = `${marker}-draft.txt`;
    await onAlice.upload(inDrafts, `a draft, ${marker}`);
    await alice.page.getByRole('button', { name: 'Home', exact: true }).click();
    await alice.page.getByRole('button', { name: 'Move to…, Drafts', exact: true }).click();
    const moveFolder = alice.page.getByRole('dialog', { name: 'Move “Drafts”' });
    await moveFolder.getByLabel(`${folderName} (shared)`).check({ timeout: TIMEOUT });
    await moveFolder.getByRole('button', { name: 'Copy and move' }).click();
    await moveFolder.waitFor({ state: 'detached', timeout: TIMEOUT });
    await carol.page.getByRole('button', { name: 'Open folder Drafts', exact: true }).click({ timeout: TIMEOUT });
    expect(await onCarol.download(inDrafts)).toBe(`a draft, ${marker}`);
    await carol.page.getByRole('button', { name: 'Home', exact: true }).click();
    await alice.page.getByRole('button', { name: `Open shared folder ${folderName}`, exact: true }).click();

    // Alice removes Bob (the key rotates, and the folder's secret); her next file never reaches him.
    await onAlice.row(`${marker}-bob.txt`).waitFor({ timeout: TIMEOUT });
    await alice.page.getByRole('button', { name: 'Share', exact: true }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Share this folder' });
    await dialog.getByRole('button', { name: `Remove ${bobCredentials.email}` }).click();
    await dialog.getByRole('button', { name: 'Remove and change the key' }).click();
    await dialog.getByText(`${bobCredentials.email} was removed.`, { exact: false }).waitFor({ timeout: TIMEOUT });
    await alice.page.keyboard.press('Escape');
    const later = `${marker}-after.txt`;
    await onAlice.upload(later, `after Bob left, ${marker}`);
    await onCarol.row(later).waitFor({ timeout: TIMEOUT });
    expect(await onCarol.download(later)).toBe(`after Bob left, ${marker}`);
    expect(await onBob.row(later).count()).toBe(0);
    // After a reload, the folder is not among Bob's any more.
    await bob.page.reload();
    await bob.page.getByLabel('Password', { exact: true }).fill(bobCredentials.password);
    await bob.page.getByRole('button', { name: 'Unlock' }).click();
    await bob.goTo('Files');
    await bob.page.getByText('A shared folder has its own members', { exact: false }).waitFor({ timeout: TIMEOUT });
    expect(await bob.page.getByRole('button', { name: `Open shared folder ${folderName}` }).count()).toBe(0);

    // A read-only link, opened in a fresh browser context: the folder's files, previewed and downloaded.
    await alice.page.getByRole('button', { name: 'Share', exact: true }).click();
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const address = dialog.getByRole('textbox', { name: 'New link address' });
    await address.waitFor({ timeout: TIMEOUT });
    const url = await address.inputValue();
    await alice.page.keyboard.press('Escape');
    const stranger = await web.newApp();
    await stranger.page.goto(url);
    await stranger.page.getByRole('heading', { name: folderName }).waitFor({ timeout: TIMEOUT });
    const onLink = folderOf(stranger);
    await onLink.row(later).waitFor({ timeout: TIMEOUT });
    // What Bob added before he was removed is still the folder's, through the link too.
    await onLink.row(`${marker}-bob.txt`).waitFor({ timeout: TIMEOUT });
    expect(await stranger.page.getByText('Shared with you by link: read only').count()).toBe(1);
    expect(await stranger.page.getByRole('button', { name: 'Upload files' }).count()).toBe(0);
    await stranger.screenshot('shared-06-link');
    await stranger.audit('shared-06-link');
    await stranger.page.getByRole('button', { name: first, exact: true }).click();
    const preview = stranger.page.getByRole('dialog');
    await preview.getByText(`the plan, ${marker}`).waitFor({ timeout: TIMEOUT });
    await stranger.screenshot('shared-07-link-preview');
    await stranger.audit('shared-07-link-preview');
    await stranger.page.keyboard.press('Escape');
    expect(await onLink.download(later)).toBe(`after Bob left, ${marker}`);

    // The relay holds ciphertext only: no content, file name or folder name in its blobs, rows or logs.
    const harness = web.harness;
    for (const { path, bytes } of await readAllFiles(harness.blobDir)) {
      expect(bytes.includes(Buffer.from(marker)), path).toBe(false);
    }
    const rows = await dumpTenant(harness, web.tenant);
    expect(rows).not.toContain(marker);
    expect(rows).not.toContain('Project ');
    expect(harness.logs()).not.toContain(marker);
  });

  it('lets an editor rename a shared folder for everyone, and its owner delete it with its files for every member', async () => {
    const marker = `gone-marker-${Math.random().toString(36).slice(2, 10)}`;
    const [alice, bob] = await Promise.all([web.newApp(), web.newApp()]);
    const aliceCredentials = newCredentials('alice');
    const bobCredentials = newCredentials('bob');
    await alice.signUp(aliceCredentials);
    await bob.signUp(bobCredentials);
    await alice.goTo('Files');
    await alice.page.getByRole('button', { name: 'New shared folder' }).click();
    await alice.page.getByRole('textbox', { name: 'Shared folder name' }).fill('Old name');
    await alice.page.keyboard.press('Enter');
    await alice.page.getByRole('heading', { name: 'Old name' }).waitFor({ timeout: TIMEOUT });
    await folderOf(alice).upload(`${marker}.txt`, `to be deleted, ${marker}`);
    await alice.page.getByRole('button', { name: 'Share', exact: true }).click();
    await invite(alice, bobCredentials.email, 'editor');
    await alice.page.keyboard.press('Escape');

    // Bob, an editor, renames it from the folder's bar; Alice sees the new name.
    await folderOf(bob).open('Old name');
    await bob.page.getByRole('button', { name: 'Rename shared folder Old name' }).click();
    const nameBox = bob.page.getByRole('textbox', { name: 'Shared folder name' });
    await nameBox.fill(`Budget ${marker}`);
    await nameBox.press('Enter');
    await bob.page.getByRole('heading', { name: `Budget ${marker}` }).waitFor({ timeout: TIMEOUT });
    await alice.page.getByRole('heading', { name: `Budget ${marker}` }).waitFor({ timeout: TIMEOUT });
    // Only an owner is offered Delete.
    expect(await bob.page.getByRole('button', { name: /^Delete shared folder/ }).count()).toBe(0);

    // Alice deletes it, asked first; it is gone from her list and, once he comes back to his Files, Bob's.
    const harness = web.harness;
    const spacesWithChunks = async () =>
      (
        await harness.relay.database.withTenant(web.tenant, (sql) =>
          sql.query<{ space_id: string }>("select distinct space_id from drive_chunks where space_id like 'shared-%'"),
        )
      ).map((row) => row.space_id);
    const before = await spacesWithChunks();
    await alice.screenshot('shared-08-renamed');
    await alice.page.getByRole('button', { name: `Delete shared folder Budget ${marker}` }).click();
    const confirm = alice.page.getByRole('group', { name: `Delete Budget ${marker}?` });
    await confirm.waitFor({ timeout: TIMEOUT });
    await alice.screenshot('shared-09-delete');
    await alice.audit('shared-09-delete');
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await alice.page.getByRole('button', { name: 'New shared folder' }).waitFor({ timeout: TIMEOUT });
    expect(await alice.page.getByRole('button', { name: `Open shared folder Budget ${marker}` }).count()).toBe(0);
    await bob.page.getByRole('button', { name: /My files/ }).click();
    await bob.page.getByText('A shared folder has its own members', { exact: false }).waitFor({ timeout: TIMEOUT });

    // The relay kept nothing of it: no chunk row, no blob of the space, no trace of its content anywhere.
    const after = await spacesWithChunks();
    const gone = before.filter((space) => !after.includes(space));
    expect(gone).toHaveLength(1);
    expect(await readAllFiles(`${harness.blobDir}/${web.tenant}/${gone[0]}`).catch(() => [])).toEqual([]);
    expect(await dumpTenant(harness, web.tenant)).not.toContain(gone[0]);
    for (const { path, bytes } of await readAllFiles(harness.blobDir)) {
      expect(bytes.includes(Buffer.from(marker)), path).toBe(false);
    }
  });
});
