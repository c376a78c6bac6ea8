import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Hocuspocus } from '@hocuspocus/server';
import { ready } from '@coffre/crypto';
import { getRequestListener } from '@hono/node-server';
import * as decoding from 'lib0/decoding';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { CloseCode, ErrorCode, ERROR_MESSAGES, type KdfParams, LIMITS, type TenantId } from '@coffre/protocol';
import type { CryptoKey } from 'jose';
import { AccountService, type Revocation } from './accounts/AccountService.ts';
import { ConnectionRegistry } from './accounts/ConnectionRegistry.ts';
import { type RateLimitOptions, RateLimits } from './accounts/RateLimits.ts';
import { SessionGuard } from './accounts/SessionGuard.ts';
import type { TokenKeys } from './auth/TokenKeys.ts';
import { TokenVerifier } from './auth/TokenVerifier.ts';
import { createApiApp } from './http/createApiApp.ts';
import type { StaticSite } from './http/StaticSite.ts';
import { CoffreExtension, type SocketState } from './CoffreExtension.ts';
import { createLogger, type Logger } from './logger.ts';
import { PersistenceQueue } from './PersistenceQueue.ts';
import { DocumentGuard } from './sharing/DocumentGuard.ts';
import { linkSessionId } from './sharing/linkSessionId.ts';
import { type DocumentAccessChange, SharingService } from './sharing/SharingService.ts';
import { DocumentStore, type SqlDatabase } from './storage/index.ts';

/** Hocuspocus SyncStatus: the acknowledgement that an update was applied. */
const SYNC_STATUS_MESSAGE = 8;

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
}

