/**
 * The web app's latency, in headless Debian Chromium against `coffre-relay
 * serve` (its own process, on PGlite) serving the built app:
 *
 * - keystroke to remote screen: two browser contexts (two devices of one
 *   user, signed up and logged in through the UI) open the same document;
 *   A types N characters (real keyboard events, paced) into the editor, and
 *   B's MutationObserver stamps when each one shows in its editor. Stamps are
 *   `performance.timeOrigin + performance.now()` in each page; both pages
 *   live in one Chromium, and the offset between their clocks is measured
 *   (round trips from Node, the narrowest kept) and subtracted.
 * - the same with plain Yjs over plain Hocuspocus (tests/bench/plainRelay.ts,
 *   its own process) and the same TipTap editor, no encryption, in the same run.
 * - opening the app to an editable cached document: a new tab on
 *   `/#/d/<id>` (signed in with "keep me signed in", the service worker
 *   installed) until the editor is contenteditable and holds the text, online
 *   and with the browser offline; median of R. For comparison, online in a
 *   context where service workers are blocked (the shell from the relay).
 *
 * Prints a table, then one JSON object on the last line.
 *
 *   ./run bench-web [--chars 300] [--pace-ms 30] [--open-runs 5] [--no-plain]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { serveBundle } from '../browser/serveBundle.ts';
import { freePort, startProcess, startRelayProcess, stopProcess } from '../integration/support/relayProcess.ts';
import { WebAppPage } from '../integration/support/WebAppPage.ts';
import { buildWebApp } from '../support/buildWebApp.ts';
import { launchChromium } from '../support/chromium.ts';
import { percentile } from './trace.ts';

const { values: args } = parseArgs({
  options: {
    chars: { type: 'string', default: '300' },
    'pace-ms': { type: 'string', default: '30' },
    'open-runs': { type: 'string', default: '5' },
    'no-plain': { type: 'boolean', default: false },
  },
});
const CHARS = Number(args.chars);
const PACE_MS = Number(args['pace-ms']);
const OPEN_RUNS = Number(args['open-runs']);
const TIMEOUT = 60_000;
const PASSWORD = 'correct horse battery staple';
const EDITOR = '[aria-label="Document text"]';
const FIRST_LINE = 'Latency bench.';
const PLAIN_ENTRY = resolve(import.meta.dirname, 'webLatency.plain.entry.ts');

interface Latencies {
  /** Keystroke (A's keydown) to the character in B's editor DOM, one per character, in ms. */
  samples: number[];
  /** B's clock minus A's, subtracted from the samples, and how far off it may be (half the round trip). */
  clockOffsetMs: number;
  clockUncertaintyMs: number;
}

/** The text typed: letters only, so every keystroke is one character of the paragraph. */
function typedText(count: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: count }, (_, index) => letters[index % letters.length]).join('');
}

/** B's clock minus A's, from Node: three stamps A, B, A; the sample with the shortest round trip wins. */
async function clockOffset(a: Page, b: Page): Promise<{ offset: number; uncertainty: number }> {
  const now = (page: Page) => page.evaluate(() => performance.timeOrigin + performance.now());
  let best = { offset: 0, uncertainty: Number.POSITIVE_INFINITY };
  for (let round = 0; round < 20; round += 1) {
    const before = await now(a);
    const middle = await now(b);
    const after = await now(a);
    const uncertainty = (after - before) / 2;
    if (uncertainty < best.uncertainty) best = { offset: middle - (before + after) / 2, uncertainty };
  }
  return best;
}

/**
 * Types into A's editor (already showing `FIRST_LINE` on both sides) and
 * stamps each keydown in A and each character's arrival in B.
 */
