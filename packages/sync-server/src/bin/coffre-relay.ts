#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option, InvalidArgumentError } from 'commander';
import { deviceId, isTenantRole, TENANT_ROLES, type TenantId, tenantId, userId } from '@coffre/protocol';
import { createTenant, ensureTenant } from '../accounts/createTenant.ts';
import { S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from '../blobs/BlobStore.ts';
import { FileSystemBlobStore } from '../blobs/FileSystemBlobStore.ts';
import { S3BlobStore } from '../blobs/S3BlobStore.ts';
import { StaticSite } from '../http/StaticSite.ts';
import { loadOrCreateServerSecret, parseServerSecret } from '../accounts/serverSecret.ts';
import { loadOrCreateTokenKeys, mintAccessToken } from '../auth/TokenKeys.ts';
import { createLogger } from '../logger.ts';
import { RelayServer } from '../RelayServer.ts';
import { DEFAULT_SYNC_RATE_LIMITS } from '../sync/SyncRateLimiter.ts';
import { createDatabase, migrateDatabase, PostgresDatabase, type SqlDatabase } from '../storage/index.ts';

/** The web app as `./run start` builds it (`pnpm --filter @coffre/web build`). */
const BUILT_WEB_APP = fileURLToPath(new URL('../../../../apps/web/dist', import.meta.url));

const program = new Command()
  .name('coffre-relay')
  .description('The Coffre relay: syncs end-to-end-encrypted documents and stores only ciphertext, per tenant.')
  .showHelpAfterError();

const dataOption = () =>
  new Option('--data <dir>', 'data folder: embedded database (PGlite) and token keys')
    .env('COFFRE_DATA_DIR')
    .default('.data');
const databaseUrlOption = () =>
  new Option('--database-url <url>', 'PostgreSQL URL of the application role; PGlite in --data when unset').env(
    'DATABASE_URL',
  );
const tokenKeyOption = () =>
  new Option('--token-key-file <file>', 'Ed25519 token-signing key (JWK JSON); created when missing').env(
    'COFFRE_TOKEN_KEY_FILE',
  );

const adminDatabaseUrlOption = (description: string) =>
  new Option('--admin-database-url <url>', description).env('DATABASE_ADMIN_URL');

function tokenKeyFile(options: { data: string; tokenKeyFile?: string }): string {
  return resolve(options.tokenKeyFile ?? join(options.data, 'token-key.json'));
}

/** COFFRE_SERVER_SECRET when set, else the file (created when missing). */
async function serverSecret(options: { data: string; serverSecretFile?: string }): Promise<Uint8Array> {
  const fromEnvironment = process.env.COFFRE_SERVER_SECRET;
  if (fromEnvironment) return parseServerSecret(fromEnvironment);
  return loadOrCreateServerSecret(resolve(options.serverSecretFile ?? join(options.data, 'server-secret')));
}

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('not a positive integer');
  return number;
}

function parseHours(value: string): number {
  const hours = Number(value);
  if (!Number.isFinite(hours) || hours < 0) throw new InvalidArgumentError('not a number of hours (0 or more)');
  return hours;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('not a port number');
  return port;
}