/** `GET /v1/config`: what the web app needs before anyone signs in. */
export interface PublicRelayConfig {
  /** The organisation the sign-up form suggests, or null. */
  defaultTenant: string | null;
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

/** The relay: Hocuspocus sync on `/sync`, the HTTP API, health endpoints, one port. */
export class RelayServer {
  readonly hocuspocus: Hocuspocus;
  /** Accounts, sessions and devices; null without {@link RelayServerOptions.accounts}. */
  readonly accounts: AccountService | null;
  /** Documents, members, grants and links; null without {@link RelayServerOptions.accounts}. */
  readonly sharing: SharingService | null;
  /** Open document connections by session and device. */
  readonly connections: ConnectionRegistry;
  readonly store: DocumentStore;
  readonly database: SqlDatabase;
  readonly persistence: PersistenceQueue;
  readonly logger: Logger;
  readonly #options: RelayServerOptions;
  readonly #http: HttpServer;
  readonly #wss: WebSocketServer;
  readonly #api: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | null;
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
    this.#api = null;
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
      const app = createApiApp({
        accounts,
        sharing,
        verifier,
        rateLimits: new RateLimits(options.accounts.rateLimits),
        logger: this.logger.child({ ns: 'api' }),
        maxBodyBytes: options.accounts.maxBodyBytes,
      });
      this.accounts = accounts;
      this.sharing = sharing;
      this.#api = getRequestListener(app.fetch, { overrideGlobalObjects: false });
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
    this.#http = createServer((request, response) => {
      this.#handleRequest(request, response).catch((error: unknown) => {
        this.logger.error({ err: error }, 'request failed');
        if (!response.headersSent) sendError(response, 500, ErrorCode.Internal);
      });
    });
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes ?? LIMITS.maxMessageBytes,
    });
    this.#http.on('upgrade', this.#onUpgrade);
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
    for (const client of this.#wss.clients) client.close(CloseCode.ShuttingDown, ErrorCode.ShuttingDown);
    this.connections.dispose();
    const flushed = await this.persistence.flushAll(10_000);
    if (!flushed)
      this.logger.error('some updates could not be stored before shutdown; their senders were not acknowledged');
    this.hocuspocus.flushPendingStores();
    await Promise.all([...this.hocuspocus.documents.values()].map((document) => document.saveMutex.waitForUnlock()));
    this.#wss.close();
    this.#http.closeAllConnections();
    await this.#options.database.close();
    this.logger.info('relay stopped');
  }

  #onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(request.url ?? '/', 'http://relay').pathname;
    if (path !== '/sync' || this.#stopping) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (websocket) => this.#onConnection(websocket, request));
  };

  #onConnection(websocket: WebSocket, request: IncomingMessage): void {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    const webRequest = new Request(new URL(request.url ?? '/', 'http://relay'), { headers });
    const socketState: SocketState = { authenticated: false };
    this.#holdAcknowledgementsUntilStored(websocket);
    const connection = this.hocuspocus.handleConnection(websocket, webRequest, { socket: socketState });
    const deadline = setTimeout(
      () => {
        if (!socketState.authenticated)
          websocket.close(CloseCode.AuthenticationTimeout, ErrorCode.AuthenticationTimeout);
      },
      this.#options.authenticationTimeoutMs ?? LIMITS.unauthenticatedTimeoutSeconds * 1000,
    );
    websocket.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        websocket.close(CloseCode.MalformedMessage, ErrorCode.MalformedMessage);
        return;
      }
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      connection.handleMessage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
    websocket.on('close', (code: number, reason: Buffer) => {
      clearTimeout(deadline);
      connection.handleClose({ code, reason: reason.toString() });
    });
    websocket.on('error', (error) => {
      // ws closes the socket itself (e.g. 1009 for an oversized message); others are unaffected.
      this.logger.warn({ err: error }, 'websocket error');
    });
  }

  /**
   * Hocuspocus acknowledges an update right after applying it in memory;
   * the acknowledgement is held here until the update's write has committed.
   */
  #holdAcknowledgementsUntilStored(websocket: WebSocket): void {
    const send = websocket.send.bind(websocket) as (data: Uint8Array) => void;
    const persistence = this.persistence;
    websocket.send = ((data: Uint8Array) => {
      const documentName = acknowledgedDocument(data);
      if (documentName === null) {
        send(data);
        return;
      }
      void persistence.whenFlushed(documentName).then(() => {
        if (websocket.readyState === websocket.OPEN) send(data);
      });
    }) as WebSocket['send'];
  }

  async #handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://relay').pathname;
    if (request.method === 'GET' && path === '/healthz') {
      sendJson(response, 200, { status: 'ok' });
      return;
    }
    if (request.method === 'GET' && path === '/readyz') {
      try {
        await this.#options.database.ping();
        sendJson(response, this.#stopping ? 503 : 200, { status: this.#stopping ? 'stopping' : 'ready' });
      } catch {
        sendError(response, 503, ErrorCode.StorageUnavailable);
      }
      return;
    }
    if (request.method === 'GET' && path === PUBLIC_CONFIG_PATH) {
      const config: PublicRelayConfig = { defaultTenant: this.#options.defaultTenant ?? null };
      sendJson(response, 200, config);
      return;
    }
    const webApp = this.#options.webApp ?? null;
    if (request.method === 'GET' && (path === '/status' || (path === '/' && !webApp?.available))) {
      response.writeHead(200, {
        ...STATUS_PAGE_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end(statusPage(this.#options.database.engine, webApp !== null));
      return;
    }
    const isApi = path.startsWith('/v1/') || path === '/openapi.json';
    if (!isApi && webApp?.available && (await webApp.handle(request, response))) return;
    if (this.#api) {
      await this.#api(request, response);
      return;
    }
    sendError(response, 404, ErrorCode.NotFound);
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

  /** Members removed, links revoked or a document deleted: their open connections to it close now. */
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
    }
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

/** The status page has one inline style sheet and nothing else to load. */
const STATUS_PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Where the web app reads {@link PublicRelayConfig}. */
export const PUBLIC_CONFIG_PATH = '/v1/config';

/** What a person who opens the relay's address in a browser sees when no web app is built (and at `/status`). */
function statusPage(engine: string, hasWebApp: boolean): string {
  const app = hasWebApp
    ? '<p>The web app is served at <a href="/">/</a>.</p>'
    : '<p>No web app is built here: <code>./run start</code> builds it (or <code>pnpm --filter @coffre/web build</code>), or pass <code>--web-dir</code>.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Coffre relay</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1d1d1f}
code{background:#f2f2f4;padding:.1rem .3rem;border-radius:4px}h1{font-size:1.6rem}.ok{color:#0a7a32}</style></head>
<body><h1>Coffre relay <span class="ok">is running</span></h1>
<p>This relay syncs end-to-end-encrypted documents. It stores only ciphertext, per tenant, in ${engine === 'pglite' ? 'its embedded database (PGlite)' : 'PostgreSQL'}.</p>
<ul><li>WebSocket sync: <code>/sync</code></li><li>Health: <code>/healthz</code>, readiness: <code>/readyz</code></li>
<li>HTTP API (accounts, sessions, devices, documents, grants, share links): <code>/v1/tenants/{tenant}/...</code>, described at <a href="/openapi.json"><code>/openapi.json</code></a></li></ul>
<p>Create an organisation with <code>coffre-relay tenant create --slug acme --name "Acme Corp"</code>; its first user to register becomes its admin.</p>
${app}
<p>For development without accounts, <code>./run relay token --tenant acme --user alice</code> mints a token (accepted unless the relay runs with <code>--no-dev-tokens</code>).</p>
</body></html>`;
}

/** The document a SyncStatus message acknowledges, or null for any other message. */
function acknowledgedDocument(message: Uint8Array): string | null {
  try {
    const decoder = decoding.createDecoder(message);
    const address = decoding.readVarString(decoder);
    if (decoding.readVarUint(decoder) !== SYNC_STATUS_MESSAGE) return null;
    const separator = address.indexOf('\0');
    return separator === -1 ? address : address.slice(0, separator);
  } catch {
    return null;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, code: ErrorCode): void {
  sendJson(response, status, { error: { code, message: ERROR_MESSAGES[code] } });
}
