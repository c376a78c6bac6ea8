import { type Coverage, type DeviceId, type DocumentAddress, EntryKind, sealEntry } from '@coffre/protocol';
import type { DeviceIdentity } from '../../src/index.ts';
import { TEST_ADDRESS } from './createReplicas.ts';

export interface SealFrameOptions {
  /** The device whose secret key signs. */
  signer: DeviceIdentity;
  /** The author the header claims; the signer by default. */
  author?: DeviceId;
  documentKey: Uint8Array;
  epoch?: number;
  address?: DocumentAddress;
  counter: number;
  kind?: EntryKind;
  coverage?: Coverage;
  plaintext: Uint8Array;
}

/** Seals an entry by hand, for entries no honest envelope would write. */
export function sealFrame(options: SealFrameOptions): Uint8Array {
  const address = options.address ?? TEST_ADDRESS;
  return sealEntry({
    header: {
      kind: options.kind ?? EntryKind.Update,
      tenantId: address.tenantId,
      documentId: address.documentId,
      keyEpoch: options.epoch ?? 0,
      author: options.author ?? options.signer.id,
      counter: options.counter,
      coverage: options.coverage ?? new Map<DeviceId, number>(),
    },
    plaintext: options.plaintext,
    documentKey: options.documentKey,
    signingSecretKey: options.signer.signingKeyPair.secretKey,
  });
}
