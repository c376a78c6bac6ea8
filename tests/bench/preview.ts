/**
 * Time to first pixel of the Drive's previews (issue 11), in headless
 * Debian Chromium against `coffre-relay serve` (its own process, PGlite,
 * file-system blob store) serving the built app:
 *
 * - a 10 MB photo (a 12-megapixel JPEG made in the page) and a 20 MB PDF
 *   (21 A4 pages, each with a 1 MB scanned-like image, written by hand:
 *   tests/integration/support/sampleFiles.ts) are uploaded from one device;
 * - on another device (a new browser context, logged in, so nothing is in
 *   its HTTP cache or IndexedDB), each is opened in the preview dialog with
 *   Enter, from the relay; then both are kept offline, the browser goes
 *   offline, the page is reloaded (pdf.js loads again) and both are opened
 *   again, from IndexedDB.
 *
 * The time is from the Enter key's keydown to the app's
 * `coffre-preview-shown` mark (set after the next paint once the image is
 * decoded or the PDF's first page is drawn), in the same page's clock. The
 * photo is read whole (a preview of an image needs all of it); the PDF is
 * read by ranges (pdf.js asks for what its first page needs): the chunk
 * requests to the relay during each open are counted.
 *
 * Prints a table, then one JSON object on the last line.
 *
 *   ./run bench-preview [--runs 3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { freePort, startRelayProcess, stopProcess } from '../integration/support/relayProcess.ts';
import { makePdf } from '../integration/support/sampleFiles.ts';
import { WebAppPage } from '../integration/support/WebAppPage.ts';
import { buildWebApp } from '../support/buildWebApp.ts';
import { launchChromium } from '../support/chromium.ts';
import { percentile } from './trace.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(args.runs);
const TIMEOUT = 120_000;
const PASSWORD = 'correct horse battery staple';
const PHOTO = 'photo.jpg';
const PDF = 'scan.pdf';
const TARGET_MS = 1000;

/** A JPEG of about `bytes`, made by the page's own encoder: 4000 x 3000, gradients under noise (as a photo's grain). */
async function makePhoto(page: Page, bytes: number): Promise<Buffer> {
  const base64 = await page.evaluate(async (target) => {
    const width = 4000;
    const height = 3000;
    const encode = async (noise: number) => {
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
      const image = context.createImageData(width, height);
      let seed = 12_345;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
        return seed / 0x7fffffff;
      };
      for (let y = 0; y < height; y += 1) {
        for (let x = 0; x < width; x += 1) {
          const at = (y * width + x) * 4;
          const grain = (random() - 0.5) * noise;
          image.data[at] = (x / width) * 200 + 30 + grain;
          image.data[at + 1] = (y / height) * 180 + 40 + grain;
          image.data[at + 2] = 120 + Math.sin(x / 90) * 60 + grain;
          image.data[at + 3] = 255;
        }
      }
      context.putImageData(image, 0, 0);
      return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 });
    };
    // The grain that gives about the size asked (JPEG grows with it), found in a few tries.
    let low = 0;
    let high = 255;
    let best: Blob | null = null;
    for (let step = 0; step < 7; step += 1) {
      const noise = (low + high) / 2;
      const blob = await encode(noise);
      if (!best || Math.abs(blob.size - target) < Math.abs(best.size - target)) best = blob;
      if (Math.abs(blob.size - target) < target * 0.03) break;
      if (blob.size < target) low = noise;
      else high = noise;
    }
    if (!best) throw new Error('no photo');
    const data = new Uint8Array(await best.arrayBuffer());
    let text = '';
    for (let at = 0; at < data.length; at += 32_768) text += String.fromCharCode(...data.subarray(at, at + 32_768));
    return btoa(text);
  }, bytes);
  return Buffer.from(base64, 'base64');
}

/** A 20 MB PDF: 21 pages, each a 1 MB image (noise, uncompressed, as a scan with no compression) and a few lines. */
function makeScan(): Buffer {
  const side = 577; // 577 x 577 x 3 bytes: 0.999 MB
  let seed = 7;
  const image = () => {
    const rgb = new Uint8Array(side * side * 3);
    for (let index = 0; index < rgb.length; index += 1) {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      rgb[index] = 140 + (seed >> 24);
    }
    return { width: side, height: side, rgb };
  };
  return makePdf(
    Array.from({ length: 21 }, (_, index) => ({
      lines: [`Scanned page ${index + 1}`, 'Time to first pixel of the Drive previews.'],
      image: image(),
    })),
  );
}

