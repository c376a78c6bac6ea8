import * as Y from 'yjs';
import type {
  Extension,
  beforeHandleAwarenessPayload,
  beforeSyncPayload,
  beforeUnloadDocumentPayload,
  connectedPayload,
  onAuthenticatePayload,
  onDisconnectPayload,
  onLoadDocumentPayload,
  onStatelessPayload,
  onStoreDocumentPayload,
} from '@hocuspocus/server';
import {
  type AccessClaims,
  type DocumentAddress,
  CloseCode,
  CoffreError,
  ErrorCode,
  InvalidAddressError,
  LIMITS,
  STATE_VECTOR_REQUEST,
  canWrite,
  encodeStateVectorAnswer,
  parseDocumentName,
} from '@coffre/protocol';
import type { ConnectionRegistry } from './accounts/ConnectionRegistry.ts';
import type { SessionGuard } from './accounts/SessionGuard.ts';
import type { TokenVerifier } from './auth/TokenVerifier.ts';
import { type EnvelopeWriter, EnvelopeGuard } from './envelope/EnvelopeGuard.ts';
import { type WriterBinding, EnvelopeWriters } from './envelope/EnvelopeWriters.ts';
import type { Logger } from './logger.ts';
import type { PersistenceQueue } from './PersistenceQueue.ts';
import { RelayError } from './RelayError.ts';
import type { DocumentGuard } from './sharing/DocumentGuard.ts';
import { linkIdOfSession } from './sharing/linkSessionId.ts';
import { type DocumentStore, UnknownDocumentError } from './storage/index.ts';

/**
 * How a connection got in: an account session of a member, a share link's
 * session, or a development token (no session; only when the relay allows them).
 */
export type ConnectionAccess = 'member' | 'link' | 'development';

/** What the relay knows about one authenticated document connection. */
export interface ConnectionContext {
  claims: AccessClaims;
  address: DocumentAddress;
  access: ConnectionAccess;
  readOnly: boolean;
  /** When the access token expires (ms since the epoch): the connection is closed then. */
  expiresAt: number;
  /** Shared by every document of one socket. */
  socket: SocketState;
  /** Who writes through this connection (made on its first update). */
  writer?: EnvelopeWriter;
}

export interface SocketState {
  authenticated: boolean;
}

const SYNC_STEP_1 = 0;

/** Merges stored envelope updates through a garbage-collecting Y.Doc, so deleted entries cost nothing. */
export function mergeEnvelopeUpdates(parts: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc({ gc: true });
  for (const part of parts) Y.applyUpdate(doc, part);
  const merged = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return merged;
}

/** An update checked and waiting to be stored, with the client-id bindings it made. */
interface UnstoredUpdate {
  update: Uint8Array;
  writers: WriterBinding[];
  createDocument: boolean;
}

export interface CoffreExtensionOptions {
  verifier: TokenVerifier;
  store: DocumentStore;
  persistence: PersistenceQueue;
  logger: Logger;
  /** Checks that a token's login session and device are live (tokens with a `sid`). */
  sessions: SessionGuard;
  /** Open connections by session and device, closed on revocation or token expiry. */
  connections: ConnectionRegistry;
  /** Document membership and share links. */
  documents: DocumentGuard;
  /**
   * Accept tokens without a session (`sid`), as `coffre-relay token` mints
   * them: they open any document of their tenant, creating it on first
   * write. For development only; default false.
   */
  allowDevelopmentTokens?: boolean;
  /** Merge the stored tail into the state once it has this many updates. */
  compactAfterUpdates?: number;
}

/**
 * The relay's Hocuspocus extension: authenticates tokens against document
 * addresses, refuses anything that is not a well-formed sealed entry of the
 * document, commits every envelope update to the database before Hocuspocus
 * applies (and acknowledges) it, and merges stored updates periodically.
 */
