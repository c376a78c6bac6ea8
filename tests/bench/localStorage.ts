/**
 * Writes the automerge-paper editing trace keystroke by keystroke into
 * IndexedDB in headless Chromium, once through Coffre (YjsEngine inside an
 * EncryptedEnvelope that seals every keystroke; the envelope persisted by
 * EnvelopeStore) and once with plain y-indexeddb on a plain Y.Doc, in the
 * same run (each in its own browser profile). Prints the write time, rows and
 * bytes stored before and after compaction, and the cold-open time from
 * IndexedDB (Chromium restarted on that side's profile, a new page, until the
 * text equals the trace's), with Coffre/plain ratios, then one JSON object
 * on the last line.
 *
 *   ./run bench-local [--keystrokes N|all] [--chunk N] [--open-runs N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import * as Y from 'yjs';
import { generateSigningKeyPair, generateSymmetricKey, ready, toHex } from '@coffre/crypto';
import { type DocumentAddress, documentId, tenantId } from '@coffre/protocol';
import { bundleForBrowser } from '../browser/bundleForBrowser.ts';
import { openBundlePage } from '../browser/openBundlePage.ts';
import { serveBundle } from '../browser/serveBundle.ts';
import { launchChromiumWithProfile } from '../support/chromium.ts';
import {
  type BenchKeys,
  LOCAL_STORAGE_BENCH,
  type LocalStorageBench,
  type OpenFigures,
  type WriteFigures,
} from './localStorageBenchApi.ts';
import { applyPatch, loadTrace } from './trace.ts';

const { values: args } = parseArgs({
  options: {
    // One IndexedDB transaction per keystroke costs Chromium about 1 to 2 ms, so the whole trace
    // (259,778 keystrokes) takes 15 to 20 minutes: the default is its first 20,000 (about a minute).
    keystrokes: { type: 'string', default: '20000' },
    chunk: { type: 'string', default: '100' },
    'open-runs': { type: 'string', default: '5' },
  },
});

await ready();
const trace = await loadTrace();
const patches = args.keystrokes === 'all' ? trace.patches : trace.patches.slice(0, Number(args.keystrokes));
const chunk = Number(args.chunk);
const openRuns = Number(args['open-runs']);
const finalText = (() => {
  const doc = new Y.Doc();
  for (const patch of patches) applyPatch(doc.getText('text'), patch);
  return doc.getText('text').toString();
})();

const signingKeyPair = generateSigningKeyPair();
const keys: BenchKeys = {
  deviceId: 'bench-device',
  signingPublicKey: toHex(signingKeyPair.publicKey),
  signingSecretKey: toHex(signingKeyPair.secretKey),
  documentKey: toHex(generateSymmetricKey()),
};
const address: DocumentAddress = { tenantId: tenantId('bench'), documentId: documentId('automerge-paper') };
const PLAIN_DATABASE = 'plain-y-indexeddb/automerge-paper';

type Method = keyof LocalStorageBench;
type Result<M extends Method> = Awaited<ReturnType<LocalStorageBench[M]>>;

/** Calls the page's benchmark API (tests/bench/localStorage.entry.ts). */
async function call<M extends Method>(
  page: Page,
  method: M,
  ...callArgs: Parameters<LocalStorageBench[M]>
): Promise<Result<M>> {
  const result: unknown = await page.evaluate(
    ([name, method, callArgs]) => {
      const api = (globalThis as unknown as Record<string, Record<string, (...values: unknown[]) => unknown>>)[name];
      if (!api) throw new Error('the benchmark page did not load');
      return (api[method] as (...values: unknown[]) => unknown)(...callArgs);
    },
    [LOCAL_STORAGE_BENCH, method, callArgs as unknown[]] as const,
  );
  return result as Result<M>;
}

const bundle = await bundleForBrowser(resolve(import.meta.dirname, 'localStorage.entry.ts'));
const served = await serveBundle(bundle);
const profiles: string[] = [];

