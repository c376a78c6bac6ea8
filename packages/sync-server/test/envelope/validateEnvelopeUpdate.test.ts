import * as Y from 'yjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, generateSymmetricKey, ready } from '@coffre/crypto';
import { type DocumentAddress, EntryKind, deviceId, documentId, sealEntry, tenantId } from '@coffre/protocol';
import { validateEnvelopeUpdate } from '../../src/envelope/validateEnvelopeUpdate.ts';

const address: DocumentAddress = { tenantId: tenantId('acme'), documentId: documentId('plans') };

beforeAll(async () => {
  await ready();
});

function entry(kind: EntryKind): Uint8Array {
  return sealEntry({
    header: { kind, ...address, keyEpoch: 0, author: deviceId('laptop'), counter: 1, coverage: new Map() },
    plaintext: new Uint8Array([1, 2, 3]),
    documentKey: generateSymmetricKey(),
    signingSecretKey: generateSigningKeyPair().secretKey,
  });
}

function updatePushing(root: string, frame: Uint8Array): Uint8Array {
  const doc = new Y.Doc();
  doc.getArray<Uint8Array>(root).push([frame]);
  return Y.encodeStateAsUpdate(doc);
}

describe('validateEnvelopeUpdate', () => {
  it('accepts updates and snapshots in the log and versions in the versions array', () => {
    expect(validateEnvelopeUpdate(updatePushing('log', entry(EntryKind.Update)), address).entries).toBe(1);
    expect(validateEnvelopeUpdate(updatePushing('log', entry(EntryKind.Snapshot)), address).entries).toBe(1);
    expect(validateEnvelopeUpdate(updatePushing('versions', entry(EntryKind.Version)), address).entries).toBe(1);
  });

  it('refuses a version in the log and an update in the versions array', () => {
    expect(() => validateEnvelopeUpdate(updatePushing('log', entry(EntryKind.Version)), address)).toThrow(
      /does not belong in "log"/,
    );
    expect(() => validateEnvelopeUpdate(updatePushing('versions', entry(EntryKind.Update)), address)).toThrow(
      /does not belong in "versions"/,
    );
  });

  it('refuses any other root and presence states anywhere', () => {
    expect(() => validateEnvelopeUpdate(updatePushing('notes', entry(EntryKind.Update)), address)).toThrow(
      /only touch the "log" and "versions" arrays/,
    );
    expect(() => validateEnvelopeUpdate(updatePushing('versions', entry(EntryKind.Presence)), address)).toThrow(
      /presence states/,
    );
  });
});
