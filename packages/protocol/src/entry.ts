import {
  AEAD_NONCE_BYTES,
  SIGNATURE_BYTES,
  aeadDecrypt,
  aeadEncrypt,
  hash,
  randomBytes,
  sign,
  verify,
} from '@coffre/crypto';
import { ByteReader, ByteWriter, FrameFormatError } from './bytes.ts';
import {
  type DeviceId,
  type DocumentId,
  type TenantId,
  deviceId,
  documentId,
  tenantId,
  InvalidIdError,
} from './ids.ts';
import { LIMITS } from './limits.ts';

/**
 * A sealed entry, the unit of the encrypted envelope:
 *
 *   version u8 | headerLength u16 | header | nonce(24) | ciphertext | signature(64)
 *
 * The bytes before the nonce are the AEAD associated data, so the header
 * (address, epoch, author, counter, coverage) cannot be changed without the
 * entry failing to open. The signature is the author device's Ed25519
 * signature, under the "coffre/entry" domain, over everything before it.
 */
export const ENTRY_FORMAT_VERSION = 1;
export const ENTRY_SIGNATURE_DOMAIN = 'coffre/entry';

/**
 * Update and Snapshot entries live in the envelope's `log`; Version entries
 * (a named, kept copy of the content for the history) in its `versions`
 * array; Presence states travel in awareness only.
 */
export const EntryKind = { Update: 1, Snapshot: 2, Presence: 3, Version: 4 } as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];
const ENTRY_KINDS = new Set<number>(Object.values(EntryKind));

/** For each author device, the highest counter a snapshot includes. */
export type Coverage = Map<DeviceId, number>;

export interface EntryHeader {
  kind: EntryKind;
  tenantId: TenantId;
  documentId: DocumentId;
  keyEpoch: number;
  author: DeviceId;
  /** The author's per-document counter, starting at 1. */
  counter: number;
  /** Snapshots only: what the snapshot includes. Empty for other kinds. */
  coverage: Coverage;
  /**
   * Where in the envelope the author writes the entry: the Yjs client id and
   * clock of its item. Signed with the rest, so nobody can write a copy of
   * the entry at another position (under its author's id and future clocks,
   * which would swallow the author's next changes): the relay accepts an
   * entry sent by someone other than its author only at its own position.
   * Absent in entries of clients older than this field (and in presence).
   */
  position?: EntryPosition;
  /**
   * The {@link entryHash} of the author's entry with the previous counter in
   * this document, when the author still held it. A reader that holds both
   * and has verified this entry's signature knows the previous one is the
   * author's too, without checking its signature (see {@link chainedEntry}):
   * a fresh reader checks one signature per unbroken run of an author's
   * entries instead of one per entry. Absent in older entries and presence.
   */
  previous?: Uint8Array;
}

/** Bytes of {@link EntryHeader.previous}. */
export const ENTRY_HASH_BYTES = 32;

/** A Yjs item id: client id (u32) and clock. */
export interface EntryPosition {
  client: number;
  clock: number;
}

export interface ParsedEntry {
  header: EntryHeader;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  signature: Uint8Array;
  /** version | headerLength | header: the AEAD associated data. */
  associatedData: Uint8Array;
  /** Everything the signature covers. */
  signed: Uint8Array;
}

/** Tags of the header's optional fields, written in this order after the coverage. */
const HeaderField = { Position: 1, Previous: 2 } as const;

function encodeHeader(header: EntryHeader): Uint8Array {
  const writer = new ByteWriter()
    .u8(header.kind)
    .shortString(header.tenantId)
    .shortString(header.documentId)
    .u32(header.keyEpoch)
    .shortString(header.author)
    .u32(header.counter);
  if (header.kind !== EntryKind.Snapshot && header.coverage.size > 0) {
    throw new RangeError('only snapshots carry coverage');
  }
  if (header.coverage.size > LIMITS.maxCoverageEntries) throw new RangeError('coverage lists too many devices');
  writer.u16(header.coverage.size);
  const sorted = [...header.coverage.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [author, counter] of sorted) writer.shortString(author).u32(counter);
  if (header.position) writer.u8(HeaderField.Position).u32(header.position.client).u32(header.position.clock);
  if (header.previous) {
    if (header.previous.length !== ENTRY_HASH_BYTES) throw new RangeError('previous must be an entry hash');
    writer.u8(HeaderField.Previous).bytes(header.previous);
  }
  return writer.finish();
}

