/**
 * What a login costs, and where: the client's Argon2id derivation with the
 * production parameters (ACCOUNT_KDF_PARAMETERS) against the relay's work
 * per login (a keyed BLAKE2b of the authentication key, the user row, a new
 * device and refresh token, an EdDSA access token). The relay runs in this
 * process on PGlite in a temp folder (or DATABASE_URL), with rate limits
 * lifted so N logins of one account are allowed.
 *
 *   node tests/bench/login.ts [--logins N] [--derivations N]
 *
 * Prints the figures with ratios, then one JSON object on the last line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  fromBase64Url,
  generateSigningKeyPair,
  generateBoxKeyPair,
  randomBytes,
  ready,
  toBase64Url,
} from '@coffre/crypto';
import { KdfResponseSchema, type LoginRequest, SessionResponseSchema, apiPaths, tenantId } from '@coffre/protocol';
import { ACCOUNT_KDF_PARAMETERS, AccountClient, deriveAccountKeys } from '@coffre/client';
import { RelayServer, createDatabase, generateTokenKeys } from '@coffre/sync-server';
import { pino } from 'pino';
import { appDatabaseUrl, storageEngine } from '../integration/support/relayHarness.ts';
import { percentile } from './trace.ts';

const { values: args } = parseArgs({
  options: {
    logins: { type: 'string', default: '200' },
    derivations: { type: 'string', default: '5' },
  },
});
const logins = Number(args.logins);
const derivations = Number(args.derivations);
const PASSWORD = 'correct horse battery staple';
const LIFTED = { points: 1_000_000, durationSeconds: 1 };

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => percentile(sorted(values), 0.5);
const ms = (value: number) => `${value.toFixed(2)} ms`;

await ready();

// 1. The client: Argon2id + two BLAKE2b sub-keys, production parameters.
const salt = randomBytes(16);
const deriveTimes: number[] = [];
for (let index = 0; index < derivations; index += 1) {
  const start = performance.now();
  deriveAccountKeys(PASSWORD, salt, ACCOUNT_KDF_PARAMETERS);
  deriveTimes.push(performance.now() - start);
}
const clientDeriveMs = median(deriveTimes);

// 2. A real relay with the accounts API.
const dataDir = await mkdtemp(join(tmpdir(), 'coffre-bench-login-'));
const adminUrl = process.env.DATABASE_URL;
const database = await createDatabase(
  adminUrl
    ? { databaseUrl: appDatabaseUrl(adminUrl), adminDatabaseUrl: adminUrl }
    : { dataDir: join(dataDir, 'pglite') },
);
const tokenKeys = await generateTokenKeys();
const relay = new RelayServer({
  database,
  tokenPublicKey: tokenKeys.publicKey,
  port: 0,
  logger: pino({ level: 'silent' }),
  accounts: {
    tokenKeys,
    serverSecret: randomBytes(32),
    rateLimits: {
      loginPerAccount: LIFTED,
      loginPerIp: LIFTED,
      registerPerIp: LIFTED,
      kdfPerIp: LIFTED,
      refreshPerIp: LIFTED,
    },
  },
});
const port = await relay.listen();
const baseUrl = `http://127.0.0.1:${port}`;
const accounts = relay.accounts;
if (!accounts) throw new Error('the relay has no accounts API');
const tenant = tenantId(`bench-${Date.now().toString(36)}`);
await accounts.createTenant(tenant, 'Login benchmark');

try {
  const email = 'bench@example.test';
  const client = new AccountClient({ baseUrl });
  await client.register(tenant, email, PASSWORD, 'bench');
  client.close();

  // The authentication key, derived once: the requests below measure the relay alone.
  const kdfResponse = await fetch(`${baseUrl}${apiPaths.kdf(tenant)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  const kdf = KdfResponseSchema.parse(await kdfResponse.json());
  const { authKey } = deriveAccountKeys(PASSWORD, fromBase64Url(kdf.salt), kdf.kdf);
  const loginRequest = (): LoginRequest => ({
    email,
    authKey: toBase64Url(authKey),
    device: {
      name: 'bench',
      signingPublicKey: toBase64Url(generateSigningKeyPair().publicKey),
      boxPublicKey: toBase64Url(generateBoxKeyPair().publicKey),
    },
  });

  // 3. POST /sessions over HTTP: wall time per request, client derivation excluded.
  const httpTimes: number[] = [];
  for (let index = 0; index < logins; index += 1) {
    const body = JSON.stringify(loginRequest());
    const start = performance.now();
    const response = await fetch(`${baseUrl}${apiPaths.sessions(tenant)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const json: unknown = await response.json();
    httpTimes.push(performance.now() - start);
    if (!response.ok || !SessionResponseSchema.safeParse(json).success) {
      throw new Error(`login ${index} failed: ${response.status} ${JSON.stringify(json)}`);
    }
  }

  // 4. The relay's login service called directly: no HTTP, no JSON over the wire.
  const serviceTimes: number[] = [];
  for (let index = 0; index < logins; index += 1) {
    const request = loginRequest();
    const start = performance.now();
    await accounts.login(tenant, request);
    serviceTimes.push(performance.now() - start);
  }

  // 5. A whole client login (KDF look-up, derivation, POST, opening the key bundle).
  const fullTimes: number[] = [];
  for (let index = 0; index < derivations; index += 1) {
    const loginClient = new AccountClient({ baseUrl });
    const start = performance.now();
    await loginClient.login(tenant, email, PASSWORD, { deviceName: 'bench' });
    fullTimes.push(performance.now() - start);
  }

  const httpMedian = median(httpTimes);
  const httpP95 = percentile(sorted(httpTimes), 0.95);
  const serviceMedian = median(serviceTimes);
  const fullMedian = median(fullTimes);

  console.log(
    `login cost (${storageEngine}, Argon2id ${ACCOUNT_KDF_PARAMETERS.opsLimit} passes / ${ACCOUNT_KDF_PARAMETERS.memLimit / 1024 / 1024} MiB)`,
  );
  console.log(`| figure | time | client derivation / figure |`);
  console.log(`|---|---|---|`);
  console.log(`| client Argon2id + sub-keys, median of ${derivations} | ${ms(clientDeriveMs)} | 1x |`);
  console.log(
    `| relay POST /sessions over HTTP, median of ${logins} | ${ms(httpMedian)} | ${(clientDeriveMs / httpMedian).toFixed(1)}x |`,
  );
  console.log(`| relay POST /sessions over HTTP, p95 | ${ms(httpP95)} | ${(clientDeriveMs / httpP95).toFixed(1)}x |`);
  console.log(
    `| relay AccountService.login, median of ${logins} | ${ms(serviceMedian)} | ${(clientDeriveMs / serviceMedian).toFixed(1)}x |`,
  );
  // Not "whole minus derivation": the two medians come from different runs and their noise exceeds the relay's share.
  console.log(
    `| whole client login (KDF look-up, derivation, POST, bundle), median of ${derivations} | ${ms(fullMedian)} | ${(clientDeriveMs / fullMedian).toFixed(2)}x |`,
  );
  console.log(
    JSON.stringify({
      bench: 'login',
      storage: storageEngine,
      kdf: ACCOUNT_KDF_PARAMETERS,
      logins,
      clientDeriveMedianMs: Number(clientDeriveMs.toFixed(2)),
      relayHttpMedianMs: Number(httpMedian.toFixed(2)),
      relayHttpP95Ms: Number(httpP95.toFixed(2)),
      relayServiceMedianMs: Number(serviceMedian.toFixed(2)),
      fullClientLoginMedianMs: Number(fullMedian.toFixed(2)),
      clientToRelayHttpRatio: Number((clientDeriveMs / httpMedian).toFixed(2)),
      clientToRelayServiceRatio: Number((clientDeriveMs / serviceMedian).toFixed(2)),
    }),
  );
} finally {
  await relay.stop();
  await rm(dataDir, { recursive: true, force: true });
}
