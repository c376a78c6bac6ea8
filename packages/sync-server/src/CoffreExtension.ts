import * as Y from 'yjs';
import type {
  Extension,
  beforeHandleAwarenessPayload,
  beforeSyncPayload,
  beforeUnloadDocumentPayload,
  connectedPayload,
  onAuthenticatePayload,
  onLoadDocumentPayload,
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
  canWrite,
  parseDocumentName,
} from '@coffre/protocol';
import type { ConnectionRegistry } from './accounts/ConnectionRegistry.ts';
import type { SessionGuard } from './accounts/SessionGuard.ts';
import type { TokenVerifier } from './auth/TokenVerifier.ts';
import { validateEnvelopeUpdate } from './envelope/validateEnvelopeUpdate.ts';
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

  constructor(options: CoffreExtensionOptions) {
    this.#options = options;
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
    const { state, updates } = await this.#options.store.load(address.tenantId, address.documentId);
    Y.transact(data.document, () => {
      if (state) Y.applyUpdate(data.document, state);
      for (const update of updates) Y.applyUpdate(data.document, update);
    });
  }

  /**
   * Runs before Hocuspocus applies a sync step 2 or an update: the update is
   * validated here and queued for storage. Hocuspocus then applies and relays
   * it at once; the relay holds the sender's acknowledgement until the write
   * has committed (see {@link PersistenceQueue}), so "saved" means stored.
   */
  beforeSync(data: beforeSyncPayload<ConnectionContext>): Promise<void> {
    if (data.type === SYNC_STEP_1) return Promise.resolve();
    const { context, connection, document } = data;
    if (context.readOnly || connection.readOnly) return Promise.resolve(); // Hocuspocus refuses to apply it
    const update = data.payload;
    const summary = validateEnvelopeUpdate(update, context.address);
    // Store only what the relay does not hold yet (a reconnecting client resends its whole state).
    const fresh = Y.diffUpdate(update, Y.encodeStateVector(document));
    if (!summary.deletes && Y.parseUpdateMeta(fresh).to.size === 0) return Promise.resolve();
    const { tenantId, documentId } = context.address;
    // Only development tokens create documents by writing; others were created with an owner.
    const createDocument = context.access === 'development';
    this.#options.persistence.enqueue(data.documentName, async () => {
      try {
        await this.#options.store.appendUpdate(tenantId, documentId, fresh, { createDocument });
      } catch (error) {
        // Deleted meanwhile: nothing to keep, and retrying would never succeed.
        if (!(error instanceof UnknownDocumentError)) throw error;
        this.#options.logger.info(
          { tenant: tenantId, document: documentId },
          'dropped an update of a deleted document',
        );
      }
    });
    return Promise.resolve();
  }

  /** A document leaves memory only once its queued writes have committed. */
  async beforeUnloadDocument(data: beforeUnloadDocumentPayload): Promise<void> {
    await this.#options.persistence.whenFlushed(data.documentName);
  }

  /** Presence must be a sealed blob; read-only connections publish none. */
  async beforeHandleAwareness(data: beforeHandleAwarenessPayload<ConnectionContext>): Promise<void> {
    if (!data.context || data.context.readOnly) {
      data.states.clear();
      return;
    }
    const maxEncoded = Math.ceil((LIMITS.maxAwarenessBytes * 4) / 3) + 4;
    for (const [clientId, state] of data.states) {
      const keys = Object.keys(state);
      const sealed: unknown = state.sealed;
      const valid =
        keys.length === 0 ||
        (keys.length === 1 && typeof sealed === 'string' && sealed.length <= maxEncoded && /^[\w-]*$/.test(sealed));
      if (!valid) data.states.delete(clientId);
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
