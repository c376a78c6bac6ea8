import { mkdtemp, rm, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ready, generateSigningKeyPair, generateSymmetricKey, randomBytes } from '@coffre/crypto';
import {
  type AccessClaims,
  type DeviceId,
  type DocumentAddress,
  type DocumentId,
  type TenantRole,
  type UserId,
  deviceId,
  documentId,
  tenantId,
  userId,
} from '@coffre/protocol';
import {
  type AccountClient,
  type ContentEngine,
  DeviceDirectory,
  type DeviceIdentity,
  DocumentKeyring,
  EncryptedDocument,
  type EncryptedDocumentOptions,
} from '@coffre/client';
import {
  type RelayAccountsOptions,
  RelayServer,
  type RelayServerOptions,
  type SqlDatabase,
  type TokenKeys,
  createDatabase,
  FileSystemBlobStore,
  generateTokenKeys,
  mintAccessToken,
} from '@coffre/sync-server';

export const storageEngine = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/** The application-role URL for the admin DATABASE_URL (trust auth on the test machine). */
export function appDatabaseUrl(adminUrl: string, role = 'coffre_app'): string {
  const url = new URL(adminUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

export function randomId(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** The signed-in user of `account`; throws when it is signed out. */
export function signedInUserId(account: AccountClient): UserId {
  const id = account.session?.userId;
  if (id === undefined) throw new Error('signed out');
  return id;
}

/** A fresh document id: {@link randomId}, branded. */
export function randomDocumentId(prefix: string): DocumentId {
  return documentId(randomId(prefix));
}

export interface RelayHarness {
  relay: RelayServer;
  /** The WebSocket sync URL. */
  url: string;
  /** The HTTP base URL (accounts API). */
  httpUrl: string;
  port: number;
  keys: TokenKeys;
  dataDir: string;
  /** The Drive's blob folder (under `dataDir`). */
  blobDir: string;
  /** Everything the relay logged. */
  logs: () => string;
  token(claims: Partial<AccessClaims> & { tenant: string }, expiresIn?: number): Promise<string>;
  /** Stops the relay (graceful). */
  stop(): Promise<void>;
  /** Stops and deletes the data folder. */
  teardown(): Promise<void>;
}

export interface StartRelayOptions {
  dataDir?: string;
  keys?: TokenKeys;
  port?: number;
  compactionDebounceMs?: number;
  maxMessageBytes?: number;
  authenticationTimeoutMs?: number;
  database?: SqlDatabase;
  /** Overrides of the accounts API settings (token keys and server secret are the harness's own). */
  accounts?: Partial<RelayAccountsOptions>;
  /** Whether development tokens (no session) open documents; default true, as `harness.token` mints them. */
  allowDevelopmentTokens?: boolean;
  /** The built web app to serve at `/` (see RelayServerOptions.webApp). */
  webApp?: RelayServerOptions['webApp'];
  /** The organisation announced by `GET /v1/config` (create it yourself). */
  defaultTenant?: RelayServerOptions['defaultTenant'];
  /** Sync rate limits (default: the relay's own defaults). */
  syncRateLimits?: RelayServerOptions['syncRateLimits'];
  /** Bytes each organisation may keep in the Drive (default: no limit). */
  driveQuotaBytes?: number;
  driveMaxFileBytes?: number;
  /** A Drive sweep's grace period (default 0 here: tests start sweeps right after uploads). */
  driveSweepGraceMs?: number;
  /** How long a Drive sweep id stays good (default: the relay's, one hour). */
  driveSweepLifetimeMs?: number;
}

/** Limits high enough that a test file's requests from 127.0.0.1 never reach them; rate-limit tests set their own. */
const GENEROUS_RULE = { points: 100_000, durationSeconds: 60 };
export const GENEROUS_RATE_LIMITS = {
  loginPerAccount: GENEROUS_RULE,
  loginPerIp: GENEROUS_RULE,
  registerPerIp: GENEROUS_RULE,
  kdfPerIp: GENEROUS_RULE,
  refreshPerIp: GENEROUS_RULE,
  secondFactorPerUser: GENEROUS_RULE,
  linkSessionPerIp: GENEROUS_RULE,
  linkSessionPerLink: GENEROUS_RULE,
  chunkWritesPerUser: GENEROUS_RULE,
  chunkReadsPerUser: GENEROUS_RULE,
  driveSweepsPerUser: GENEROUS_RULE,
};

/** Starts a real relay on a loopback port, on PGlite in a temp folder or on DATABASE_URL. */
export async function startRelay(options: StartRelayOptions = {}): Promise<RelayHarness> {
  await ready();
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'coffre-relay-')));
  const adminUrl = process.env.DATABASE_URL;
  const database =
    options.database ??
    (await createDatabase(
      adminUrl
        ? { databaseUrl: appDatabaseUrl(adminUrl), adminDatabaseUrl: adminUrl }
        : { dataDir: join(dataDir, 'pglite') },
    ));
  const keys = options.keys ?? (await generateTokenKeys());
  const blobDir = join(dataDir, 'blobs');
  let logText = '';
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logText += chunk.toString();
      callback();
    },
  });
  const relay = new RelayServer({
    database,
    tokenPublicKey: keys.publicKey,
    port: options.port ?? 0,
    logger: pino({ level: 'debug' }, logStream),
    compactionDebounceMs: options.compactionDebounceMs ?? 200,
    maxMessageBytes: options.maxMessageBytes,
    authenticationTimeoutMs: options.authenticationTimeoutMs,
    allowDevelopmentTokens: options.allowDevelopmentTokens ?? true,
    webApp: options.webApp,
    defaultTenant: options.defaultTenant,
    syncRateLimits: options.syncRateLimits,
    drive: {
      blobs: new FileSystemBlobStore(blobDir),
      quotaBytes: options.driveQuotaBytes ?? null,
      maxFileBytes: options.driveMaxFileBytes ?? null,
      sweepGraceMs: options.driveSweepGraceMs ?? 0,
      sweepLifetimeMs: options.driveSweepLifetimeMs,
    },
    accounts: {
      tokenKeys: keys,
      serverSecret: randomBytes(32),
      ...options.accounts,
      rateLimits: { ...GENEROUS_RATE_LIMITS, ...options.accounts?.rateLimits },
    },
  });
  const port = await relay.listen();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await relay.stop();
  };
  return {
    relay,
    url: `ws://127.0.0.1:${port}/sync`,
    httpUrl: `http://127.0.0.1:${port}`,
    port,
    keys,
    dataDir,
    blobDir,
    logs: () => logText,
    token: (claims, expiresIn = 600) =>
      mintAccessToken(
        keys,
        {
          tenant: tenantId(claims.tenant),
          sub: claims.sub ?? userId('user-1'),
          role: claims.role ?? 'member',
          ...(claims.device ? { device: claims.device } : {}),
        },
        { expiresIn },
      ),
    stop,
    teardown: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Keys shared by the members of one test document: a document key and trusted devices. */
export class TestWorkspace {
  readonly address: DocumentAddress;
  readonly documentKey = generateSymmetricKey();
  readonly devices = new Map<DeviceId, DeviceIdentity>();
  /** One directory for every member, so a device added later is trusted by clients opened earlier. */
  readonly #directory = new DeviceDirectory();

  constructor(tenant = randomId('tenant'), document = randomId('doc')) {
    this.address = { tenantId: tenantId(tenant), documentId: documentId(document) };
  }

  addDevice(name = randomId('device')): DeviceIdentity {
    const identity: DeviceIdentity = { id: deviceId(name), signingKeyPair: generateSigningKeyPair() };
    this.devices.set(identity.id, identity);
    this.#directory.set(identity.id, identity.signingKeyPair.publicKey);
    return identity;
  }

  directory(): DeviceDirectory {
    return this.#directory;
  }

  keyring(): DocumentKeyring {
    return new DocumentKeyring([[0, this.documentKey]]);
  }
}

export interface OpenClientOptions<E extends ContentEngine> {
  harness: RelayHarness;
  workspace: TestWorkspace;
  engine: E;
  device?: DeviceIdentity;
  role?: TenantRole;
  /** The token, or how to get one each time the client signs in. */
  token?: string | (() => Promise<string>);
  extra?: Partial<EncryptedDocumentOptions<E>>;
}

/** Opens an EncryptedDocument through the relay, as a member of the workspace. */
export async function openClient<E extends ContentEngine>(
  options: OpenClientOptions<E>,
): Promise<EncryptedDocument<E>> {
  const device = options.device ?? options.workspace.addDevice();
  const token =
    options.token ??
    (await options.harness.token({
      tenant: options.workspace.address.tenantId,
      role: options.role ?? 'member',
      device: device.id,
    }));
  return new EncryptedDocument({
    address: options.workspace.address,
    engine: options.engine,
    device,
    keyring: options.workspace.keyring(),
    devices: options.workspace.directory(),
    url: options.harness.url,
    token,
    batchWindowMs: 5,
    ...options.extra,
  });
}

/** Every file under a folder, recursively, with its bytes. */
export async function readAllFiles(folder: string): Promise<{ path: string; bytes: Buffer }[]> {
  const out: { path: string; bytes: Buffer }[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && (await stat(path)).size > 0) out.push({ path, bytes: await readFile(path) });
    }
  };
  await walk(folder);
  return out;
}

/** Waits until `predicate` holds, checking on every event tick, for at most `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