async function measureTyping(a: Page, b: Page): Promise<Latencies> {
  await b.locator(EDITOR).evaluate((element, count) => {
    const visibleLength = () => {
      let length = 0;
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        // Other editors' caret labels (a name) are not text of the document.
        if (node.parentElement?.closest('.collaboration-carets__caret')) continue;
        length += node.textContent?.length ?? 0;
      }
      return length;
    };
    const baseline = visibleLength();
    const arrivals: number[] = [];
    (window as unknown as { __arrivals: number[] }).__arrivals = arrivals;
    new MutationObserver(() => {
      const stamp = performance.timeOrigin + performance.now();
      const arrived = Math.min(count, visibleLength() - baseline);
      while (arrivals.length < arrived) arrivals.push(stamp);
    }).observe(element, { childList: true, subtree: true, characterData: true });
  }, CHARS);
  await a.locator(EDITOR).click();
  await a.keyboard.press('ControlOrMeta+End');
  await a.keyboard.press('Enter');
  await a.evaluate(() => {
    const keydowns: number[] = [];
    (window as unknown as { __keydowns: number[] }).__keydowns = keydowns;
    document.addEventListener(
      'keydown',
      (event) => {
        if (event.key.length === 1) keydowns.push(performance.timeOrigin + performance.now());
      },
      { capture: true },
    );
  });
  const { offset, uncertainty } = await clockOffset(a, b);
  await a.keyboard.type(typedText(CHARS), { delay: PACE_MS });
  await b.waitForFunction(
    (count) => (window as unknown as { __arrivals: number[] }).__arrivals.length >= count,
    CHARS,
    { timeout: TIMEOUT },
  );
  const keydowns = await a.evaluate(() => (window as unknown as { __keydowns: number[] }).__keydowns);
  const arrivals = await b.evaluate(() => (window as unknown as { __arrivals: number[] }).__arrivals);
  if (keydowns.length !== CHARS) throw new Error(`A stamped ${keydowns.length} keydowns for ${CHARS} characters`);
  const samples = arrivals.map((arrival, index) => arrival - offset - (keydowns[index] as number));
  return { samples, clockOffsetMs: offset, clockUncertaintyMs: uncertainty };
}

/**
 * Stamps, in every page of `context`, the moment the editor is editable and
 * holds `text` (`window.__editableAt`, ms since the navigation started), with
 * a MutationObserver installed before the app's own scripts run.
 */
async function stampEditable(context: BrowserContext, text: string): Promise<void> {
  await context.addInitScript(
    ([selector, expected]) => {
      const check = () => {
        const element = document.querySelector(selector);
        if (element?.getAttribute('contenteditable') !== 'true' || !(element.textContent ?? '').includes(expected)) {
          return false;
        }
        (window as unknown as { __editableAt: number }).__editableAt = performance.now();
        return true;
      };
      const observer = new MutationObserver(() => {
        if (check()) observer.disconnect();
      });
      observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
    },
    [EDITOR, text] as const,
  );
}

/** A new tab on `url` until the editor is editable and holds the text: ms since its navigation started. */
async function timeToEditable(context: BrowserContext, url: string): Promise<number> {
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(
      () => (window as unknown as { __editableAt?: number }).__editableAt,
      undefined,
      { timeout: TIMEOUT, polling: 50 },
    );
    return (await handle.jsonValue()) as number;
  } finally {
    await page.close({ runBeforeUnload: false });
  }
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((x, y) => x - y);
  const round = (value: number) => Number(value.toFixed(1));
  return {
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((x, y) => x - y),
    0.5,
  );

type NewContext = (options?: BrowserContextOptions) => Promise<BrowserContext>;