export class CoffreExtension implements Extension {
  readonly priority = 1000;
  readonly extensionName = 'coffre';
  readonly #options: CoffreExtensionOptions;
  /** Tenants whose row is known to exist: no database round trip per connection. */
  readonly #knownTenants = new Set<string>();
  readonly #guard: EnvelopeGuard;
  /** Per loaded envelope, the device bound to each of its Yjs client ids. */
  readonly #writers = new WeakMap<Y.Doc, EnvelopeWriters>();
  /** Per document name, the connection that owns each awareness client id. */
  readonly #presenceOwners = new Map<string, Map<number, ConnectionContext>>();
  /** Per document name, the updates of the write queued and not started yet: later updates join it. */
  readonly #unstored = new Map<string, UnstoredUpdate[]>();

  constructor(options: CoffreExtensionOptions) {
    this.#options = options;
    this.#guard = new EnvelopeGuard({
      signingKey: (address, device) => options.documents.signingKey(address.tenantId, device),
    });
  }

  /**
   * Who may open what: an account session (`sid`) opens the documents its
   * user is a member of (viewers read-only); a link session (`doc`) opens
   * its one document while the link is live (read-only unless `access` is
   * `write`); a development token (neither) opens any document of its
   * tenant, only when {@link CoffreExtensionOptions.allowDevelopmentTokens}.
   */
  async onAuthenticate(data: onAuthenticatePayload<{ socket?: SocketState }>): Promise<ConnectionContext> {
    const { claims, expiresAt } = await this.#options.verifier.verifyWithExpiry(data.token);
    let address: DocumentAddress;
    try {
      address = parseDocumentName(data.documentName);
    } catch (error) {
      if (error instanceof InvalidAddressError) {
        throw new RelayError(CloseCode.Forbidden, ErrorCode.InvalidDocumentName, error.message);
      }
      throw error;
    }
    if (claims.tenant !== address.tenantId) throw new RelayError(CloseCode.Forbidden, ErrorCode.Forbidden);
    let access: ConnectionAccess;
    let readOnly = !canWrite(claims.role);
    if (claims.doc !== undefined) {
      access = 'link';
      await this.#checkLink(claims, address);
      readOnly ||= claims.access !== 'write';
    } else if (claims.sid !== undefined) {
      // Tokens issued at login carry a session id: a logout or a revoked device ends them before they expire.
      access = 'member';
      await this.#checkSession(claims);
      const role = await this.#storage(() =>
        this.#options.documents.memberRole(address.tenantId, address.documentId, claims.sub),
      );
      if (role === null) throw new RelayError(CloseCode.Forbidden, ErrorCode.Forbidden);
      readOnly ||= role === 'viewer';
    } else {
      if (!this.#options.allowDevelopmentTokens) {
        throw new RelayError(CloseCode.Unauthenticated, ErrorCode.Unauthenticated);
      }
      access = 'development';
      if (!this.#knownTenants.has(address.tenantId)) {
        await this.#storage(() => this.#options.store.ensureTenant(address.tenantId));
        this.#knownTenants.add(address.tenantId);
      }
    }
    data.connectionConfig.readOnly = readOnly;
    const socket = data.context.socket ?? { authenticated: true };
    socket.authenticated = true;
    return { claims, address, access, readOnly, expiresAt, socket };
  }

  /** Tracks the connection so a revocation, a removal, a deletion or the token's expiry closes it. */
  connected(data: connectedPayload<ConnectionContext>): Promise<void> {
    const { claims, expiresAt, address } = data.context;
    this.#options.connections.track(data.connection, claims, expiresAt, address.documentId);
    return Promise.resolve();
  }

  async #checkSession(claims: AccessClaims): Promise<void> {
    try {
      await this.#options.sessions.check(claims);
    } catch (error) {
      if (error instanceof CoffreError) throw new RelayError(CloseCode.Unauthenticated, error.code);
      this.#options.logger.error({ err: error, tenant: claims.tenant }, 'session lookup failed');
      throw new RelayError(CloseCode.StorageUnavailable, ErrorCode.StorageUnavailable);
    }
  }

  /** A link session opens only its document, and only while the link is live. */
  async #checkLink(claims: AccessClaims, address: DocumentAddress): Promise<void> {
    const linkId = claims.sid === undefined ? null : linkIdOfSession(claims.sid);
    if (linkId === null) throw new RelayError(CloseCode.Unauthenticated, ErrorCode.Unauthenticated);
    if (claims.doc !== address.documentId) throw new RelayError(CloseCode.Forbidden, ErrorCode.Forbidden);
    const live = await this.#storage(() =>
      this.#options.documents.isLinkLive(address.tenantId, linkId, address.documentId),
    );
    if (!live) throw new RelayError(CloseCode.Forbidden, ErrorCode.Forbidden);
  }

  /** Runs a database look-up; a failure closes the connection with STORAGE_UNAVAILABLE. */
  async #storage<T>(lookup: () => Promise<T>): Promise<T> {
    try {
      return await lookup();
    } catch (error) {
      this.#options.logger.error({ err: error }, 'access look-up failed');
      throw new RelayError(CloseCode.StorageUnavailable, ErrorCode.StorageUnavailable);
    }
  }

  async onLoadDocument(data: onLoadDocumentPayload<ConnectionContext>): Promise<void> {
    const { address } = data.context;
    const [{ state, updates }, writers] = await Promise.all([
      this.#options.store.load(address.tenantId, address.documentId),
      this.#options.store.loadWriters(address.tenantId, address.documentId),
    ]);
    Y.transact(data.document, () => {
      if (state) Y.applyUpdate(data.document, state);
      for (const update of updates) Y.applyUpdate(data.document, update);
    });
    this.#writers.set(data.document, EnvelopeWriters.load(data.document, writers));
  }

  /**
   * Runs before Hocuspocus applies a sync step 2 or an update: the update is
   * checked here (its shape, whose client ids it writes under, what it
   * deletes; see {@link EnvelopeGuard}) and queued for storage. Hocuspocus
   * then applies and relays it at once; the relay holds the sender's
   * acknowledgement until the write has committed (see {@link PersistenceQueue}),
   * so "saved" means stored.
   */
  async beforeSync(data: beforeSyncPayload<ConnectionContext>): Promise<void> {
    if (data.type === SYNC_STEP_1) return;
    const { context, connection, document } = data;
    if (context.readOnly || connection.readOnly) return; // Hocuspocus refuses to apply it
    const writers = this.#writers.get(document);
    if (!writers) throw new RelayError(CloseCode.Internal, ErrorCode.Internal, 'document was not loaded');
    context.writer ??= { access: context.access, device: context.claims.device, proven: new Set() };
    const { fresh, bindings } = await this.#guard.check(
      data.payload,
      context.address,
      document,
      writers,
      context.writer,
    );
    // Store only what the relay does not hold yet (a reconnecting client resends its whole state).
    if (fresh === null) return;
    // Only development tokens create documents by writing; others were created with an owner.
    this.#store(data.documentName, context.address, {
      update: fresh,
      writers: bindings,
      createDocument: context.access === 'development',
    });
  }

  /**
   * Queues an update for storage. While the document's previous write is
   * committing, the updates arriving meanwhile wait together and are then
   * stored as one (merged, in one transaction): under a burst the database
   * does one write per commit it can make, not one per message, and every
   * acknowledgement still waits for the write that holds its update.
   */
  #store(documentName: string, address: DocumentAddress, update: UnstoredUpdate): void {
    const waiting = this.#unstored.get(documentName);
    if (waiting) {
      waiting.push(update);
      return;
    }
    const batch = [update];
    this.#unstored.set(documentName, batch);
    const { tenantId, documentId } = address;
    this.#options.persistence.enqueue(documentName, async () => {
      // From the first attempt on, this batch is closed: later updates queue the next write.
      if (this.#unstored.get(documentName) === batch) this.#unstored.delete(documentName);
      const merged = batch.length === 1 ? update.update : Y.mergeUpdates(batch.map((queued) => queued.update));
      try {
        await this.#options.store.appendUpdate(tenantId, documentId, merged, {
          createDocument: batch.some((queued) => queued.createDocument),
          writers: batch.flatMap((queued) => queued.writers),
        });
      } catch (error) {
        // Deleted meanwhile: nothing to keep, and retrying would never succeed.
        if (!(error instanceof UnknownDocumentError)) throw error;
        this.#options.logger.info(
          { tenant: tenantId, document: documentId },
          'dropped an update of a deleted document',
        );
      }
    });
  }

  /**
   * Answers a client's request for the envelope's state vector, once every
   * write queued for the document has committed: the client checks that what
   * it was told is saved is really held (see `STATE_VECTOR_REQUEST`). Other
   * stateless messages are ignored.
   */
  async onStateless(data: onStatelessPayload): Promise<void> {
    if (data.payload !== STATE_VECTOR_REQUEST) return;
    // Everything in the state now was queued before this call: the answer waits for those writes only.
    const stateVector = Y.encodeStateVector(data.document);
    await this.#options.persistence.whenFlushed(data.documentName);
    data.connection.sendStateless(encodeStateVectorAnswer(stateVector));
  }

  /** A document leaves memory only once its queued writes have committed. */
  async beforeUnloadDocument(data: beforeUnloadDocumentPayload): Promise<void> {
    await this.#options.persistence.whenFlushed(data.documentName);
  }

  /**
   * Presence must be a sealed blob; read-only connections publish none. Each
   * awareness client id belongs to the connection that first published it,
   * so no connection can overwrite or blank another's presence.
   */
  async beforeHandleAwareness(data: beforeHandleAwarenessPayload<ConnectionContext>): Promise<void> {
    const context = data.context;
    if (!context || context.readOnly) {
      data.states.clear();
      return;
    }
    let owners = this.#presenceOwners.get(data.documentName);
    if (!owners) this.#presenceOwners.set(data.documentName, (owners = new Map<number, ConnectionContext>()));
    const maxEncoded = Math.ceil((LIMITS.maxAwarenessBytes * 4) / 3) + 4;
    for (const [clientId, state] of data.states) {
      const owner = owners.get(clientId);
      if (owner !== undefined && owner !== context) {
        data.states.delete(clientId);
        continue;
      }
      const keys = Object.keys(state);
      const sealed: unknown = state.sealed;
      const valid =
        keys.length === 0 ||
        (keys.length === 1 && typeof sealed === 'string' && sealed.length <= maxEncoded && /^[\w-]*$/.test(sealed));
      if (!valid) data.states.delete(clientId);
      else owners.set(clientId, context);
    }
    await Promise.resolve();
  }

  /** A closed connection's awareness client ids are free again. */
  async onDisconnect(data: onDisconnectPayload<ConnectionContext>): Promise<void> {
    const owners = this.#presenceOwners.get(data.documentName);
    if (owners) {
      for (const [clientId, owner] of owners) if (owner === data.context) owners.delete(clientId);
      if (owners.size === 0) this.#presenceOwners.delete(data.documentName);
    }
    await Promise.resolve();
  }

  /** Debounced by Hocuspocus: merges the stored tail of updates into one state. */
  async onStoreDocument(data: onStoreDocumentPayload): Promise<void> {
    const address = parseDocumentName(data.documentName);
    const threshold = this.#options.compactAfterUpdates ?? 64;
    await this.#options.persistence.whenFlushed(data.documentName);
    const stats = await this.#options.store.stats(address.tenantId, address.documentId);
    if (stats.updateCount === 0) return;
    if (stats.updateCount < threshold && data.clientsCount > 0) return;
    await this.#options.store.compact(address.tenantId, address.documentId, mergeEnvelopeUpdates);
  }
}