program
  .command('serve')
  .description('Run the relay (WebSocket sync on /sync, the accounts API on /v1, /openapi.json, /healthz, /readyz).')
  .addOption(new Option('--port <port>', 'port to listen on').env('PORT').default(8787).argParser(parsePort))
  .addOption(new Option('--host <address>', 'address to bind').env('HOST').default('127.0.0.1'))
  .addOption(dataOption())
  .addOption(databaseUrlOption())
  .addOption(adminDatabaseUrlOption('PostgreSQL URL of an owner role: run migrations at start'))
  .addOption(tokenKeyOption())
  .addOption(
    new Option(
      '--server-secret-file <file>',
      'random secret for fake KDF salts and recovery-code hashes (created when missing; COFFRE_SERVER_SECRET overrides it)',
    ).env('COFFRE_SERVER_SECRET_FILE'),
  )
  .addOption(
    new Option('--access-token-seconds <seconds>', 'lifetime of issued access tokens')
      .env('COFFRE_ACCESS_TOKEN_SECONDS')
      .default(300)
      .argParser(parsePositiveInteger),
  )
  .addOption(
    new Option(
      '--no-dev-tokens',
      'refuse development tokens (minted by `coffre-relay token`, no session), which open any document of their ' +
        'tenant without being a member; accepted by default for now',
    ).env('COFFRE_NO_DEV_TOKENS'),
  )
  .addOption(
    new Option('--web-dir <dir>', 'folder of the built web app, served at / (the status page moves to /status)')
      .env('COFFRE_WEB_DIR')
      .default(BUILT_WEB_APP, 'apps/web/dist, when built'),
  )
  .addOption(
    new Option(
      '--default-tenant <slug>',
      'organisation created on start when missing, which the web app offers for sign-up (its first user becomes its admin)',
    )
      .env('COFFRE_DEFAULT_TENANT')
      .default('default'),
  )
  .addOption(
    new Option('--default-tenant-name <name>', 'display name of the default organisation when it is created')
      .env('COFFRE_DEFAULT_TENANT_NAME')
      .default('My organisation'),
  )
  .addOption(
    new Option('--no-default-tenant', 'create no organisation on start; the sign-up form then asks for one').env(
      'COFFRE_NO_DEFAULT_TENANT',
    ),
  )
  .addOption(
    new Option('--socket-messages-per-second <n>', 'messages one sync socket may send per second (over: closed, 4429)')
      .env('COFFRE_SOCKET_MESSAGES_PER_SECOND')
      .default(DEFAULT_SYNC_RATE_LIMITS.messagesPerSocket)
      .argParser(parsePositiveInteger),
  )
  .addOption(
    new Option('--socket-bytes-per-second <n>', 'bytes one sync socket may send per second')
      .env('COFFRE_SOCKET_BYTES_PER_SECOND')
      .default(DEFAULT_SYNC_RATE_LIMITS.bytesPerSocket)
      .argParser(parsePositiveInteger),
  )
  .addOption(
    new Option('--tenant-messages-per-second <n>', 'messages all sync sockets of one organisation may send per second')
      .env('COFFRE_TENANT_MESSAGES_PER_SECOND')
      .default(DEFAULT_SYNC_RATE_LIMITS.messagesPerTenant)
      .argParser(parsePositiveInteger),
  )
  .addOption(
    new Option('--tenant-bytes-per-second <n>', 'bytes all sync sockets of one organisation may send per second')
      .env('COFFRE_TENANT_BYTES_PER_SECOND')
      .default(DEFAULT_SYNC_RATE_LIMITS.bytesPerTenant)
      .argParser(parsePositiveInteger),
  )
  .addOption(
    new Option('--blob-dir <path>', "folder of the Drive's encrypted file chunks (default: <data>/blobs)").env(
      'COFFRE_BLOB_DIR',
    ),
  )
  .addOption(
    new Option(
      '--s3-bucket <name>',
      "keep the Drive's chunks in this bucket of an S3-compatible service instead of --blob-dir (credentials from " +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as the AWS SDK reads them)',
    ).env('COFFRE_S3_BUCKET'),
  )
  .addOption(new Option('--s3-endpoint <url>', 'the S3-compatible service (default: AWS)').env('COFFRE_S3_ENDPOINT'))
  .addOption(new Option('--s3-region <region>', 'its region').env('COFFRE_S3_REGION').default('us-east-1'))
  .addOption(
    new Option('--s3-prefix <prefix>', "put in front of every chunk's key (empty, or ending with /)")
      .env('COFFRE_S3_PREFIX')
      .default(''),
  )
  .addOption(
    new Option('--drive-quota-bytes <n>', 'bytes each organisation may keep in the Drive (default: no limit)')
      .env('COFFRE_DRIVE_QUOTA_BYTES')
      .argParser(parsePositiveInteger),
  )
  .addOption(
    new Option(
      '--drive-max-file-bytes <n>',
      'the largest file devices may upload to the Drive; they refuse a larger one before sending it (default: no limit)',
    )
      .env('COFFRE_DRIVE_MAX_FILE_BYTES')
      .argParser(parsePositiveInteger),
  )
  .addOption(
    new Option(
      '--drive-sweep-grace-hours <hours>',
      'garbage collection never releases a chunk claimed less than this before its sweep started: the longest a ' +
        "device may take to save a file's manifest after uploading its chunks (default 24)",
    )
      .env('COFFRE_DRIVE_SWEEP_GRACE_HOURS')
      .default(24)
      .argParser(parseHours),
  )
  .addOption(new Option('--log-level <level>', 'pino log level').env('LOG_LEVEL').default('info'))
  .action(
    async (options: {
      blobDir?: string;
      s3Bucket?: string;
      s3Endpoint?: string;
      s3Region: string;
      s3Prefix: string;
      driveQuotaBytes?: number;
      driveMaxFileBytes?: number;
      driveSweepGraceHours: number;
      socketMessagesPerSecond: number;
      socketBytesPerSecond: number;
      tenantMessagesPerSecond: number;
      tenantBytesPerSecond: number;
      webDir: string;
      defaultTenant: string | false;
      defaultTenantName: string;
      port: number;
      host: string;
      data: string;
      databaseUrl?: string;
      adminDatabaseUrl?: string;
      tokenKeyFile?: string;
      serverSecretFile?: string;
      accessTokenSeconds: number;
      devTokens: boolean;
      logLevel: string;
    }) => {
      const logger = createLogger(options.logLevel);
      if (options.devTokens) {
        logger.warn(
          'development tokens are accepted: anyone holding one opens any document of its tenant without being a ' +
            'member; start with --no-dev-tokens (COFFRE_NO_DEV_TOKENS=1) outside development',
        );
      }
      const database = await createDatabase({
        dataDir: options.databaseUrl ? undefined : resolve(options.data, 'pglite'),
        databaseUrl: options.databaseUrl,
        adminDatabaseUrl: options.adminDatabaseUrl,
      });
      let defaultTenant: TenantId | null = null;
      if (options.defaultTenant !== false) {
        defaultTenant = tenantId(options.defaultTenant);
        if (await ensureTenant(database, defaultTenant, options.defaultTenantName)) {
          logger.info({ tenant: defaultTenant }, 'created the default organisation; its first user becomes its admin');
        }
      }
      const webApp = openWebApp(options.webDir, logger);
      const keys = await loadOrCreateTokenKeys(tokenKeyFile(options));
      const relay = new RelayServer({
        webApp,
        defaultTenant,
        database,
        tokenPublicKey: keys.publicKey,
        port: options.port,
        host: options.host,
        logger,
        allowDevelopmentTokens: options.devTokens,
        syncRateLimits: {
          messagesPerSocket: options.socketMessagesPerSecond,
          bytesPerSocket: options.socketBytesPerSecond,
          messagesPerTenant: options.tenantMessagesPerSecond,
          bytesPerTenant: options.tenantBytesPerSecond,
        },
        accounts: {
          tokenKeys: keys,
          serverSecret: await serverSecret(options),
          accessTokenSeconds: options.accessTokenSeconds,
        },
        drive: {
          blobs: blobStore(options),
          quotaBytes: options.driveQuotaBytes ?? null,
          maxFileBytes: options.driveMaxFileBytes ?? null,
          sweepGraceMs: Math.round(options.driveSweepGraceHours * 60 * 60 * 1000),
        },
      });
      const port = await relay.listen();
      logger.info(
        {
          url: `ws://${options.host}:${port}/sync`,
          storage: options.databaseUrl ? 'postgres' : 'pglite',
          ...(webApp?.available ? { app: `http://${options.host}:${port}/` } : {}),
        },
        'ready',
      );
      const shutdown = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        relay.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
  );

program
  .command('migrate')
  .description('Apply database migrations and create the application role.')
  .addOption(dataOption())
  .addOption(
    new Option('--database-url <url>', 'PostgreSQL URL of an owner role; PGlite in --data when unset').env(
      'DATABASE_ADMIN_URL',
    ),
  )
  .addOption(new Option('--app-password <password>', 'password of the application role').env('COFFRE_APP_DB_PASSWORD'))
  .action(async (options: { data: string; databaseUrl?: string; appPassword?: string }) => {
    const applied = await migrateDatabase({
      dataDir: options.databaseUrl ? undefined : resolve(options.data, 'pglite'),
      adminDatabaseUrl: options.databaseUrl,
      appPassword: options.appPassword,
    });
    console.log(applied.length === 0 ? 'database is up to date' : `applied migrations: ${applied.join(', ')}`);
  });

program
  .command('token')
  .description(
    'Mint a signed development access token: it opens any document of its tenant on a relay started without ' +
      '--no-dev-tokens, and no API route.',
  )
  .requiredOption('--tenant <id>', 'tenant id')
  .requiredOption('--user <id>', 'user id')
  .addOption(new Option('--role <role>', 'role in the tenant').choices(TENANT_ROLES).default('member'))
  .option('--device <id>', 'device id')
  .addOption(new Option('--expires-in <seconds>', 'lifetime in seconds').default(3600).argParser(parsePositiveInteger))
  .addOption(dataOption())
  .addOption(tokenKeyOption())
  .action(
    async (options: {
      tenant: string;
      user: string;
      role: string;
      device?: string;
      expiresIn: number;
      data: string;
      tokenKeyFile?: string;
    }) => {
      if (!isTenantRole(options.role)) throw new InvalidArgumentError('unknown role');
      const keys = await loadOrCreateTokenKeys(tokenKeyFile(options));
      const token = await mintAccessToken(
        keys,
        {
          tenant: tenantId(options.tenant),
          sub: userId(options.user),
          role: options.role,
          ...(options.device ? { device: deviceId(options.device) } : {}),
        },
        { expiresIn: options.expiresIn },
      );
      console.log(token);
    },
  );

const tenant = program.command('tenant').description('Manage tenants (organisations).');

tenant
  .command('create')
  .description(
    'Create a tenant. Its slug is its id in URLs and document names; the first user to register in it becomes its ' +
      'tenant-admin. Uses the administrator connection on PostgreSQL, or the PGlite data folder (stop the relay first).',
  )
  .requiredOption('--slug <slug>', "the tenant id: 1-64 letters, digits, '-' or '_', e.g. acme")
  .requiredOption('--name <name>', 'display name, e.g. "Acme Corp"')
  .addOption(dataOption())
  .addOption(databaseUrlOption())
  .addOption(adminDatabaseUrlOption('PostgreSQL URL of an owner role (preferred over --database-url)'))
  .action(
    async (options: { slug: string; name: string; data: string; databaseUrl?: string; adminDatabaseUrl?: string }) => {
      const database = await openForAdministration(options);
      try {
        await createTenant(database, options.slug, options.name);
      } finally {
        await database.close();
      }
      console.log(`created tenant ${options.slug} (${options.name.trim()})`);
    },
  );

/** The built web app in `directory`, or null (with a word in the log) when there is none. */
function openWebApp(directory: string, logger: ReturnType<typeof createLogger>): StaticSite | null {
  const folder = resolve(directory);
  if (!existsSync(folder)) {
    logger.info({ webDir: folder }, 'no web app built: / shows the status page (./run start builds the app)');
    return null;
  }
  const site = new StaticSite(folder);
  if (!site.available) logger.warn({ webDir: folder }, 'the web folder has no index.html: / shows the status page');
  return site;
}

/**
 * PostgreSQL: the owner connection (migrated first) or else the application
 * role; PGlite: the data folder, migrated, as the application role.
 */
async function openForAdministration(options: {
  data: string;
  databaseUrl?: string;
  adminDatabaseUrl?: string;
}): Promise<SqlDatabase> {
  if (options.adminDatabaseUrl !== undefined) {
    await migrateDatabase({ adminDatabaseUrl: options.adminDatabaseUrl });
    return new PostgresDatabase({ connectionString: options.adminDatabaseUrl, max: 1 });
  }
  if (options.databaseUrl !== undefined) return createDatabase({ databaseUrl: options.databaseUrl });
  return createDatabase({ dataDir: resolve(options.data, 'pglite'), pgliteOnMainThread: true });
}

/** Where the Drive's chunks go: an S3-compatible bucket when one is named, else a folder (default under the data folder). */
function blobStore(options: {
  data: string;
  blobDir?: string;
  s3Bucket?: string;
  s3Endpoint?: string;
  s3Region: string;
  s3Prefix: string;
}): BlobStore {
  if (!options.s3Bucket) return new FileSystemBlobStore(resolve(options.blobDir ?? resolve(options.data, 'blobs')));
  const client = new S3Client({
    region: options.s3Region,
    ...(options.s3Endpoint ? { endpoint: options.s3Endpoint, forcePathStyle: true } : {}),
  });
  return new S3BlobStore({ client, bucket: options.s3Bucket, prefix: options.s3Prefix });
}

program.parseAsync().catch((error: unknown) => {
  console.error(`coffre-relay: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
