import * as Y from 'yjs';
import {
  type DocumentAddress,
  type EntryHeader,
  type ParsedEntry,
  CloseCode,
  EntryKind,
  ErrorCode,
  FrameFormatError,
  LIMITS,
  parseEntry,
  sameAddress,
} from '@coffre/protocol';
import { RelayError } from '../RelayError.ts';

/** The envelope's root arrays and the entry kinds each may hold. */
export type EnvelopeRoot = 'log' | 'versions';
const ROOT_KINDS: ReadonlyMap<string, ReadonlySet<number>> = new Map([
  ['log', new Set<number>([EntryKind.Update, EntryKind.Snapshot])],
  ['versions', new Set<number>([EntryKind.Version])],
]);

/** A sealed entry the update adds. */
export interface InsertedEntry {
  /** The Yjs client id (and clock) the entry's item is written under. */
  client: number;
  clock: number;
  /** Null while the item waits for an earlier item of its own client (see {@link RootResolver}). */
  root: EnvelopeRoot | null;
  entry: ParsedEntry;
}

/** An item the update adds already deleted (its content gone): it has no author to check. */
export interface InsertedTombstone {
  client: number;
  clock: number;
  length: number;
}

/** A live entry the update deletes. */
export interface DeletedEntry {
  root: EnvelopeRoot;
  header: EntryHeader;
}

export interface EnvelopeUpdateInspection {
  /** The part of the update the relay does not hold yet: what is stored. */
  fresh: Uint8Array;
  entries: InsertedEntry[];
  tombstones: InsertedTombstone[];
  /** Live entries (in the relay's state, or added by this update) that the update deletes. */
  deleted: DeletedEntry[];
  /** Snapshots live in the log once the update is applied (listed only when the update deletes entries). */
  snapshotsAfter: EntryHeader[];
  /** Live versions once the update is applied (counted only when the update deletes entries). */
  versionsAfter: number;
  /** True when the update changes nothing the relay holds (a resend). */
  changesNothing: boolean;
}

/** Headers of frames already parsed, by frame identity (the relay's items keep their frames). */
const headers = new WeakMap<Uint8Array, EntryHeader | null>();

function headerOf(frame: Uint8Array): EntryHeader | null {
  let header = headers.get(frame);
  if (header === undefined) {
    try {
      header = parseEntry(frame).header;
    } catch {
      header = null;
    }
    headers.set(frame, header);
  }
  return header;
}

type Struct = Y.Item | Y.GC | Y.Skip;
/** What `Y.decodeUpdate` reads as the delete set (yjs does not export the type). */
interface DecodedDeleteSet {
  clients: Map<number, { clock: number; len: number }[]>;
}

/**
 * Reads an update a client sent for the envelope `document` (the relay's
 * copy, before the update is applied) without any key: which entries it adds
 * and under which Yjs client ids, which items it adds already deleted, and
 * which live entries it deletes. Refuses (with a {@link RelayError}) anything
 * that is not an envelope change: other root types, nested types, map keys,
 * non-binary content, malformed entries, entries of another document or of a
 * kind out of place (wherever the item sits, including items that continue
 * another), garbage-collected ranges (which would swallow a device's future
 * changes), and deletions of changes the relay does not hold.
 */
export function inspectEnvelopeUpdate(
  update: Uint8Array,
  address: DocumentAddress,
  document: Y.Doc,
): EnvelopeUpdateInspection {
  let fresh: Uint8Array;
  let decoded: { structs: Struct[]; ds: DecodedDeleteSet };
  try {
    fresh = Y.diffUpdate(update, Y.encodeStateVector(document));
    decoded = Y.decodeUpdate(fresh);
  } catch {
    throw new RelayError(CloseCode.MalformedMessage, ErrorCode.MalformedMessage, 'update is not a valid Yjs update');
  }
  const freshByClient = new Map<number, Struct[]>();
  for (const struct of decoded.structs) {
    if (struct instanceof Y.Skip) continue;
    let list = freshByClient.get(struct.id.client);
    if (!list) freshByClient.set(struct.id.client, (list = []));
    list.push(struct);
  }
  const roots = new RootResolver(document, freshByClient);
  const entries: InsertedEntry[] = [];
  const tombstones: InsertedTombstone[] = [];
  const insertedFrames = new Map<Y.Item, InsertedEntry>();
  for (const struct of decoded.structs) {
    if (struct instanceof Y.Skip) continue;
    if (struct instanceof Y.GC) {
      throw malformed('the envelope takes no garbage-collected ranges; send the deleted items instead');
    }
    if (struct.parentSub !== null) throw malformed('envelope updates may not set map keys');
    const root = roots.of(struct);
    const content = struct.content;
    if (content instanceof Y.ContentDeleted) {
      tombstones.push({ client: struct.id.client, clock: struct.id.clock, length: struct.length });
      continue;
    }
    if (!(content instanceof Y.ContentBinary)) throw malformed('the envelope log holds sealed entries only');
    const entry = parseFrame(content.content, address, root);
    const inserted: InsertedEntry = { client: struct.id.client, clock: struct.id.clock, root, entry };
    entries.push(inserted);
    insertedFrames.set(struct, inserted);
  }
  const { deleted, deletedItems, changed } = readDeletions(decoded.ds, document, freshByClient, insertedFrames);
  // Walking the arrays is needed only to judge deletions (compactions, rare): not for each keystroke.
  const { snapshotsAfter, versionsAfter } =
    deleted.length > 0 ? liveAfter(document, insertedFrames, deletedItems) : { snapshotsAfter: [], versionsAfter: 0 };
  return {
    fresh,
    entries,
    tombstones,
    deleted,
    snapshotsAfter,
    versionsAfter,
    changesNothing: decoded.structs.every((struct) => struct instanceof Y.Skip) && !changed,
  };
}