async function coffreRun(context: NewContext) {
  const webDir = await buildWebApp();
  const dataDir = await mkdtemp(join(tmpdir(), 'coffre-bench-web-'));
  const port = await freePort();
  const relay = await startRelayProcess(dataDir, port, ['--web-dir', webDir]);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    const credentials = { email: `bench-${Date.now()}@example.test`, password: PASSWORD };
    const laptopContext = await context();
    const laptop = new WebAppPage(await laptopContext.newPage(), baseUrl);
    await laptop.signUp(credentials, { remember: true });
    await laptop.page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', undefined, {
      timeout: TIMEOUT,
    });
    await laptop.page.getByRole('button', { name: 'New document' }).click();
    await laptop.page.locator(EDITOR).waitFor({ timeout: TIMEOUT });
    const documentId = /#\/d\/([0-9a-f]+)$/.exec(laptop.page.url())?.[1];
    if (!documentId) throw new Error(`no document id in ${laptop.page.url()}`);
    await laptop.page.getByRole('textbox', { name: 'Title' }).fill('Latency');
    await laptop.page.locator(EDITOR).click();
    await laptop.page.keyboard.type(FIRST_LINE);
    await laptop.page.waitForFunction(() => document.querySelector('.sync-pill')?.textContent === 'Saved', undefined, {
      timeout: TIMEOUT,
    });

    const phone = new WebAppPage(await (await context()).newPage(), baseUrl);
    await phone.logIn(credentials);
    await phone.open(`/d/${documentId}`);
    await phone.page.waitForFunction(
      ([selector, text]) => (document.querySelector(selector)?.textContent ?? '').includes(text),
      [EDITOR, FIRST_LINE] as const,
      { timeout: TIMEOUT },
    );
    const typing = await measureTyping(laptop.page, phone.page);
    await laptop.page.waitForFunction(() => document.querySelector('.sync-pill')?.textContent === 'Saved', undefined, {
      timeout: TIMEOUT,
    });
    await phone.page.context().close();
    await laptop.page.close({ runBeforeUnload: false });

    const url = `${baseUrl}/#/d/${documentId}`;
    await stampEditable(laptopContext, FIRST_LINE);
    const online: number[] = [];
    for (let run = 0; run < OPEN_RUNS; run += 1) online.push(await timeToEditable(laptopContext, url));
    await laptopContext.setOffline(true);
    const offline: number[] = [];
    for (let run = 0; run < OPEN_RUNS; run += 1) offline.push(await timeToEditable(laptopContext, url));
    await laptopContext.close();

    // The same opening with no service worker: the shell comes from the relay (the HTTP cache keeps hashed assets).
    const desktopContext = await context({ serviceWorkers: 'block' });
    const desktop = new WebAppPage(await desktopContext.newPage(), baseUrl);
    await desktop.open('/login');
    await desktop.fillLogIn(credentials);
    await desktop.page.getByLabel('Keep me signed in on this device').check();
    await desktop.submitLogIn();
    await desktop.waitForHeading('Documents');
    await desktop.page.close({ runBeforeUnload: false });
    await stampEditable(desktopContext, FIRST_LINE);
    await timeToEditable(desktopContext, url); // the first open fetches the document into IndexedDB
    const noWorker: number[] = [];
    for (let run = 0; run < OPEN_RUNS; run += 1) noWorker.push(await timeToEditable(desktopContext, url));
    await desktopContext.close();
    return { typing, online, offline, noWorker };
  } finally {
    await stopProcess(relay);
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function plainRun(context: NewContext): Promise<Latencies> {
  const dataDir = await mkdtemp(join(tmpdir(), 'coffre-bench-plain-'));
  const port = await freePort();
  const relay = await startProcess(
    [resolve(import.meta.dirname, 'plainRelay.ts'), '--port', String(port), '--data', dataDir],
    '"msg":"ready"',
  );
  const outfile = resolve(import.meta.dirname, 'bundle.js');
  const result = await build({
    entryPoints: [PLAIN_ENTRY],
    outfile,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((file) => file.path === outfile)?.text ?? '';
  const sourceMap = result.outputFiles.find((file) => file.path === `${outfile}.map`)?.text ?? '';
  const served = await serveBundle({ code, sourceMap, sourceRoot: import.meta.dirname });
  try {
    const url = `${served.url}?relay=${encodeURIComponent(`ws://127.0.0.1:${port}`)}&doc=bench-${Date.now()}`;
    const open = async () => {
      const page = await (await context()).newPage();
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { __plainSynced?: boolean }).__plainSynced === true);
      return page;
    };
    const a = await open();
    const b = await open();
    await a.locator(EDITOR).click();
    await a.keyboard.type(FIRST_LINE);
    await b.waitForFunction(
      ([selector, text]) => (document.querySelector(selector)?.textContent ?? '').includes(text),
      [EDITOR, FIRST_LINE] as const,
      { timeout: TIMEOUT },
    );
    return await measureTyping(a, b);
  } finally {
    await served.close();
    await stopProcess(relay);
    await rm(dataDir, { recursive: true, force: true });
  }
}

console.log(
  `Typing ${CHARS} characters ${PACE_MS} ms apart into one browser context's editor and timing each one until ` +
    `it shows in another context's (same Chromium, clocks aligned), through coffre-relay serve on PGlite` +
    `${args['no-plain'] ? '' : ' and through plain Hocuspocus (plain Yjs, same editor)'}; then opening the app on ` +
    `the document in a new tab until it is editable, ${OPEN_RUNS} times online and ${OPEN_RUNS} times offline`,
);
const browser = await launchChromium();
const contexts: BrowserContext[] = [];
const newContext: NewContext = async (options = {}) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  contexts.push(context);
  return context;
};
let coffre: Awaited<ReturnType<typeof coffreRun>>;
let plain: Latencies | null = null;
try {
  coffre = await coffreRun(newContext);
  if (!args['no-plain']) plain = await plainRun(newContext);
} finally {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser.close();
}