async function upload(app: WebAppPage, name: string, mimeType: string, buffer: Buffer): Promise<void> {
  await app.page.locator('input[type=file]').setInputFiles({ name, mimeType, buffer });
  await app.page
    .getByRole('region', { name: 'Uploads' })
    .getByRole('listitem')
    .filter({ hasText: name })
    .getByText('Saved')
    .waitFor({ timeout: TIMEOUT });
}

/** Stamps each Enter's keydown in the page (window.__enterAt), before the app sees it. */
async function stampEnter(page: Page): Promise<void> {
  await page.evaluate(() => {
    document.addEventListener(
      'keydown',
      (event) => {
        if (event.key === 'Enter') (window as unknown as { __enterAt: number }).__enterAt = performance.now();
      },
      { capture: true },
    );
  });
}

interface Opened {
  ms: number;
  /** Chunk downloads asked of the relay while it opened. */
  chunkRequests: number;
}

/** Opens a file's preview with Enter and waits for its first pixel; closes it again. */
async function openPreview(page: Page, name: string): Promise<Opened> {
  let chunkRequests = 0;
  const count = (request: { url(): string; method(): string }) => {
    if (request.method() === 'GET' && /\/chunks\/[0-9a-f]{64}$/.test(request.url())) chunkRequests += 1;
  };
  await page.evaluate(() => performance.clearMarks('coffre-preview-shown'));
  await page.getByRole('list', { name: 'Your files' }).getByRole('button', { name, exact: true }).focus();
  page.on('request', count);
  await page.keyboard.press('Enter');
  const handle = await page.waitForFunction(
    () => {
      const shown = performance.getEntriesByName('coffre-preview-shown').at(-1);
      const pressed = (window as unknown as { __enterAt?: number }).__enterAt;
      return shown && pressed !== undefined ? shown.startTime - pressed : null;
    },
    undefined,
    { timeout: TIMEOUT, polling: 20 },
  );
  const ms = (await handle.jsonValue()) as number;
  page.off('request', count);
  const dialog = page.getByRole('dialog', { name });
  const failure = await dialog.getByRole('alert').count();
  if (failure > 0) throw new Error(`the preview of ${name} failed: ${await dialog.getByRole('alert').textContent()}`);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached', timeout: TIMEOUT });
  return { ms, chunkRequests };
}

async function waitKept(page: Page, name: string): Promise<void> {
  const row = page.getByRole('list', { name: 'Your files' }).getByRole('listitem').filter({ hasText: name });
  await page.getByRole('button', { name: `Keep offline, ${name}`, exact: true }).click();
  // "· on this device" once every chunk is here ("· saving on this device…" while they come).
  await row.getByText('· on this device', { exact: false }).waitFor({ timeout: TIMEOUT });
}

interface Run {
  relay: { photo: Opened; pdf: Opened };
  offline: { photo: Opened; pdf: Opened };
}

async function measure(browser: Browser, baseUrl: string, email: string): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const device = new WebAppPage(await context.newPage(), baseUrl);
    await device.open('/login');
    await device.fillLogIn({ email, password: PASSWORD });
    await device.page.getByLabel('Keep me signed in on this device').check();
    await device.submitLogIn();
    await device.waitForHeading('Documents');
    await device.page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', undefined, {
      timeout: TIMEOUT,
    });
    await device.goTo('Files');
    await device.page.getByRole('button', { name: PDF, exact: true }).waitFor({ timeout: TIMEOUT });
    // The list's thumbnails first, so their two chunk requests are not counted with a preview's.
    await device.page.locator('.file-thumbnail img').nth(1).waitFor({ timeout: TIMEOUT });
    await stampEnter(device.page);
    const relay = { photo: await openPreview(device.page, PHOTO), pdf: await openPreview(device.page, PDF) };

    await waitKept(device.page, PHOTO);
    await waitKept(device.page, PDF);
    await context.setOffline(true);
    // A fresh page, offline: the app from the service worker, pdf.js loaded again, chunks from IndexedDB.
    await device.page.reload();
    await device.waitForHeading('Files');
    await device.page.getByRole('button', { name: PDF, exact: true }).waitFor({ timeout: TIMEOUT });
    await stampEnter(device.page);
    const offline = { photo: await openPreview(device.page, PHOTO), pdf: await openPreview(device.page, PDF) };
    return { relay, offline };
  } finally {
    await context.close();
  }
}