function parseFrame(frame: Uint8Array, address: DocumentAddress, root: EnvelopeRoot | null): ParsedEntry {
  if (frame.length > LIMITS.maxEntryBytes) throw new RelayError(CloseCode.MessageTooLarge, ErrorCode.MessageTooLarge);
  let entry: ParsedEntry;
  try {
    entry = parseEntry(frame);
  } catch (error) {
    throw malformed(error instanceof FrameFormatError ? error.message : 'entry could not be parsed');
  }
  const { header } = entry;
  if (!sameAddress(header, address)) {
    throw new RelayError(CloseCode.EntryRejected, ErrorCode.EntryRejected, 'entry is addressed to another document');
  }
  if (header.kind === EntryKind.Presence) throw malformed('presence states do not belong in the log');
  if (root !== null && !ROOT_KINDS.get(root)?.has(header.kind)) {
    throw malformed(`an entry of kind ${header.kind} does not belong in "${root}"`);
  }
  headers.set(frame, header);
  return entry;
}

/**
 * Finds the root array an item goes into. An item whose left or right
 * neighbour is known carries no parent in the update: its parent is its
 * neighbour's, found in the same update or in the relay's state.
 *
 * A neighbour may be missing when it is an earlier item of the same client
 * still on its way (a keystroke sent right after reconnecting overtakes the
 * offline changes the sync then brings): Yjs keeps such an item pending
 * until it arrives, and its root is unknown (null). A missing neighbour of
 * another client is refused: a device only builds on what the relay sent it.
 */
class RootResolver {
  readonly #document: Y.Doc;
  readonly #fresh: Map<number, Struct[]>;
  readonly #known = new Map<Y.Item, EnvelopeRoot | null>();

  constructor(document: Y.Doc, fresh: Map<number, Struct[]>) {
    this.#document = document;
    this.#fresh = fresh;
  }

  of(item: Y.Item): EnvelopeRoot | null {
    const chain: Y.Item[] = [];
    let current: Y.Item = item;
    let root: EnvelopeRoot | null | undefined;
    for (;;) {
      root = this.#known.has(current) ? this.#known.get(current) : this.#direct(current);
      if (root !== undefined) break;
      chain.push(current);
      const neighbour = current.origin ?? current.rightOrigin;
      if (neighbour === null) throw malformed('an envelope item has neither a parent nor a neighbour');
      const next = this.#find(neighbour);
      if (next === null) {
        if (neighbour.client !== current.id.client) {
          throw malformed('an envelope item refers to a neighbour the relay does not hold');
        }
        root = null;
        break;
      }
      if (next instanceof Y.GC) throw malformed('an envelope item refers to a removed neighbour');
      if (next.parent !== null && !(next.parent instanceof Y.ID) && typeof next.parent !== 'string') {
        // An item of the relay's state: its parent is a live type.
        root = rootOfType(next.parent as Y.AbstractType<unknown>);
        break;
      }
      current = next;
      if (chain.length > 1_000_000) throw malformed('an envelope item chain is too long');
    }
    for (const link of chain) this.#known.set(link, root);
    this.#known.set(item, root);
    return root;
  }

  /** The root named by a decoded item's own parent, or undefined when it names none. */
  #direct(item: Y.Item): EnvelopeRoot | undefined {
    const parent = item.parent as unknown;
    if (parent === null) return undefined;
    if (typeof parent === 'string') {
      if (!ROOT_KINDS.has(parent)) throw malformed('envelope updates may only touch the "log" and "versions" arrays');
      return parent as EnvelopeRoot;
    }
    if (parent instanceof Y.ID) throw malformed('envelope updates may only touch the "log" and "versions" arrays');
    return undefined;
  }

  #find(id: Y.ID): Y.Item | Y.GC | null {
    const struct = findStruct(this.#fresh.get(id.client) ?? [], id.clock);
    if (struct) return struct;
    if (id.clock >= Y.getState(this.#document.store, id.client)) return null;
    return Y.getItem(this.#document.store, id);
  }
}

/** Binary search in one client's structs of a decoded update (ascending clocks, Skips left out). */
function findStruct(structs: Struct[], clock: number): Y.Item | Y.GC | null {
  let low = 0;
  let high = structs.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const struct = structs[middle] as Y.Item | Y.GC;
    if (clock < struct.id.clock) high = middle - 1;
    else if (clock >= struct.id.clock + struct.length) low = middle + 1;
    else return struct;
  }
  return null;
}

/** The index of the first struct that ends after `clock`. */
function firstEndingAfter(structs: Struct[], clock: number): number {
  let low = 0;
  let high = structs.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    const struct = structs[middle] as Struct;
    if (struct.id.clock + struct.length <= clock) low = middle + 1;
    else high = middle;
  }
  return low;
}

