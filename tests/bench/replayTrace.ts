/**
 * Replays the automerge-paper editing trace (259,778 keystrokes) on client A
 * through a relay to client B, once with Coffre (sealed envelope, relay that
 * commits before acknowledging) and once with plain Hocuspocus on plain Yjs,
 * in the same run, and prints the figures with Coffre/plain ratios.
 *
 *   ./run bench [--keystrokes N] [--latency-samples N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { Server } from '@hocuspocus/server';
import { HocuspocusProvider } from '@hocuspocus/provider';
import { YjsEngine, type EncryptedDocument } from '@coffre/client';
import { mergeEnvelopeUpdates } from '@coffre/sync-server';
import {
  TestWorkspace,
  openClient,
  startRelay,
  storageEngine,
  type RelayHarness,
} from '../integration/support/relayHarness.ts';
import { type Patch, applyPatch, loadTrace, percentile } from './trace.ts';

const { values: args } = parseArgs({
  options: {
    keystrokes: { type: 'string' },
    'latency-samples': { type: 'string', default: '1000' },
    chunk: { type: 'string', default: '100' },
  },
});

const trace = await loadTrace();
const keystrokes = args.keystrokes ? trace.patches.slice(0, Number(args.keystrokes)) : trace.patches;
const expected = (() => {
  const doc = new Y.Doc();
  const text = doc.getText('text');
  for (const patch of keystrokes) applyPatch(text, patch);
  return text.toString();
})();
const latencySamples = Number(args['latency-samples']);
const chunk = Number(args.chunk);

interface Side {
  a: Y.Doc;
  b: Y.Doc;
  openFresh(): Promise<{ doc: Y.Doc; close(): void }>;
  storedBytes(): Promise<number>;
  close(): Promise<void>;
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
  return new Promise((resolve) => doc.once('update', () => resolve()));
}

function waitForText(doc: Y.Doc, text: string, timeoutMs = 600_000): Promise<void> {
  const ytext = doc.getText('text');
  if (ytext.toString() === text) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      doc.off('update', check);
      reject(new Error(`timed out: ${ytext.length} of ${text.length} characters`));
    }, timeoutMs);
    const check = () => {
      if (ytext.length === text.length && ytext.toString() === text) {
        clearTimeout(timer);
        doc.off('update', check);
        resolve();
      }
    };
    doc.on('update', check);
  });
}

async function measure(side: Side): Promise<Figures> {
  const text = side.a.getText('text');
  // 1. Throughput: the whole trace as fast as client A can type it, in chunks per macrotask.
  const converged = waitForText(side.b, expected);
  const started = performance.now();
  for (let index = 0; index < keystrokes.length; index += chunk) {
    for (const patch of keystrokes.slice(index, index + chunk)) applyPatch(text, patch);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await converged;
  const convergeMs = performance.now() - started;

  // 2. Latency: single keystrokes typed one at a time at the end of the document, each timed until B has it.
  const latencies: number[] = [];
  for (let index = 0; index < latencySamples; index += 1) {
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

  const storedBytes = await side.storedBytes();
  // 3. Cold open: a fresh client until it shows the whole document.
  const t0 = performance.now();
  const fresh = await side.openFresh();
  await waitForText(fresh.doc, final);
  const coldOpenMs = performance.now() - t0;
  fresh.close();
  await side.close();
  return {
    convergeMs,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP95Ms: percentile(latencies, 0.95),
    latencyP99Ms: percentile(latencies, 0.99),
    storedBytes,
    coldOpenMs,
  };
}

async function coffreSide(): Promise<Side> {
  const harness: RelayHarness = await startRelay({ compactionDebounceMs: 2000 });
  const workspace = new TestWorkspace();
  const open: EncryptedDocument<YjsEngine>[] = [];
  const client = async () => {
    const document = await openClient({ harness, workspace, engine: new YjsEngine(), extra: { batchWindowMs: 0 } });
    open.push(document);
    await document.whenSynced();
    return document;
  };
  const a = await client();
  const b = await client();
  const { tenantId, documentId } = workspace.address;
  return {
    a: a.engine.doc,
    b: b.engine.doc,
    async storedBytes() {
      a.envelope.compact();
      await a.whenSaved();
      await harness.relay.store.compact(tenantId, documentId, mergeEnvelopeUpdates);
      return (await harness.relay.store.stats(tenantId, documentId)).totalBytes;
    },
    async openFresh() {
      const fresh = await client();
      return { doc: fresh.engine.doc, close: () => fresh.destroy() };
    },
    async close() {
      for (const document of open) document.destroy();
      await harness.teardown();
    },
  };
}

async function plainSide(): Promise<Side> {
  // Plain Hocuspocus with the usual persistence: the merged Yjs state, stored on the debounced onStoreDocument.
  const stored = new Map<string, Uint8Array>();
  const server = new Server({
    port: 0,
    address: '127.0.0.1',
    quiet: true,
    stopOnSignals: false,
    debounce: 2000,
    onLoadDocument({ documentName, document }) {
      const state = stored.get(documentName);
      if (state) Y.applyUpdate(document, state);
      return Promise.resolve();
    },
    onStoreDocument({ documentName, document }) {
      stored.set(documentName, Y.encodeStateAsUpdate(document));
      return Promise.resolve();
    },
  });
  await server.listen();
  const url = `ws://127.0.0.1:${server.address.port}`;
  const providers: HocuspocusProvider[] = [];
  const client = async () => {
    const doc = new Y.Doc();
    const provider = new HocuspocusProvider({ url, name: 'plain-doc', document: doc });
    providers.push(provider);
    await new Promise<void>((resolve) => provider.on('synced', () => resolve()));
    return { doc, provider };
  };
  const a = await client();
  const b = await client();
  return {
    a: a.doc,
    b: b.doc,
    storedBytes() {
      const document = server.hocuspocus.documents.get('plain-doc');
      return Promise.resolve(document ? Y.encodeStateAsUpdate(document).length : 0);
    },
    async openFresh() {
      const fresh = await client();
      return { doc: fresh.doc, close: () => fresh.provider.destroy() };
    },
    async close() {
      for (const provider of providers) provider.destroy();
      await server.destroy();
    },
  };
}

const dataDir = await mkdtemp(join(tmpdir(), 'coffre-bench-'));
console.log(
  `Replaying ${keystrokes.length} keystrokes (${expected.length} characters at the end), relay storage: ${storageEngine}`,
);
const plain = await measure(await plainSide());
const coffre = await measure(await coffreSide());
await rm(dataDir, { recursive: true, force: true });

const rows: [string, keyof Figures, string][] = [
  ['time until B converged', 'convergeMs', 'ms'],
  ['keystroke-to-remote p50', 'latencyP50Ms', 'ms'],
  ['keystroke-to-remote p95', 'latencyP95Ms', 'ms'],
  ['keystroke-to-remote p99', 'latencyP99Ms', 'ms'],
  ['bytes stored (after compaction)', 'storedBytes', 'B'],
  ['cold open of a fresh client', 'coldOpenMs', 'ms'],
];
console.log('');
console.log(`${'figure'.padEnd(34)}${'coffre'.padStart(14)}${'plain'.padStart(14)}${'ratio'.padStart(9)}`);
const ratios: Record<string, number> = {};
for (const [label, key, unit] of rows) {
  const ratio = coffre[key] / plain[key];
  ratios[key] = Number(ratio.toFixed(3));
  const show = (value: number) => `${unit === 'B' ? value.toFixed(0) : value.toFixed(2)} ${unit}`;
  console.log(
    `${label.padEnd(34)}${show(coffre[key]).padStart(14)}${show(plain[key]).padStart(14)}${ratio.toFixed(2).padStart(8)}x`,
  );
}
const plainYjsState = Y.encodeStateAsUpdate(
  (() => {
    const doc = new Y.Doc();
    for (const patch of keystrokes) applyPatch(doc.getText('text'), patch);
    return doc;
  })(),
).length;
console.log(`(plain Yjs state of the trace alone: ${plainYjsState} B)`);
console.log(
  JSON.stringify({
    benchmark: 'replay-automerge-paper',
    keystrokes: keystrokes.length,
    latencySamples,
    storage: storageEngine,
    coffre,
    plain,
    ratios,
  }),
);
process.exit(0);