function decodeHeader(bytes: Uint8Array): EntryHeader {
  const reader = new ByteReader(bytes);
  const kind = reader.u8();
  if (!ENTRY_KINDS.has(kind)) throw new FrameFormatError(`unknown entry kind ${kind}`);
  try {
    const header: EntryHeader = {
      kind: kind as EntryKind,
      tenantId: tenantId(reader.shortString()),
      documentId: documentId(reader.shortString()),
      keyEpoch: reader.u32(),
      author: deviceId(reader.shortString()),
      counter: reader.u32(),
      coverage: new Map(),
    };
    if (header.counter === 0) throw new FrameFormatError('counters start at 1');
    const coverageCount = reader.u16();
    if (coverageCount > 0 && kind !== EntryKind.Snapshot) throw new FrameFormatError('only snapshots carry coverage');
    if (coverageCount > LIMITS.maxCoverageEntries) throw new FrameFormatError('coverage lists too many devices');
    for (let index = 0; index < coverageCount; index += 1) {
      const author = deviceId(reader.shortString());
      const counter = reader.u32();
      if (header.coverage.has(author)) throw new FrameFormatError('coverage lists a device twice');
      header.coverage.set(author, counter);
    }
    // Optional fields follow, each once, in the order of their tags.
    let lastField = 0;
    while (reader.remaining > 0) {
      const field = reader.u8();
      if (field <= lastField) throw new FrameFormatError('header fields out of order or repeated');
      lastField = field;
      if (field === HeaderField.Position) header.position = { client: reader.u32(), clock: reader.u32() };
      else if (field === HeaderField.Previous) header.previous = reader.bytes(ENTRY_HASH_BYTES);
      else throw new FrameFormatError('unknown field after the coverage');
    }
    return header;
  } catch (error) {
    if (error instanceof InvalidIdError) throw new FrameFormatError(error.message);
    throw error;
  }
}

/**
 * Parses the frame and its header without any key: the relay uses this to
 * check that an entry is well-formed and addressed to the document it is in.
 * Throws {@link FrameFormatError}.
 */
export function parseEntry(frame: Uint8Array): ParsedEntry {
  if (!(frame instanceof Uint8Array)) throw new FrameFormatError('entry is not binary');
  if (frame.length > LIMITS.maxEntryBytes) throw new FrameFormatError('entry is too large');
  const reader = new ByteReader(frame);
  const version = reader.u8();
  if (version !== ENTRY_FORMAT_VERSION) throw new FrameFormatError(`unsupported entry version ${version}`);
  const headerLength = reader.u16();
  if (headerLength > LIMITS.maxHeaderBytes) throw new FrameFormatError('entry header is too large');
  const header = decodeHeader(reader.bytes(headerLength));
  const associatedData = frame.subarray(0, reader.offset);
  const nonce = reader.bytes(AEAD_NONCE_BYTES);
  const ciphertextLength = reader.remaining - SIGNATURE_BYTES;
  if (ciphertextLength < 16) throw new FrameFormatError('entry is truncated');
  const ciphertext = reader.bytes(ciphertextLength);
  const signed = frame.subarray(0, reader.offset);
  const signature = reader.bytes(SIGNATURE_BYTES);
  return { header, nonce, ciphertext, signature, associatedData, signed };
}

export interface SealEntryInput {
  header: EntryHeader;
  plaintext: Uint8Array;
  documentKey: Uint8Array;
  /** The author device's Ed25519 secret key (64 bytes). */
  signingSecretKey: Uint8Array;
}

