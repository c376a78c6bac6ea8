import type * as Y from 'yjs';
import {
  type DeviceId,
  type DocumentAddress,
  type EntryHeader,
  CloseCode,
  EntryKind,
  ErrorCode,
  LIMITS,
  linkDevicePublicKey,
  verifyEntrySignature,
} from '@coffre/protocol';
import { RelayError } from '../RelayError.ts';
import type { EnvelopeWriters, WriterBinding } from './EnvelopeWriters.ts';
import { type InsertedEntry, inspectEnvelopeUpdate } from './inspectEnvelopeUpdate.ts';

/** Who is writing through one connection. */
export interface EnvelopeWriter {
  /** An account session, a share link's session, or a development token. */
  access: 'member' | 'link' | 'development';
  /** The device the token names: a member's entries are written as this device. */
  device: DeviceId | undefined;
  /** Link devices whose signed entries this connection sent (a link has no device of its own). */
  proven: Set<DeviceId>;
}

export interface EnvelopeCheck {
  /** What to store: the part of the update the relay does not hold; null when it changes nothing. */
  fresh: Uint8Array | null;
  /** Client-id bindings to store with it. */
  bindings: WriterBinding[];
}

/** A device's registered signing key (revoked devices included), or null when the tenant has no such device. */
export type SigningKeyLookup = (address: DocumentAddress, device: DeviceId) => Promise<Uint8Array | null>;

/**
 * The relay's rules for what a connection may change in an envelope, beyond
 * its shape ({@link inspectEnvelopeUpdate}), so that no member can erase or
 * swallow another's work:
 *
 * - **Client ids belong to one device.** Every entry under a Yjs client id is
 *   the bound device's ({@link EnvelopeWriters}), at the position (client id
 *   and clock) its signed header names. A member's connection adds entries
 *   as its own device; entries of another device (a member relaying what the
 *   relay lost, or anyone through a share link) are accepted only when their
 *   signature verifies against that device's registered key and they sit at
 *   their signed position, so a copy can only restore the original item.
 *   Items added already deleted carry no author: only the device bound to
 *   their client id may add them.
 * - **Deletions keep the work.** A live entry of the log may be deleted only
 *   when a snapshot live once the update is applied covers it (its coverage
 *   lists the entry's author at or above the entry's counter, and, for a
 *   snapshot, everything that snapshot covered). A version may be deleted
 *   only while at least {@link LIMITS.keptVersions} remain.
 */
export class EnvelopeGuard {
  readonly #signingKey: SigningKeyLookup;

  constructor(options: { signingKey: SigningKeyLookup }) {
    this.#signingKey = options.signingKey;
  }

  /**
   * Checks an update against the relay's copy of the envelope and binds the
   * client ids it writes under. Throws a {@link RelayError} (and binds
   * nothing) when it breaks a rule.
   */
  async check(
    update: Uint8Array,
    address: DocumentAddress,
    document: Y.Doc,
    writers: EnvelopeWriters,
    writer: EnvelopeWriter,
  ): Promise<EnvelopeCheck> {
    const inspection = inspectEnvelopeUpdate(update, address, document);
    const planned = this.#planEntries(inspection.entries, writers, writer);
    const unverified = inspection.entries.filter((inserted) => !writesAs(writer, inserted.entry.header.author));
    if (unverified.length > 0) {
      await this.#verify(unverified, address, writer);
      // Another connection may have bound one of these ids while the keys were looked up.
      this.#planEntries(inspection.entries, writers, writer);
    }
    // A development token without a device (minted by the operator) is trusted with any id.
    const trusted = writer.access === 'development' && writer.device === undefined;
    for (const tombstone of trusted ? [] : inspection.tombstones) {
      const owner = planned.get(tombstone.client) ?? writers.owner(tombstone.client);
      if (owner === undefined) {
        const own = ownDevice(writer);
        if (own === undefined) throw foreign('a change without an author was written under an unknown id');
        planned.set(tombstone.client, own);
      } else if (owner === null || !mayOwn(writer, owner)) {
        throw foreign("a deleted change was written under another device's id");
      }
    }
    for (const deleted of inspection.deleted) {
      if (deleted.root === 'versions') {
        if (inspection.versionsAfter < LIMITS.keptVersions) {
          throw uncovered(`a version may be deleted only while ${LIMITS.keptVersions} remain`);
        }
      } else if (!inspection.snapshotsAfter.some((snapshot) => covers(snapshot, deleted.header))) {
        throw uncovered(
          `entry ${deleted.header.counter} of ${deleted.header.author} is deleted without a covering snapshot`,
        );
      }
    }
    for (const [clientId, deviceId] of planned) writers.bind(clientId, deviceId);
    if (inspection.changesNothing) return { fresh: null, bindings: [] };
    return { fresh: inspection.fresh, bindings: writers.takeUnsaved() };
  }

