/**
 * Replays the automerge-paper editing trace (259,778 keystrokes) on client A
 * through a relay to client B, with Coffre (sealed envelope; a relay that
 * acknowledges only committed updates) and with plain Hocuspocus on plain
 * Yjs, in the same run: first keystroke by keystroke (one Yjs transaction
 * each; plain Hocuspocus then sends one message per keystroke, Coffre one
 * entry per task), then, for throughput only, both with the same batching
 * (the `--chunk` keystrokes typed in one task go in one Yjs transaction, so
 * one message or entry each), which shows what encryption itself costs on
 * throughput. Each relay runs in its own
 * process, as in production; the clients share this one. `--load` keeps a
 * second process busy on one core throughout. Prints the figures with
 * Coffre/plain ratios, then one JSON object on the last line.
 *
 *   ./run bench [--keystrokes N] [--latency-samples N] [--chunk N] [--pace-ms N] [--load]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { HocuspocusProvider } from '@hocuspocus/provider';
import { YjsEngine, type EncryptedDocument } from '@coffre/client';
import { ready } from '@coffre/crypto';
import { userId } from '@coffre/protocol';
import {
  DocumentStore,
  createDatabase,
  loadOrCreateTokenKeys,
  mergeEnvelopeUpdates,
  mintAccessToken,
} from '@coffre/sync-server';
import {
  type RelayHarness,
  TestWorkspace,
  appDatabaseUrl,
  openClient,
  storageEngine,
} from '../integration/support/relayHarness.ts';
import { freePort, startProcess, startRelayProcess, stopProcess } from '../integration/support/relayProcess.ts';
import { type Patch, applyPatch, loadTrace, percentile } from './trace.ts';

const PLAIN_RELAY = resolve(import.meta.dirname, 'plainRelay.ts');

const { values: args } = parseArgs({
  options: {
    keystrokes: { type: 'string' },
    'latency-samples': { type: 'string', default: '1000' },
    chunk: { type: 'string', default: '100' },
    'pace-ms': { type: 'string', default: '10' },
    load: { type: 'boolean', default: false },
  },
});

await ready();
const trace = await loadTrace();
const keystrokes = args.keystrokes ? trace.patches.slice(0, Number(args.keystrokes)) : trace.patches;
const finalTextOfTrace = (() => {
  const doc = new Y.Doc();
  for (const patch of keystrokes) applyPatch(doc.getText('text'), patch);
  return { text: doc.getText('text').toString(), stateBytes: Y.encodeStateAsUpdate(doc).length };
})();
const latencySamples = Number(args['latency-samples']);
const chunk = Number(args.chunk);
const paceMs = Number(args['pace-ms']);

/** One system under test: two connected clients, a way to open a third, and what its relay stored. */
interface Side {
  a: Y.Doc;
  b: Y.Doc;
  openFresh(): Promise<{ doc: Y.Doc; close(): void }>;
  /** Runs while the relay is up, before it is stopped (e.g. the client's compaction). */
  beforeStoredBytes(): Promise<void>;
  stopRelay(): Promise<void>;
  /** Bytes the relay keeps for the document, read after it stopped. */
  storedBytes(): Promise<number>;
}

interface Figures {
  convergeMs: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
  storedBytes: number;
  coldOpenMs: number;
}

function nextUpdate(doc: Y.Doc): Promise<void> {
  return new Promise((resolveUpdate) => doc.once('update', () => resolveUpdate()));
}

function waitForText(doc: Y.Doc, text: string, timeoutMs = 600_000): Promise<void> {
  const ytext = doc.getText('text');
  if (ytext.toString() === text) return Promise.resolve();
  return new Promise((resolveText, reject) => {
    const check = () => {
      if (ytext.length === text.length && ytext.toString() === text) {
        clearTimeout(timer);
        doc.off('update', check);
        resolveText();
      }
    };
    const timer = setTimeout(() => {
      doc.off('update', check);
      reject(new Error(`timed out: ${ytext.length} of ${text.length} characters`));
    }, timeoutMs);
    doc.on('update', check);
  });
}

/**
 * The figures of one side. `batched`: the keystrokes of one task go in one
 * Yjs transaction, and only the throughput is measured (the other figures
 * do not depend on it).
 */