/** Encrypts and signs one entry. */
export function sealEntry({ header, plaintext, documentKey, signingSecretKey }: SealEntryInput): Uint8Array {
  const headerBytes = encodeHeader(header);
  if (headerBytes.length > LIMITS.maxHeaderBytes) throw new RangeError('entry header is too large');
  const associatedData = new ByteWriter().u8(ENTRY_FORMAT_VERSION).u16(headerBytes.length).bytes(headerBytes).finish();
  const nonce = randomBytes(AEAD_NONCE_BYTES);
  const ciphertext = aeadEncrypt(documentKey, nonce, plaintext, associatedData);
  const signed = new ByteWriter().bytes(associatedData).bytes(nonce).bytes(ciphertext).finish();
  const signature = sign(signingSecretKey, ENTRY_SIGNATURE_DOMAIN, signed);
  return new ByteWriter().bytes(signed).bytes(signature).finish();
}

/** Why an entry could not be opened. */
export const EntryRejection = {
  Malformed: 'malformed',
  WrongDocument: 'wrong-document',
  UnknownEpoch: 'unknown-epoch',
  UnknownDevice: 'unknown-device',
  BadSignature: 'bad-signature',
  DecryptionFailed: 'decryption-failed',
  /** Signed by a device whose user was not an owner or editor in the entry's key epoch (clients' role check). */
  NotAWriter: 'not-a-writer',
} as const;
export type EntryRejection = (typeof EntryRejection)[keyof typeof EntryRejection];

export class EntryRejectedError extends Error {
  readonly code = 'ENTRY_REJECTED';
  readonly reason: EntryRejection;
  constructor(reason: EntryRejection, message: string) {
    super(message);
    this.name = 'EntryRejectedError';
    this.reason = reason;
  }
}

export interface OpenEntryInput {
  entry: ParsedEntry;
  documentKey: Uint8Array;
  authorPublicKey: Uint8Array;
}

/**
 * Whether the entry carries a valid signature of the device whose public key
 * is given. Needs no document key: the relay uses it to check an entry that a
 * connection relays on another device's behalf.
 */
export function verifyEntrySignature(entry: ParsedEntry, authorPublicKey: Uint8Array): boolean {
  return verify(authorPublicKey, ENTRY_SIGNATURE_DOMAIN, entry.signed, entry.signature);
}

/** The hash a later entry of the same author names in {@link EntryHeader.previous}: BLAKE2b-256 of the whole frame. */
export function entryHash(frame: Uint8Array): Uint8Array {
  return hash(frame, ENTRY_HASH_BYTES);
}

/**
 * Whether `earlier` is the entry a verified `later` one vouches for: the same
 * author and document, the counter just before, and the hash `later` names.
 * A signature over `later` covers that hash, so `earlier` is the author's as
 * surely as if its own signature had been checked.
 */
export function chainedEntry(later: ParsedEntry, earlier: { frame: Uint8Array; entry: ParsedEntry }): boolean {
  const previous = later.header.previous;
  const header = earlier.entry.header;
  return (
    previous !== undefined &&
    header.author === later.header.author &&
    header.counter + 1 === later.header.counter &&
    header.tenantId === later.header.tenantId &&
    header.documentId === later.header.documentId &&
    sameBytes(previous, entryHash(earlier.frame))
  );
}

/** Byte equality of public values (hashes): no need for constant time. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index += 1) if (a[index] !== b[index]) return false;
  return true;
}

/**
 * Verifies the author's signature (unless `signatureVerified`: checked
 * already, or vouched for by a later entry, see {@link chainedEntry}), then
 * decrypts; throws {@link EntryRejectedError}.
 */
export function openEntry({
  entry,
  documentKey,
  authorPublicKey,
  signatureVerified = false,
}: OpenEntryInput & { signatureVerified?: boolean }): Uint8Array {
  if (!signatureVerified && !verifyEntrySignature(entry, authorPublicKey)) {
    throw new EntryRejectedError(EntryRejection.BadSignature, `signature of ${entry.header.author} does not verify`);
  }
  try {
    return aeadDecrypt(documentKey, entry.nonce, entry.ciphertext, entry.associatedData);
  } catch {
    throw new EntryRejectedError(EntryRejection.DecryptionFailed, 'entry does not decrypt with the epoch key');
  }
}