  /** The bindings the entries make; throws when one is under another device's id. */
  #planEntries(entries: InsertedEntry[], writers: EnvelopeWriters, writer: EnvelopeWriter): Map<number, DeviceId> {
    const planned = new Map<number, DeviceId>();
    for (const { client, clock, entry } of entries) {
      const author = entry.header.author;
      const position = entry.header.position;
      if (position ? position.client !== client || position.clock !== clock : !writesAs(writer, author)) {
        // A copy of a signed entry at another position would swallow its author's change written there.
        throw foreign('an entry was written at another position than its author wrote it');
      }
      const owner = planned.get(client) ?? writers.owner(client);
      if (owner !== undefined && owner !== null && owner !== author) {
        throw foreign("an entry was written under another device's id");
      }
      if (owner !== author) planned.set(client, author);
    }
    return planned;
  }

  async #verify(entries: InsertedEntry[], address: DocumentAddress, writer: EnvelopeWriter): Promise<void> {
    const keys = new Map<DeviceId, Uint8Array | null>();
    for (const { entry } of entries) {
      const author = entry.header.author;
      let key = keys.get(author);
      if (key === undefined) {
        key = linkDevicePublicKey(author) ?? (await this.#lookUp(address, author));
        keys.set(author, key);
      }
      if (key === null || !verifyEntrySignature(entry, key)) {
        throw foreign(`an entry of ${author} was sent by another device without a valid signature`);
      }
      if (writer.access === 'link') writer.proven.add(author);
    }
  }

  async #lookUp(address: DocumentAddress, author: DeviceId): Promise<Uint8Array | null> {
    try {
      return await this.#signingKey(address, author);
    } catch {
      throw new RelayError(CloseCode.StorageUnavailable, ErrorCode.StorageUnavailable);
    }
  }
}

/** Whether the connection's entries of this author are its own (no signature check needed). */
function writesAs(writer: EnvelopeWriter, author: DeviceId): boolean {
  if (writer.access === 'member') return author === writer.device;
  // Development tokens are minted by the operator, for devices the relay has no keys of: trusted.
  return writer.access === 'development';
}

/** Whether the connection may add deleted items under a client id bound to `owner`. */
function mayOwn(writer: EnvelopeWriter, owner: DeviceId): boolean {
  if (writer.access === 'link') return writer.proven.has(owner);
  return owner === writer.device;
}

/** The device a new client id written with no entry is bound to. */
function ownDevice(writer: EnvelopeWriter): DeviceId | undefined {
  if (writer.access === 'link') return writer.proven.size === 1 ? [...writer.proven][0] : undefined;
  return writer.device;
}

function covers(snapshot: EntryHeader, entry: EntryHeader): boolean {
  if ((snapshot.coverage.get(entry.author) ?? 0) < entry.counter) return false;
  if (entry.kind !== EntryKind.Snapshot) return true;
  for (const [author, counter] of entry.coverage) {
    if ((snapshot.coverage.get(author) ?? 0) < counter) return false;
  }
  return true;
}

function foreign(message: string): RelayError {
  return new RelayError(CloseCode.EntryRejected, ErrorCode.ForeignWriter, message);
}

function uncovered(message: string): RelayError {
  return new RelayError(CloseCode.EntryRejected, ErrorCode.UncoveredDeletion, message);
}