const webDir = await buildWebApp();
const dataDir = await mkdtemp(join(tmpdir(), 'coffre-bench-preview-'));
const port = await freePort();
const relayProcess = await startRelayProcess(dataDir, port, ['--web-dir', webDir]);
const baseUrl = `http://127.0.0.1:${port}`;
const browser = await launchChromium();
const runs: Run[] = [];
/** Bytes of the two files, set once they are made (the summary reads them after the runs). */
const sizes = { photo: 0, pdf: 0 };
try {
  const email = `bench-${Date.now()}@example.test`;
  const uploaderContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const uploader = new WebAppPage(await uploaderContext.newPage(), baseUrl);
  await uploader.signUp({ email, password: PASSWORD });
  const photo = await makePhoto(uploader.page, 10_000_000);
  const pdf = makeScan();
  sizes.photo = photo.length;
  sizes.pdf = pdf.length;
  console.log(
    `Time to first pixel of a ${(photo.length / 1e6).toFixed(1)} MB photo (JPEG 4000 x 3000) and of the first page of a ` +
      `${(pdf.length / 1e6).toFixed(1)} MB PDF (21 pages), opened with Enter in the Files screen of a second device, ` +
      `from the relay (coffre-relay serve, PGlite, loopback) and from IndexedDB (kept offline, browser offline, page ` +
      `reloaded); ${RUNS} runs, each on a new device`,
  );
  await uploader.goTo('Files');
  await upload(uploader, PHOTO, 'image/jpeg', photo);
  await upload(uploader, PDF, 'application/pdf', pdf);
  await uploaderContext.close();
  for (let run = 0; run < RUNS; run += 1) {
    const result = await measure(browser, baseUrl, email);
    runs.push(result);
    console.log(
      `  run ${run + 1}: relay photo ${result.relay.photo.ms.toFixed(0)} ms, pdf ${result.relay.pdf.ms.toFixed(0)} ms ` +
        `(${result.relay.pdf.chunkRequests} chunk requests); IndexedDB photo ${result.offline.photo.ms.toFixed(0)} ms, ` +
        `pdf ${result.offline.pdf.ms.toFixed(0)} ms`,
    );
  }
} finally {
  await browser.close();
  await stopProcess(relayProcess);
  await rm(dataDir, { recursive: true, force: true });
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((x, y) => x - y),
    0.5,
  );
const figure = (pick: (run: Run) => Opened) => {
  const values = runs.map((run) => pick(run).ms);
  return {
    medianMs: Number(median(values).toFixed(1)),
    maxMs: Number(Math.max(...values).toFixed(1)),
    runsMs: values.map((value) => Number(value.toFixed(1))),
    chunkRequests: runs.map((run) => pick(run).chunkRequests),
  };
};
const figures = {
  photoFromRelay: figure((run) => run.relay.photo),
  pdfFirstPageFromRelay: figure((run) => run.relay.pdf),
  photoFromIndexedDb: figure((run) => run.offline.photo),
  pdfFirstPageFromIndexedDb: figure((run) => run.offline.pdf),
};
const photoChunks = Math.ceil(sizes.photo / (1024 * 1024));
const pdfChunks = Math.ceil(sizes.pdf / (1024 * 1024));
console.log('');
console.log(`${'figure'.padEnd(52)}${'median'.padStart(10)}${'max'.padStart(10)}${'target'.padStart(10)}`);
const line = (label: string, value: { medianMs: number; maxMs: number }) =>
  console.log(
    `${label.padEnd(52)}${`${value.medianMs.toFixed(0)} ms`.padStart(10)}${`${value.maxMs.toFixed(0)} ms`.padStart(10)}` +
      `${(value.maxMs < TARGET_MS ? '< 1 s ok' : 'over 1 s').padStart(10)}`,
  );
line(`photo ${(sizes.photo / 1e6).toFixed(1)} MB, from the relay`, figures.photoFromRelay);
line(`photo ${(sizes.photo / 1e6).toFixed(1)} MB, from IndexedDB (offline)`, figures.photoFromIndexedDb);
line(`PDF ${(sizes.pdf / 1e6).toFixed(1)} MB first page, from the relay`, figures.pdfFirstPageFromRelay);
line(`PDF ${(sizes.pdf / 1e6).toFixed(1)} MB first page, from IndexedDB (offline)`, figures.pdfFirstPageFromIndexedDb);
console.log(
  `chunks fetched from the relay: photo ${figures.photoFromRelay.chunkRequests.join('/')} of ~${photoChunks} ` +
    `(read whole), PDF first page ${figures.pdfFirstPageFromRelay.chunkRequests.join('/')} of ~${pdfChunks}; ` +
    `offline: photo ${figures.photoFromIndexedDb.chunkRequests.join('/')}, PDF ${figures.pdfFirstPageFromIndexedDb.chunkRequests.join('/')} (0: all from IndexedDB)`,
);
console.log(
  JSON.stringify({
    bench: 'drive-preview',
    runs: RUNS,
    photoBytes: sizes.photo,
    pdfBytes: sizes.pdf,
    targetMs: TARGET_MS,
    ...figures,
  }),
);
