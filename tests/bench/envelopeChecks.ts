/**
 * What the relay's checks of an envelope update cost, per update, on the
 * real editing trace: the checks before the hostile-member hardening (parse
 * every inserted entry's header, then diff against the relay's state) beside
 * today's EnvelopeGuard (the same, plus roots of continued items, client-id
 * bindings, signed positions and deletion coverage), each followed by the
 * Y.applyUpdate that Hocuspocus does anyway, as the baseline.
 *
 *   node tests/bench/envelopeChecks.ts [--keystrokes 20000]
 */
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { ready } from '@coffre/crypto';
import { type DocumentAddress, deviceId, documentId, parseEntry, sameAddress, tenantId } from '@coffre/protocol';
import { DeviceDirectory, DocumentKeyring, EncryptedEnvelope, YjsEngine } from '@coffre/client';
import { EnvelopeGuard, type EnvelopeWriter, EnvelopeWriters } from '@coffre/sync-server';
import { generateSigningKeyPair, generateSymmetricKey } from '@coffre/crypto';
import { applyPatch, loadTrace, percentile } from './trace.ts';

const { values } = parseArgs({ options: { keystrokes: { type: 'string', default: '20000' } } });
await ready();
const trace = await loadTrace();
const count = Math.min(trace.patches.length, Number(values.keystrokes));
const address: DocumentAddress = { tenantId: tenantId('bench'), documentId: documentId('paper') };
const device = { id: deviceId('writer'), signingKeyPair: generateSigningKeyPair() };
const keyring = new DocumentKeyring([[0, generateSymmetricKey()]]);
const devices = new DeviceDirectory([[device.id, device.signingKeyPair.publicKey]]);

// One sealed entry per keystroke, compaction at the client's default policy: the updates the relay receives.
const engine = new YjsEngine();
const envelope = new EncryptedEnvelope({ address, engine, device, keyring, devices });
const updates: Uint8Array[] = [];
envelope.envelope.on('update', (update: Uint8Array) => updates.push(update));
const text = engine.doc.getText('body');
for (let index = 0; index < count; index += 1) {
  applyPatch(text, trace.patches[index] as (typeof trace.patches)[number]);
  envelope.flush();
}
envelope.destroy();

/** The relay's check before this change: headers of every inserted entry, then the part it lacks. */
function previousCheck(update: Uint8Array, doc: Y.Doc): Uint8Array {
  for (const struct of Y.decodeUpdate(update).structs) {
    if (!(struct instanceof Y.Item) || !(struct.content instanceof Y.ContentBinary)) continue;
    if (!sameAddress(parseEntry(struct.content.content).header, address)) throw new Error('wrong document');
  }
  const fresh = Y.diffUpdate(update, Y.encodeStateVector(doc));
  Y.parseUpdateMeta(fresh);
  return fresh;
}

const writer: EnvelopeWriter = { access: 'member', device: device.id, proven: new Set() };
const guard = new EnvelopeGuard({ signingKey: () => Promise.resolve(device.signingKeyPair.publicKey) });

async function run(label: string, check: ((update: Uint8Array, doc: Y.Doc) => Promise<unknown>) | null) {
  const doc = new Y.Doc();
  const times: number[] = [];
  const started = performance.now();
  for (const update of updates) {
    const before = performance.now();
    if (check) await check(update, doc);
    times.push(performance.now() - before);
    Y.applyUpdate(doc, update);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  return {
    label,
    total,
    mean: times.reduce((sum, time) => sum + time, 0) / times.length,
    p99: percentile(times, 0.99),
  };
}

const results = [];
for (let round = 0; round < 2; round += 1) {
  // Warm-up round first; the second is reported.
  const apply = await run('apply only (what Hocuspocus does anyway)', null);
  const previous = await run('previous checks', (update, doc) => Promise.resolve(previousCheck(update, doc)));
  const writers = EnvelopeWriters.load(new Y.Doc(), []);
  const current = await run('EnvelopeGuard.check', (update, doc) => guard.check(update, address, doc, writers, writer));
  if (round === 1) results.push(apply, previous, current);
}
const [apply, previous, current] = results as [
  Awaited<ReturnType<typeof run>>,
  Awaited<ReturnType<typeof run>>,
  Awaited<ReturnType<typeof run>>,
];
console.log(`${updates.length} envelope updates from ${count} keystrokes of the trace (one entry per keystroke)`);
for (const result of [previous, current]) {
  console.log(
    `${result.label.padEnd(24)} mean ${(result.mean * 1000).toFixed(1)} µs/update, p99 ${(result.p99 * 1000).toFixed(1)} µs`,
  );
}
console.log(
  `apply only: ${((apply.total / updates.length) * 1000).toFixed(1)} µs/update; checks now/before: ${(current.mean / previous.mean).toFixed(2)}x`,
);
console.log(
  JSON.stringify({
    updates: updates.length,
    previousMicros: previous.mean * 1000,
    guardMicros: current.mean * 1000,
    guardP99Micros: current.p99 * 1000,
    applyMicros: (apply.total / updates.length) * 1000,
    ratio: current.mean / previous.mean,
  }),
);