/** Starts Chromium on `profile`, opens one page and closes Chromium when `task` is done. */
async function inFreshBrowser<T>(profile: string, task: (page: Page) => Promise<T>): Promise<T> {
  const context = await launchChromiumWithProfile(profile);
  try {
    const { page } = await openBundlePage(context, served);
    return await task(page);
  } finally {
    await context.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

interface Figures {
  writeMs: number;
  typingMs: number;
  updateBytes: number;
  rowsBefore: number;
  bytesBefore: number;
  coldOpenBeforeMs: number;
  compactMs: number;
  rowsAfter: number;
  bytesAfter: number;
  coldOpenAfterMs: number;
}

interface Side {
  write(page: Page): Promise<WriteFigures>;
  open(page: Page): Promise<OpenFigures>;
  compact(page: Page): Promise<number>;
}

const sides: Record<'coffre' | 'plain', Side> = {
  plain: {
    write: (page) => call(page, 'writePlain', PLAIN_DATABASE, { patches, chunk }),
    open: (page) => call(page, 'openPlain', PLAIN_DATABASE, finalText),
    compact: (page) => call(page, 'compactPlain'),
  },
  coffre: {
    write: (page) => call(page, 'writeCoffre', address, keys, { patches, chunk }),
    open: (page) => call(page, 'openCoffre', address, keys, finalText),
    compact: (page) => call(page, 'compactCoffre'),
  },
};

async function measure(
  name: string,
  side: Side,
): Promise<{ figures: Figures; write: WriteFigures; opens: OpenFigures[] }> {
  // A profile (so an IndexedDB backing store) per side: one side's leftovers do not slow the other's opens.
  const profile = await mkdtemp(join(tmpdir(), 'bench-local-storage-'));
  profiles.push(profile);
  // 1. Write the trace, then read what IndexedDB holds (each store's own automatic compaction included).
  const { write, before } = await inFreshBrowser(profile, async (page) => {
    const write = await side.write(page);
    return { write, before: await call(page, 'stored', write.databaseName) };
  });
  console.error(`${name}: wrote the trace in ${(write.writeMs / 1000).toFixed(1)} s`);
  // 2. Cold open of the document as it was written, then compact it explicitly.
  const { openedBefore, compactMs, after } = await inFreshBrowser(profile, async (page) => {
    const openedBefore = await side.open(page);
    const compactMs = await side.compact(page);
    return { openedBefore, compactMs, after: await call(page, 'stored', write.databaseName) };
  });
  // 3. Cold opens of the compacted document, each in a freshly started browser.
  const opens: OpenFigures[] = [];
  for (let run = 0; run < openRuns; run += 1) opens.push(await inFreshBrowser(profile, (page) => side.open(page)));
  return {
    write,
    opens: [openedBefore, ...opens],
    figures: {
      writeMs: write.writeMs,
      typingMs: write.typingMs,
      updateBytes: write.updateBytes,
      rowsBefore: before.rows,
      bytesBefore: before.bytes,
      coldOpenBeforeMs: openedBefore.openMs,
      compactMs,
      rowsAfter: after.rows,
      bytesAfter: after.bytes,
      coldOpenAfterMs: median(opens.map((open) => open.openMs)),
    },
  };
}

console.log(
  `Writing ${patches.length} keystrokes (${finalText.length} characters at the end) one by one into IndexedDB ` +
    `in headless Chromium${patches.length < trace.patches.length ? ` (of ${trace.patches.length}: --keystrokes all for the whole trace)` : ''}; ` +
    `${chunk} keystrokes per browser task, then a wait until IndexedDB committed them; ` +
    `cold opens restart Chromium on the side's profile`,
);
let plain: Awaited<ReturnType<typeof measure>>;
let coffre: Awaited<ReturnType<typeof measure>>;
try {
  plain = await measure('plain', sides.plain);
  coffre = await measure('coffre', sides.coffre);
} finally {
  await served.close();
  for (const profile of profiles) await rm(profile, { recursive: true, force: true });
}

const rows: [string, keyof Figures, 'ms' | 'B' | 'rows'][] = [
  ['time to write the trace (all committed)', 'writeMs', 'ms'],
  ['  of which applying (and sealing) keystrokes', 'typingMs', 'ms'],
  ['bytes of every update written', 'updateBytes', 'B'],
  ['rows stored after writing', 'rowsBefore', 'rows'],
  ['bytes stored after writing', 'bytesBefore', 'B'],
  ['cold open as written', 'coldOpenBeforeMs', 'ms'],
  ['explicit compaction', 'compactMs', 'ms'],
  ['rows stored after compaction', 'rowsAfter', 'rows'],
  ['bytes stored after compaction', 'bytesAfter', 'B'],
  [`cold open after compaction (median of ${openRuns})`, 'coldOpenAfterMs', 'ms'],
];
console.log('');
console.log(`${'figure'.padEnd(44)}${'coffre'.padStart(16)}${'plain'.padStart(16)}${'ratio'.padStart(10)}`);
const ratios: Partial<Record<keyof Figures, number>> = {};
for (const [label, key, unit] of rows) {
  const ratio = coffre.figures[key] / plain.figures[key];
  ratios[key] = Number(ratio.toFixed(3));
  const show = (value: number) => `${unit === 'ms' ? value.toFixed(1) : value.toFixed(0)} ${unit}`;
  console.log(
    `${label.padEnd(44)}${show(coffre.figures[key]).padStart(16)}${show(plain.figures[key]).padStart(16)}` +
      `${ratio.toFixed(2).padStart(9)}x`,
  );
}
const lastOpen = coffre.opens.at(-1);
console.log(
  `(Coffre sealed ${coffre.write.sealedEntries} entries, one per keystroke; EnvelopeStore's own compactions ` +
    `rewrote ${coffre.write.compactedBytes} B in ${coffre.write.compactions} compactions while typing; its cold opens include ` +
    `${lastOpen?.cryptoReadyMs.toFixed(1)} ms waiting for libsodium and ${lastOpen?.loadMs.toFixed(1)} ms reading IndexedDB ` +
    `in the last run. Plain y-indexeddb trims only after 1 s without a write, so a trace typed without pause ` +
    `keeps a row per keystroke until then.)`,
);
console.log(
  JSON.stringify({
    benchmark: 'local-storage-automerge-paper',
    keystrokes: patches.length,
    chunk,
    openRuns,
    coffre: {
      ...coffre.figures,
      sealedEntries: coffre.write.sealedEntries,
      compactedBytes: coffre.write.compactedBytes,
      compactions: coffre.write.compactions,
      opens: coffre.opens,
    },
    plain: { ...plain.figures, opens: plain.opens },
    ratios,
  }),
);
