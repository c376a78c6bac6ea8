import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hocuspocus } from '@hocuspocus/server';
import { ready } from '@coffre/crypto';
import { getRequestListener } from '@hono/node-server';
import {
  ACCESS_CHANGED,
  CloseCode,
  ErrorCode,
  type KdfParams,
  LIMITS,
  type TenantId,
  documentId as parseDocumentId,
} from '@coffre/protocol';
import type { CryptoKey } from 'jose';
import { AccountService, type Revocation } from './accounts/AccountService.ts';
import { ConnectionRegistry } from './accounts/ConnectionRegistry.ts';
import { type RateLimitOptions, RateLimits } from './accounts/RateLimits.ts';
import { SessionGuard } from './accounts/SessionGuard.ts';
import type { TokenKeys } from './auth/TokenKeys.ts';
import { TokenVerifier } from './auth/TokenVerifier.ts';
import type { BlobStore } from './blobs/BlobStore.ts';
import { DriveService } from './drive/DriveService.ts';
import { createApiApp } from './http/createApiApp.ts';
import { createRelayApp } from './http/createRelayApp.ts';
import type { StaticSite } from './http/StaticSite.ts';
import { CoffreExtension } from './CoffreExtension.ts';
import { createLogger, type Logger } from './logger.ts';
import { PersistenceQueue } from './PersistenceQueue.ts';
import { DocumentGuard } from './sharing/DocumentGuard.ts';
import { linkSessionId } from './sharing/linkSessionId.ts';
import { type DocumentAccessChange, SharingService } from './sharing/SharingService.ts';
import { DocumentStore, type SqlDatabase } from './storage/index.ts';
import { DEFAULT_AUTHENTICATION_TIMEOUT_MS, SyncEndpoint } from './sync/SyncEndpoint.ts';
import { SyncRateLimiter, type SyncRateLimitOptions } from './sync/SyncRateLimiter.ts';

export { PUBLIC_CONFIG_PATH, type PublicRelayConfig } from './http/createRelayApp.ts';

export interface RelayServerOptions {
  database: SqlDatabase;
  /** Public key that verifies access tokens. */
  tokenPublicKey: CryptoKey;
  tokenIssuer?: string;
  port?: number;
  host?: string;
  logger?: Logger;
  /** Largest WebSocket message in bytes (default {@link LIMITS.maxMessageBytes}). */
  maxMessageBytes?: number;
  /** Milliseconds a socket may stay open without authenticating a document. */
  authenticationTimeoutMs?: number;
  /**
   * Messages and bytes per second a sync socket, and all sockets of one
   * organisation together, may send (defaults: {@link DEFAULT_SYNC_RATE_LIMITS}).
   * Over them the socket closes with RATE_LIMITED (4429).
   */
  syncRateLimits?: Partial<SyncRateLimitOptions>;
  /** Debounce of the periodic merge of stored updates, in ms. */
  compactionDebounceMs?: number;
  /**
   * Serves the accounts and sharing API (`/v1/...`, `/openapi.json`) and
   * issues tokens. Without it the relay only verifies tokens minted elsewhere.
   */
  accounts?: RelayAccountsOptions;
  /**
   * Accepts development tokens (no `sid`, as `coffre-relay token` mints
   * them) on the sync connection: they open any document of their tenant,
   * bypassing document membership. Default false; `coffre-relay serve`
   * turns it on unless `--no-dev-tokens`.
   */
  allowDevelopmentTokens?: boolean;
  /**
   * The built web app (see {@link StaticSite}): served at `/` with its
   * assets and client-side routes; the status page moves to `/status`.
   * Without it `/` shows the status page.
   */
  webApp?: StaticSite | null;
  /**
   * The organisation new people sign up into by default, announced to the
   * web app by `GET /v1/config` (`coffre-relay serve` creates it on start).
   */
  defaultTenant?: TenantId | null;
  /**
   * The Drive: where encrypted file chunks are kept, and each
   * organisation's quota. Needs {@link accounts}; without it the Drive's
   * routes answer 404.
   */
  drive?: RelayDriveOptions | null;
}

export interface RelayDriveOptions {
  /** `FileSystemBlobStore` under the data folder, or an S3-compatible store. */
  blobs: BlobStore;
  /** Bytes each organisation may keep in the Drive; null or absent for no limit. */
  quotaBytes?: number | null;
  /** The largest file devices may upload (see `DriveServiceOptions.maxFileBytes`); null or absent for no limit. */
  maxFileBytes?: number | null;
  /** A garbage-collection sweep's grace period (default 24 hours; see `DriveServiceOptions.sweepGraceMs`). */
  sweepGraceMs?: number;
  /** How long a sweep id stays good (default one hour). */
  sweepLifetimeMs?: number;
}