async function measure(side: Side, batched = false): Promise<Figures> {
  const text = side.a.getText('text');
  // 1. Throughput: the whole trace as fast as client A can type it, `chunk` keystrokes per task.
  const converged = waitForText(side.b, finalTextOfTrace.text);
  const started = performance.now();
  for (let index = 0; index < keystrokes.length; index += chunk) {
    const typeChunk = () => {
      for (const patch of keystrokes.slice(index, index + chunk)) applyPatch(text, patch);
    };
    if (batched) side.a.transact(typeChunk);
    else typeChunk();
    await new Promise((resolveTask) => setImmediate(resolveTask));
  }
  await converged;
  const convergeMs = performance.now() - started;
  if (batched) {
    await side.stopRelay();
    return { convergeMs, latencyP50Ms: NaN, latencyP95Ms: NaN, latencyP99Ms: NaN, storedBytes: NaN, coldOpenMs: NaN };
  }

  // 2. Latency: single keystrokes typed at the end, one every `paceMs` (faster than any person types),
  //    each timed until B has applied it.
  const latencies: number[] = [];
  for (let index = 0; index < latencySamples; index += 1) {
    await new Promise((resolvePace) => setTimeout(resolvePace, paceMs));
    const patch = keystrokes[index % keystrokes.length] as Patch;
    const arrived = nextUpdate(side.b);
    const t0 = performance.now();
    if (patch[2].length > 0 || text.length === 0) text.insert(text.length, patch[2] || 'x');
    else text.delete(text.length - 1, 1);
    await arrived;
    latencies.push(performance.now() - t0);
  }
  latencies.sort((x, y) => x - y);
  const final = text.toString();
  await waitForText(side.b, final);

  // 3. Cold open: a fresh client until it shows the whole document.
  const t0 = performance.now();
  const fresh = await side.openFresh();
  await waitForText(fresh.doc, final);
  const coldOpenMs = performance.now() - t0;
  fresh.close();

  await side.beforeStoredBytes();
  await side.stopRelay();
  return {
    convergeMs,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP95Ms: percentile(latencies, 0.95),
    latencyP99Ms: percentile(latencies, 0.99),
    storedBytes: await side.storedBytes(),
    coldOpenMs,
  };
}

async function coffreSide(dataDir: string): Promise<Side> {
  const port = await freePort();
  const relay = await startRelayProcess(dataDir, port);
  const keys = await loadOrCreateTokenKeys(join(dataDir, 'token-key.json'));
  const workspace = new TestWorkspace();
  const { tenantId, documentId } = workspace.address;
  const token = await mintAccessToken(keys, { tenant: tenantId, sub: userId('bench'), role: 'member' });
  const harness = { url: `ws://127.0.0.1:${port}/sync` } as RelayHarness;
  const open: EncryptedDocument<YjsEngine>[] = [];
  const client = async () => {
    const document = await openClient({
      harness,
      workspace,
      engine: new YjsEngine(),
      token,
      extra: { batchWindowMs: 0 },
    });
    open.push(document);
    await document.whenSynced();
    return document;
  };
  const a = await client();
  const b = await client();
  return {
    a: a.engine.doc,
    b: b.engine.doc,
    openFresh: async () => {
      const fresh = await client();
      return { doc: fresh.engine.doc, close: () => fresh.destroy() };
    },
    beforeStoredBytes: async () => {
      a.envelope.compact();
      await a.whenSaved();
    },
    stopRelay: async () => {
      for (const document of open) document.destroy();
      await stopProcess(relay);
    },
    storedBytes: async () => {
      // The relay's periodic merge, run on its database once it has stopped.
      const adminUrl = process.env.DATABASE_URL;
      const database = await createDatabase(
        adminUrl ? { databaseUrl: appDatabaseUrl(adminUrl) } : { dataDir: join(dataDir, 'pglite') },
      );
      const store = new DocumentStore(database);
      await store.compact(tenantId, documentId, mergeEnvelopeUpdates);
      const { totalBytes } = await store.stats(tenantId, documentId);
      await database.close();
      return totalBytes;
    },
  };
}