const coffreLatency = summary(coffre.typing.samples);
const plainLatency = plain ? summary(plain.samples) : null;
const ratio = (key: 'p50' | 'p95' | 'p99') =>
  plainLatency ? Number((coffreLatency[key] / plainLatency[key]).toFixed(2)) : null;
const show = (value: number | null | undefined, unit = ' ms') =>
  value === null || value === undefined ? '—' : `${value.toFixed(1)}${unit}`;
console.log('');
console.log(`${'figure'.padEnd(62)}${'coffre'.padStart(12)}${'plain'.padStart(12)}${'ratio'.padStart(9)}`);
for (const key of ['p50', 'p95', 'p99'] as const) {
  console.log(
    `${`keystroke to remote screen ${key}`.padEnd(62)}${show(coffreLatency[key]).padStart(12)}` +
      `${show(plainLatency?.[key]).padStart(12)}${(ratio(key) === null ? '—' : `${ratio(key)}x`).padStart(9)}`,
  );
}
console.log(
  `${'keystroke to remote screen max'.padEnd(62)}${show(coffreLatency.max).padStart(12)}${show(plainLatency?.max).padStart(12)}`,
);
const openOnline = median(coffre.online);
const openOffline = median(coffre.offline);
const openNoWorker = median(coffre.noWorker);
console.log(
  `${`open to editable cached document, online (median of ${OPEN_RUNS})`.padEnd(62)}${show(openOnline).padStart(12)}`,
);
console.log(
  `${`open to editable cached document, offline (median of ${OPEN_RUNS})`.padEnd(62)}${show(openOffline).padStart(12)}`,
);
console.log(
  `${`  same, online without the service worker (median of ${OPEN_RUNS})`.padEnd(62)}${show(openNoWorker).padStart(12)}`,
);
console.log(
  `clock offset between the contexts: coffre ${show(coffre.typing.clockOffsetMs)} ± ${show(coffre.typing.clockUncertaintyMs)}` +
    (plain ? `, plain ${show(plain.clockOffsetMs)} ± ${show(plain.clockUncertaintyMs)}` : ''),
);
console.log(
  JSON.stringify({
    bench: 'web-latency',
    chars: CHARS,
    paceMs: PACE_MS,
    coffre: {
      ...coffreLatency,
      clockOffsetMs: coffre.typing.clockOffsetMs,
      clockUncertaintyMs: coffre.typing.clockUncertaintyMs,
    },
    plain: plainLatency
      ? { ...plainLatency, clockOffsetMs: plain?.clockOffsetMs, clockUncertaintyMs: plain?.clockUncertaintyMs }
      : null,
    ratio: { p50: ratio('p50'), p95: ratio('p95'), p99: ratio('p99') },
    openToEditableMs: {
      onlineMedian: Number(openOnline.toFixed(1)),
      offlineMedian: Number(openOffline.toFixed(1)),
      online: coffre.online.map((value) => Number(value.toFixed(1))),
      offline: coffre.offline.map((value) => Number(value.toFixed(1))),
      onlineNoServiceWorkerMedian: Number(openNoWorker.toFixed(1)),
      onlineNoServiceWorker: coffre.noWorker.map((value) => Number(value.toFixed(1))),
    },
  }),
);
