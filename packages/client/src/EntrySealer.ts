import {
  type DeviceId,
  type DocumentAddress,
  type EntryHeader,
  type EntryPosition,
  type ParsedEntry,
  EntryKind,
  EntryRejectedError,
  EntryRejection,
  openEntry,
  sameAddress,
  sealEntry,
  verifyEntrySignature,
} from '@coffre/protocol';
import type { DeviceDirectory, DeviceIdentity, DocumentKeyring } from './keys.ts';

export interface EntrySealerOptions {
  address: DocumentAddress;
  /** The device that seals: its entries are signed with its key. */
  device: DeviceIdentity;
  keyring: DocumentKeyring;
  devices: DeviceDirectory;
}

/** What to seal: the header's own fields; address, epoch and author are the sealer's. */
export interface SealInput {
  kind: EntryKind;
  counter: number;
  plaintext: Uint8Array;
  /** Snapshots: what they include. */
  coverage?: EntryHeader['coverage'];
  /** Where in the envelope the entry goes (log entries and versions; not presence). */
  position?: EntryPosition;
  /** The `entryHash` of this device's entry with the previous counter, when it holds it (log entries). */
  previous?: Uint8Array;
}

export interface OpenOptions {
  /** The kinds expected where the entry was found; any other is `malformed`. */
  kinds: readonly EntryKind[];
  /**
   * Whether the author must have been a writer in the entry's epoch (updates,
   * snapshots, versions); presence comes from readers too.
   */
  writes: boolean;
  /** The signature was checked already, or a verified later entry vouches for it (`chainedEntry`). */
  signatureVerified?: boolean;
}

/** An entry opened: verified, of this document, decrypted. */
export interface OpenedEntry {
  ok: true;
  header: EntryHeader;
  plaintext: Uint8Array;
}

/** An entry refused; `waits` when a refreshed access (a key, a device, a role) may open it later. */
export interface RefusedEntry {
  ok: false;
  reason: EntryRejection;
  message: string;
  waits: boolean;
}

/**
 * Seals this device's entries and opens everyone's, for one document: the
 * one place that builds an entry's header, picks the key of an epoch, finds
 * the author's device key and checks that the author could write in that
 * epoch (`DeviceDirectory.mayWrite`). `EncryptedEnvelope` (log entries and
 * presence) and `VersionHistory` (versions) go through it.
 */
export class EntrySealer {
  readonly address: DocumentAddress;
  readonly #device: DeviceIdentity;
  readonly #keyring: DocumentKeyring;
  readonly #devices: DeviceDirectory;

  constructor(options: EntrySealerOptions) {
    this.address = options.address;
    this.#device = options.device;
    this.#keyring = options.keyring;
    this.#devices = options.devices;
  }

  /** The device this sealer signs as. */
  get deviceId(): DeviceId {
    return this.#device.id;
  }

  /** The key epoch new entries are sealed with: the newest the keyring holds. */
  get epoch(): number {
    return this.#keyring.currentEpoch;
  }

  /** Seals and signs an entry of this device with the newest key. */
  seal(input: SealInput): Uint8Array {
    const { epoch, key } = this.#keyring.current;
    return sealEntry({
      header: {
        kind: input.kind,
        tenantId: this.address.tenantId,
        documentId: this.address.documentId,
        keyEpoch: epoch,
        author: this.#device.id,
        counter: input.counter,
        coverage: input.coverage ?? new Map<DeviceId, number>(),
        ...(input.position ? { position: input.position } : {}),
        ...(input.previous ? { previous: input.previous } : {}),
      },
      plaintext: input.plaintext,
      documentKey: key,
      signingSecretKey: this.#device.signingKeyPair.secretKey,
    });
  }

  /** Whether the entry's signature verifies against its author's known key (false for an unknown device). */
  verifySignature(entry: ParsedEntry): boolean {
    const publicKey = this.#devices.get(entry.header.author);
    return publicKey !== undefined && verifyEntrySignature(entry, publicKey);
  }

  /** Verifies and decrypts a parsed entry, or says why not. */
  open(entry: ParsedEntry, options: OpenOptions): OpenedEntry | RefusedEntry {
    const { header } = entry;
    if (!sameAddress(header, this.address)) {
      return refused(EntryRejection.WrongDocument, 'entry belongs to another document', false);
    }
    if (!options.kinds.includes(header.kind)) {
      return refused(EntryRejection.Malformed, `${KIND_NAMES[header.kind]} entries do not belong here`, false);
    }
    const key = this.#keyring.get(header.keyEpoch);
    if (!key) return refused(EntryRejection.UnknownEpoch, `no key for epoch ${header.keyEpoch}`, true);
    const publicKey = this.#devices.get(header.author);
    if (!publicKey)
      return refused(EntryRejection.UnknownDevice, `entry signed by unknown device ${header.author}`, true);
    let plaintext: Uint8Array;
    try {
      plaintext = openEntry({
        entry,
        documentKey: key,
        authorPublicKey: publicKey,
        signatureVerified: options.signatureVerified,
      });
    } catch (error) {
      if (error instanceof EntryRejectedError) return refused(error.reason, error.message, false);
      throw error;
    }
    if (options.writes && !this.#devices.mayWrite(header.author, header.keyEpoch)) {
      return refused(
        EntryRejection.NotAWriter,
        `entry signed by ${header.author}, who was not an owner or editor in key epoch ${header.keyEpoch}`,
        true,
      );
    }
    return { ok: true, header, plaintext };
  }
}

const KIND_NAMES: Record<EntryKind, string> = {
  [EntryKind.Update]: 'update',
  [EntryKind.Snapshot]: 'snapshot',
  [EntryKind.Presence]: 'presence',
  [EntryKind.Version]: 'version',
};

function refused(reason: EntryRejection, message: string, waits: boolean): RefusedEntry {
  return { ok: false, reason, message, waits };
}