async function plainSide(dataDir: string, name = 'plain-doc'): Promise<Side> {
  const port = await freePort();
  const relay = await startProcess([PLAIN_RELAY, '--port', String(port), '--data', dataDir], '"msg":"ready"');
  const url = `ws://127.0.0.1:${port}`;
  const providers: HocuspocusProvider[] = [];
  const client = async () => {
    const doc = new Y.Doc();
    const provider = new HocuspocusProvider({ url, name, document: doc });
    providers.push(provider);
    await new Promise<void>((resolveSynced) => provider.on('synced', () => resolveSynced()));
    return { doc, provider };
  };
  const a = await client();
  const b = await client();
  return {
    a: a.doc,
    b: b.doc,
    openFresh: async () => {
      const fresh = await client();
      return { doc: fresh.doc, close: () => fresh.provider.destroy() };
    },
    beforeStoredBytes: () => Promise.resolve(),
    stopRelay: async () => {
      for (const provider of providers) provider.destroy();
      await stopProcess(relay); // Hocuspocus stores pending documents on SIGTERM
    },
    storedBytes: async () => {
      let total = 0;
      for (const file of await readdir(dataDir)) total += (await stat(join(dataDir, file))).size;
      return total;
    },
  };
}

/** A second process spinning on one core while the bench runs (`--load`). */
function startLoad(): ChildProcess {
  const child = fork('-e', ['for (;;) {}'], { execArgv: [], stdio: 'ignore' });
  child.unref();
  return child;
}

console.log(
  `Replaying ${keystrokes.length} keystrokes (${finalTextOfTrace.text.length} characters at the end); ` +
    `relays in their own processes; Coffre relay storage: ${storageEngine}` +
    (args.load ? '; a second process loads one core' : ''),
);
const load = args.load ? startLoad() : null;
const folders = await Promise.all(
  ['plain', 'coffre', 'plain-batched', 'coffre-batched'].map((name) => mkdtemp(join(tmpdir(), `bench-${name}-`))),
);
const plain = await measure(await plainSide(folders[0] as string));
const coffre = await measure(await coffreSide(folders[1] as string));
const plainBatched = await measure(await plainSide(folders[2] as string), true);
const coffreBatched = await measure(await coffreSide(folders[3] as string), true);
load?.kill();
for (const folder of folders) await rm(folder, { recursive: true, force: true });

const rows: [string, keyof Figures, 'ms' | 'B'][] = [
  ['time until B converged', 'convergeMs', 'ms'],
  ['keystroke-to-remote p50', 'latencyP50Ms', 'ms'],
  ['keystroke-to-remote p95', 'latencyP95Ms', 'ms'],
  ['keystroke-to-remote p99', 'latencyP99Ms', 'ms'],
  ['bytes stored (after compaction)', 'storedBytes', 'B'],
  ['cold open of a fresh client', 'coldOpenMs', 'ms'],
];
const show = (value: number, unit: string) => `${unit === 'B' ? value.toFixed(0) : value.toFixed(2)} ${unit}`;
const row = (label: string, ours: number, theirs: number, unit: string) =>
  console.log(
    `${label.padEnd(40)}${show(ours, unit).padStart(14)}${show(theirs, unit).padStart(14)}${(ours / theirs).toFixed(2).padStart(8)}x`,
  );
console.log('');
console.log(`${'figure'.padEnd(40)}${'coffre'.padStart(14)}${'plain'.padStart(14)}${'ratio'.padStart(9)}`);
const ratios: Partial<Record<keyof Figures | 'batchedConvergeMs', number>> = {};
for (const [label, key, unit] of rows) {
  ratios[key] = Number((coffre[key] / plain[key]).toFixed(3));
  row(label, coffre[key], plain[key], unit);
}
ratios.batchedConvergeMs = Number((coffreBatched.convergeMs / plainBatched.convergeMs).toFixed(3));
row(`time until B converged, ${chunk} per transaction`, coffreBatched.convergeMs, plainBatched.convergeMs, 'ms');
console.log(`(the trace's plain Yjs state alone: ${finalTextOfTrace.stateBytes} B)`);
console.log(
  JSON.stringify({
    benchmark: 'replay-automerge-paper',
    keystrokes: keystrokes.length,
    latencySamples,
    chunk,
    paceMs,
    load: args.load,
    storage: storageEngine,
    coffre,
    plain,
    batched: { coffre: coffreBatched.convergeMs, plain: plainBatched.convergeMs },
    ratios,
  }),
);
process.exit(0);