function rootOfType(type: Y.AbstractType<unknown>): EnvelopeRoot {
  if (type._item !== null) throw malformed('envelope updates may only touch the "log" and "versions" arrays');
  const name = Y.findRootTypeKey(type);
  if (!ROOT_KINDS.has(name)) throw malformed('envelope updates may only touch the "log" and "versions" arrays');
  return name as EnvelopeRoot;
}

/**
 * The live entries a delete set removes. Deleting what the relay does not
 * hold is refused: Yjs would keep the deletion pending and apply it to the
 * device's changes the moment they arrive.
 */
function readDeletions(
  ds: DecodedDeleteSet,
  document: Y.Doc,
  fresh: Map<number, Struct[]>,
  inserted: Map<Y.Item, InsertedEntry>,
): { deleted: DeletedEntry[]; deletedItems: Set<Y.Item>; changed: boolean } {
  const deleted: DeletedEntry[] = [];
  const deletedItems = new Set<Y.Item>();
  let changed = false;
  for (const [client, ranges] of ds.clients) {
    const held = Y.getState(document.store, client);
    const freshStructs = fresh.get(client) ?? [];
    const freshEnd = freshStructs.reduce((end, struct) => Math.max(end, struct.id.clock + struct.length), held);
    for (const { clock, len } of ranges) {
      if (len <= 0) continue;
      if (clock + len > freshEnd) throw malformed('an update deletes changes the relay does not hold');
      const end = clock + len;
      if (clock < held) {
        const structs = document.store.clients.get(client) ?? [];
        let index = Y.findIndexSS(structs, clock);
        for (; index < structs.length; index += 1) {
          const struct = structs[index] as Y.Item | Y.GC;
          if (struct.id.clock >= end) break;
          if (!(struct instanceof Y.Item) || struct.deleted) continue;
          changed = true;
          deletedItems.add(struct);
          const live = liveEntry(struct);
          if (live) deleted.push(live);
        }
      }
      for (let index = firstEndingAfter(freshStructs, clock); index < freshStructs.length; index += 1) {
        const struct = freshStructs[index] as Y.Item | Y.GC;
        if (struct.id.clock >= end) break;
        if (!(struct instanceof Y.Item)) continue;
        changed = true;
        deletedItems.add(struct);
        const entry = inserted.get(struct);
        if (entry) deleted.push({ root: entry.root ?? 'log', header: entry.entry.header });
      }
    }
  }
  return { deleted, deletedItems, changed };
}

/** The entry an item of the relay's state holds, with its root; null for anything else. */
function liveEntry(item: Y.Item): DeletedEntry | null {
  if (!(item.content instanceof Y.ContentBinary)) return null;
  const parent = item.parent as Y.AbstractType<unknown> | null;
  if (parent === null || parent._item !== null) return null;
  const name = Y.findRootTypeKey(parent);
  if (!ROOT_KINDS.has(name)) return null;
  const header = headerOf(item.content.content);
  return header ? { root: name as EnvelopeRoot, header } : null;
}

/** Snapshots in the log and the number of versions once the update is applied. */
function liveAfter(
  document: Y.Doc,
  inserted: Map<Y.Item, InsertedEntry>,
  deletedItems: Set<Y.Item>,
): { snapshotsAfter: EntryHeader[]; versionsAfter: number } {
  const snapshotsAfter: EntryHeader[] = [];
  let versionsAfter = 0;
  for (const name of ['log', 'versions'] as const) {
    if (!document.share.has(name)) continue;
    for (let item = document.getArray(name)._start; item !== null; item = item.right) {
      if (item.deleted || deletedItems.has(item)) continue;
      const live = liveEntry(item);
      if (!live) continue;
      if (live.header.kind === EntryKind.Snapshot) snapshotsAfter.push(live.header);
      if (live.header.kind === EntryKind.Version) versionsAfter += 1;
    }
  }
  for (const [item, entry] of inserted) {
    if (deletedItems.has(item) || entry.root === null) continue;
    if (entry.entry.header.kind === EntryKind.Snapshot) snapshotsAfter.push(entry.entry.header);
    if (entry.entry.header.kind === EntryKind.Version) versionsAfter += 1;
  }
  return { snapshotsAfter, versionsAfter };
}

function malformed(message: string): RelayError {
  return new RelayError(CloseCode.EntryRejected, ErrorCode.MalformedEntry, message);
}
