import { readFile } from 'node:fs/promises';
import type { Download, Page } from 'playwright-core';
import { expect } from 'vitest';
import { TIMEOUT } from './webAppSuite.ts';

/** Gives a file to the open Files screen's picker and waits until its line in Uploads says Saved. */
export async function uploadThroughFiles(page: Page, name: string, mimeType: string, buffer: Buffer): Promise<void> {
  await page.locator('input[type=file]').setInputFiles({ name, mimeType, buffer });
  const uploads = page.getByRole('region', { name: 'Uploads' });
  await expect
    .poll(() => uploads.getByRole('listitem').filter({ hasText: name }).textContent(), { timeout: TIMEOUT })
    .toContain('Saved');
}

/** Presses a file's Download button and resolves with the browser's download and its bytes. */
export async function downloadFromRow(page: Page, name: string): Promise<{ download: Download; bytes: Buffer }> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: `Download ${name}`, exact: true }).click(),
  ]);
  return { download, bytes: await readFile(await download.path()) };
}