/** What the relay needs to issue tokens and keep accounts. */
export interface RelayAccountsOptions {
  /** The token-signing key pair (its public key must be `tokenPublicKey`). */
  tokenKeys: TokenKeys;
  /** At least 32 random bytes kept with the token keys (see `loadOrCreateServerSecret`). */
  serverSecret: Uint8Array;
  /** Access-token lifetime in seconds (default 300). */
  accessTokenSeconds?: number;
  /** Refresh-token lifetime in seconds (default 30 days). */
  refreshTokenSeconds?: number;
  /** Overrides of the default limits on login, registration, KDF look-ups and refreshes. */
  rateLimits?: Partial<RateLimitOptions>;
  /** Argon2id parameters answered for unknown emails; match the client's default. */
  defaultKdf?: KdfParams;
  /** Largest API request body (default 64 KiB). */
  maxBodyBytes?: number;
}

/**
 * The relay's composition root: builds the services, the Hocuspocus sync
 * engine with the Coffre extension, the sync WebSocket ({@link SyncEndpoint})
 * and the HTTP app ({@link createRelayApp}), on one port, and stops them in order.
 */
export class RelayServer {
  readonly hocuspocus: Hocuspocus;
  /** Accounts, sessions and devices; null without {@link RelayServerOptions.accounts}. */
  readonly accounts: AccountService | null;
  /** Documents, members, grants and links; null without {@link RelayServerOptions.accounts}. */
  readonly sharing: SharingService | null;
  /** Encrypted file chunks; null without {@link RelayServerOptions.drive} and accounts. */
  readonly drive: DriveService | null;
  /** Open document connections by session and device. */
  readonly connections: ConnectionRegistry;
  readonly store: DocumentStore;
  readonly database: SqlDatabase;
  readonly persistence: PersistenceQueue;
  readonly logger: Logger;
  readonly #options: RelayServerOptions;
  /** Counts what sync sockets send (see {@link RelayServerOptions.syncRateLimits}). */
  readonly syncRateLimiter: SyncRateLimiter;
  readonly #http: HttpServer;
  readonly #sync: SyncEndpoint;
  #stopping: Promise<void> | null = null;

