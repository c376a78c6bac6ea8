/**
 * What signed heads add to presence, in bytes on the wire: a sealed presence
 * with the editor's caret state, without heads (the baseline, as before) and
 * with the heads of 1, 2, 10 and 50 authors, base64url in the awareness
 * state as the relay relays it; and per minute of typing. Heads ride on at
 * most one presence a second while they change (PresenceChannel), whatever
 * the caret does (one presence per 80 ms at most while typing), so typing
 * adds 60 times the heads' bytes a minute, against the caret's own traffic
 * as the baseline.
 *
 *   node tests/bench/signedHeads.ts
 */
import { generateSigningKeyPair, generateSymmetricKey, randomBytes, ready, toBase64Url, toHex } from '@coffre/crypto';
import { type DeviceId, type DocumentAddress, deviceId, documentId, tenantId } from '@coffre/protocol';
import { DeviceDirectory, DocumentKeyring, EncryptedEnvelope, YjsEngine } from '@coffre/client';

await ready();
const address: DocumentAddress = { tenantId: tenantId('bench'), documentId: documentId(toHex(randomBytes(16))) };
const device = { id: deviceId(toHex(randomBytes(16))), signingKeyPair: generateSigningKeyPair() };
const envelope = new EncryptedEnvelope({
  address,
  engine: new YjsEngine(),
  device,
  keyring: new DocumentKeyring([[0, generateSymmetricKey()]]),
  devices: new DeviceDirectory([[device.id, device.signingKeyPair.publicKey]]),
});
// What the editor publishes: its user and a caret (two relative positions, base64).
const caret = { user: { name: '', color: '#1d4ed8' }, cursor: { anchor: 'gKK4tQkEAA==', head: 'gKK4tQkEAA==' } };
const onWire = (frame: Uint8Array) => JSON.stringify({ sealed: toBase64Url(frame) }).length;
const baseline = onWire(envelope.sealPresence(caret));
const CARET_PUBLISHES_PER_MINUTE = 60_000 / 80;
const HEADS_PUBLISHES_PER_MINUTE = 60;
const caretKiBPerMinute = (baseline * CARET_PUBLISHES_PER_MINUTE) / 1024;

console.log(
  `sealed presence with a caret, no heads: ${baseline} bytes per awareness state; typing (a caret every 80 ms): ${caretKiBPerMinute.toFixed(1)} KiB/min`,
);
const rows = [];
for (const authors of [1, 2, 10, 50]) {
  const heads = new Map<DeviceId, number>();
  for (let index = 0; index < authors; index += 1) heads.set(deviceId(toHex(randomBytes(16))), 1_000 + index * 37);
  const withHeads = onWire(envelope.sealPresence(caret, heads));
  const extra = withHeads - baseline;
  const row = {
    authors,
    bytes: withHeads,
    extraBytes: extra,
    ratio: withHeads / baseline,
    typingExtraKiBPerMinute: (extra * HEADS_PUBLISHES_PER_MINUTE) / 1024,
    typingRatio: (caretKiBPerMinute + (extra * HEADS_PUBLISHES_PER_MINUTE) / 1024) / caretKiBPerMinute,
  };
  rows.push(row);
  console.log(
    `${String(authors).padStart(2)} authors: ${withHeads} bytes with heads (+${extra}, ${row.ratio.toFixed(2)}x); a minute of typing: +${row.typingExtraKiBPerMinute.toFixed(1)} KiB (${row.typingRatio.toFixed(3)}x the caret traffic)`,
  );
}
console.log(JSON.stringify({ baseline, caretKiBPerMinute, rows }));
envelope.destroy();
