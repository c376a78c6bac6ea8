import * as Y from 'yjs';
import {
  type DocumentAddress,
  CloseCode,
  EntryKind,
  ErrorCode,
  FrameFormatError,
  LIMITS,
  parseEntry,
  sameAddress,
} from '@coffre/protocol';
import { RelayError } from '../RelayError.ts';

export interface EnvelopeUpdateSummary {
  /** Sealed entries the update inserts. */
  entries: number;
  /** Whether it deletes anything (compaction). */
  deletes: boolean;
}

/** The envelope's root arrays and the entry kinds each may hold. */
const ROOTS: ReadonlyMap<string, ReadonlySet<number>> = new Map([
  ['log', new Set<number>([EntryKind.Update, EntryKind.Snapshot])],
  ['versions', new Set<number>([EntryKind.Version])],
]);
const ENVELOPE_KINDS: ReadonlySet<number> = new Set([EntryKind.Update, EntryKind.Snapshot, EntryKind.Version]);

/**
 * Checks, without any key, that a Yjs update only touches the envelope's
 * `log` and `versions` arrays and that every value it inserts is a well-formed sealed entry
 * addressed to this document. Anything else (other root types, strings,
 * JSON, nested types, entries of another tenant or document, garbage bytes)
 * is refused before it is stored or applied.
 */
export function validateEnvelopeUpdate(update: Uint8Array, address: DocumentAddress): EnvelopeUpdateSummary {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    throw new RelayError(CloseCode.MalformedMessage, ErrorCode.MalformedMessage, 'update is not a valid Yjs update');
  }
  let entries = 0;
  for (const struct of decoded.structs) {
    if (!(struct instanceof Y.Item)) continue; // GC and Skip carry no content
    if (struct.parentSub !== null) throw malformed('envelope updates may not set map keys');
    // In a decoded update, a root parent is its name; a nested one is an ID.
    const parent = struct.parent as unknown;
    // An item continuing another (parent null) sits in that item's array, which was checked when it was added.
    const kinds = parent === null ? ENVELOPE_KINDS : typeof parent === 'string' ? ROOTS.get(parent) : undefined;
    if (!kinds) throw malformed('envelope updates may only touch the "log" and "versions" arrays');
    const content = struct.content;
    if (content instanceof Y.ContentDeleted) continue;
    if (!(content instanceof Y.ContentBinary)) throw malformed('the envelope log holds sealed entries only');
    const frame = content.content;
    if (frame.length > LIMITS.maxEntryBytes) {
      throw new RelayError(CloseCode.MessageTooLarge, ErrorCode.MessageTooLarge);
    }
    let header;
    try {
      ({ header } = parseEntry(frame));
    } catch (error) {
      throw malformed(error instanceof FrameFormatError ? error.message : 'entry could not be parsed');
    }
    if (!sameAddress(header, address)) {
      throw new RelayError(CloseCode.EntryRejected, ErrorCode.EntryRejected, 'entry is addressed to another document');
    }
    if (header.kind === EntryKind.Presence) throw malformed('presence states do not belong in the log');
    if (!kinds.has(header.kind))
      throw malformed(`an entry of kind ${header.kind} does not belong in "${String(parent)}"`);
    entries += 1;
  }
  return { entries, deletes: decoded.ds.clients.size > 0 };
}

function malformed(message: string): RelayError {
  return new RelayError(CloseCode.EntryRejected, ErrorCode.MalformedEntry, message);
}