  constructor(options: RelayServerOptions) {
    this.#options = options;
    this.logger = options.logger ?? createLogger();
    this.database = options.database;
    this.store = new DocumentStore(options.database);
    this.persistence = new PersistenceQueue(this.logger.child({ ns: 'persistence' }));
    const verifier = new TokenVerifier({ publicKey: options.tokenPublicKey, issuer: options.tokenIssuer });
    const sessions = new SessionGuard(options.database);
    const accessTokenSeconds = options.accounts?.accessTokenSeconds ?? 300;
    this.connections = new ConnectionRegistry({ rememberRevokedMs: Math.max(15 * 60, accessTokenSeconds + 60) * 1000 });
    this.accounts = null;
    this.sharing = null;
    this.drive = null;
    let api = null;
    if (options.accounts) {
      const accounts = new AccountService({
        database: options.database,
        tokenKeys: options.accounts.tokenKeys,
        serverSecret: options.accounts.serverSecret,
        tokenIssuer: options.tokenIssuer,
        accessTokenSeconds,
        refreshTokenSeconds: options.accounts.refreshTokenSeconds,
        defaultKdf: options.accounts.defaultKdf,
        guard: sessions,
        onRevoked: (revocation) => this.#closeRevoked(revocation),
      });
      const sharing = new SharingService({
        database: options.database,
        tokenKeys: options.accounts.tokenKeys,
        tokenIssuer: options.tokenIssuer,
        onRevoked: (change) => this.#closeDocumentAccess(change),
        onAdmitted: (change) => this.#readmit(change),
      });
      const drive = options.drive
        ? new DriveService({
            database: options.database,
            blobs: options.drive.blobs,
            quotaBytes: options.drive.quotaBytes,
            maxFileBytes: options.drive.maxFileBytes,
            sweepGraceMs: options.drive.sweepGraceMs,
            sweepLifetimeMs: options.drive.sweepLifetimeMs,
            logger: this.logger.child({ ns: 'drive' }),
          })
        : null;
      api = createApiApp({
        accounts,
        sharing,
        drive: drive ?? undefined,
        verifier,
        rateLimits: new RateLimits(options.accounts.rateLimits),
        logger: this.logger.child({ ns: 'api' }),
        maxBodyBytes: options.accounts.maxBodyBytes,
      });
      this.accounts = accounts;
      this.sharing = sharing;
      this.drive = drive;
    }
    this.hocuspocus = new Hocuspocus({
      name: 'coffre-relay',
      quiet: true,
      debounce: options.compactionDebounceMs ?? 2000,
      maxDebounce: 10_000,
      timeout: 30_000,
      maxUnauthenticatedQueueMessages: LIMITS.unauthenticatedMaxMessages,
      maxUnauthenticatedQueueSize: 256 * 1024,
      maxPendingDocuments: 16,
      extensions: [
        new CoffreExtension({
          verifier,
          store: this.store,
          persistence: this.persistence,
          logger: this.logger.child({ ns: 'sync' }),
          sessions,
          connections: this.connections,
          documents: new DocumentGuard(options.database),
          allowDevelopmentTokens: options.allowDevelopmentTokens ?? false,
        }),
      ],
    });
    this.syncRateLimiter = new SyncRateLimiter(options.syncRateLimits);
    this.#sync = new SyncEndpoint({
      hocuspocus: this.hocuspocus,
      persistence: this.persistence,
      rateLimiter: this.syncRateLimiter,
      logger: this.logger.child({ ns: 'sync' }),
      maxMessageBytes: options.maxMessageBytes ?? LIMITS.maxMessageBytes,
      authenticationTimeoutMs: options.authenticationTimeoutMs ?? DEFAULT_AUTHENTICATION_TIMEOUT_MS,
    });
    const app = createRelayApp({
      database: options.database,
      stopping: () => this.#stopping !== null,
      defaultTenant: options.defaultTenant ?? null,
      webApp: options.webApp ?? null,
      api,
      logger: this.logger.child({ ns: 'http' }),
    });
    const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
    this.#http = createServer((request, response) => void listener(request, response));
    this.#http.on('upgrade', this.#sync.handleUpgrade);
  }

  /** Starts listening; resolves with the bound port (use port 0 in tests). */
  async listen(): Promise<number> {
    // Signatures of relayed entries are checked, and state vectors encoded, with libsodium.
    await ready();
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(this.#options.port ?? 8787, this.#options.host ?? '127.0.0.1', () => {
        this.#http.off('error', reject);
        resolve();
      });
    });
    const port = (this.#http.address() as AddressInfo).port;
    this.logger.info({ port, host: this.#options.host ?? '127.0.0.1' }, 'relay listening');
    return port;
  }

  get port(): number {
    return (this.#http.address() as AddressInfo).port;
  }

  /**
   * Graceful shutdown: stops accepting connections, closes the open ones
   * with {@link CloseCode.ShuttingDown}, runs pending merges and closes the
   * database. Every acknowledged update was already committed.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#http.close();
    this.#sync.closeAll(CloseCode.ShuttingDown, ErrorCode.ShuttingDown);
    this.connections.dispose();
    const flushed = await this.persistence.flushAll(10_000);
    if (!flushed)
      this.logger.error('some updates could not be stored before shutdown; their senders were not acknowledged');
    this.hocuspocus.flushPendingStores();
    await Promise.all([...this.hocuspocus.documents.values()].map((document) => document.saveMutex.waitForUnlock()));
    this.#sync.close();
    this.#http.closeAllConnections();
    await this.#options.database.close();
    this.logger.info('relay stopped');
  }

  /** A logout, a revoked device or a reused refresh token: their open document connections close now. */
  #closeRevoked(revocation: Revocation): void {
    let closed = 0;
    for (const sid of revocation.sessions) {
      closed += this.connections.closeSession(revocation.tenant, sid, revocation.reason);
    }
    for (const device of revocation.devices) {
      closed += this.connections.closeDevice(revocation.tenant, device, revocation.reason);
    }
    this.logger.info({ tenant: revocation.tenant, reason: revocation.reason, closed }, 'sessions revoked');
  }

  /** Members removed, links revoked or a document deleted: their open connections to it close now; a new key is announced. */
  #closeDocumentAccess(change: DocumentAccessChange): void {
    const { tenant, documentId } = change;
    let closed = 0;
    for (const user of change.users) closed += this.connections.closeMember(tenant, user, documentId);
    for (const linkId of change.links) {
      closed += this.connections.closeSession(tenant, linkSessionId(linkId), ErrorCode.Forbidden, CloseCode.Forbidden);
    }
    if (change.document) {
      closed += this.connections.closeDocument(tenant, documentId);
      this.#unloadDeleted(`${tenant}/${documentId}`);
      this.drive?.deleteSpace(tenant, parseDocumentId(documentId)).catch((error: unknown) => {
        this.logger.error(
          { err: error, tenant, document: documentId },
          "a deleted document's file chunks stay on disk",
        );
      });
    }
    // The connections left switch to the new key now (see ACCESS_CHANGED); like the closes above, on this node only.
    if (change.keyEpoch !== undefined)
      this.hocuspocus.documents.get(`${tenant}/${documentId}`)?.broadcastStateless(ACCESS_CHANGED);
    this.logger.info(
      { tenant, document: documentId, users: change.users.length, links: change.links.length, closed },
      change.document ? 'document deleted' : 'document access revoked',
    );
  }

  /**
   * Drops a deleted document's envelope from memory once its connections
   * are closed, so a document created again under the same id starts empty.
   */
  #unloadDeleted(documentName: string): void {
    const document = this.hocuspocus.documents.get(documentName);
    if (!document) return;
    const store = `onStoreDocument-${documentName}`;
    // A pending (debounced) store runs now and unloads the document when it is done.
    if (this.hocuspocus.debouncer.isDebounced(store)) void this.hocuspocus.debouncer.executeNow(store);
    else void this.hocuspocus.unloadDocument(document);
  }

  /** A member added back, or a document created again under a deleted one's id, may connect at once. */
  #readmit(change: DocumentAccessChange): void {
    for (const user of change.users) this.connections.readmitMember(change.tenant, user, change.documentId);
    if (change.document) this.connections.readmitDocument(change.tenant, change.documentId);
  }
}
