import {
  type BoxKeyPair,
  type SigningKeyPair,
  deriveKeyFromPassword,
  deriveSubkey,
  generateBoxKeyPair,
  generatePasswordSalt,
  generateSigningKeyPair,
  seal,
  toBase64Url,
} from '@coffre/crypto';
import type { SerializedSharingState, SharingStore } from '@coffre/client';
import type { LoginRequest, RegisterRequest, SessionResponse, TenantId } from '@coffre/protocol';
import { ERROR_MESSAGES, tenantId } from '@coffre/protocol';
import { expect } from 'vitest';
import type { RelayHarness } from './relayHarness.ts';

/** Cheap Argon2id for tests only. */
export const TEST_KDF = { opsLimit: 1, memLimit: 8 * 1024 * 1024 };

/**
 * Everything a client derives and holds for an account, computed the way the
 * real client does (Argon2id -> master key -> sub-keys), so tests can check
 * that none of the secrets reaches the relay's storage.
 */
export interface TestAccount {
  email: string;
  password: string;
  salt: Uint8Array;
  masterKey: Uint8Array;
  /** Sent to the relay at registration and login; stored there only as a keyed hash. */
  authKey: Uint8Array;
  /** Never leaves the client: seals the identity keys into the key bundle. */
  wrappingKey: Uint8Array;
  signing: SigningKeyPair;
  box: BoxKeyPair;
  keyBundle: Uint8Array;
  registerBody(deviceName?: string): RegisterRequest;
  loginBody(extra?: Partial<LoginRequest>): LoginRequest;
  /** The signing keys of the device the last registerBody or loginBody named: a member signs entries with them. */
  lastDeviceSigning(): SigningKeyPair;
}

/** A device's fresh public keys, as a registration or login sends them. */
export function testDevice(name = 'laptop', signing = generateSigningKeyPair()): RegisterRequest['device'] {
  return {
    name,
    signingPublicKey: toBase64Url(signing.publicKey),
    boxPublicKey: toBase64Url(generateBoxKeyPair().publicKey),
  };
}

/** Derives an account's client-side secrets (crypto `ready()` must have resolved). */
export function deriveTestAccount(email: string, password: string): TestAccount {
  const salt = generatePasswordSalt();
  const masterKey = deriveKeyFromPassword(password, salt, TEST_KDF);
  const authKey = deriveSubkey(masterKey, 1, 'authkey_');
  const wrappingKey = deriveSubkey(masterKey, 2, 'wrapkey_');
  const signing = generateSigningKeyPair();
  const box = generateBoxKeyPair();
  const identity = new Uint8Array([...signing.secretKey, ...box.secretKey]);
  const keyBundle = seal(wrappingKey, identity, new TextEncoder().encode(`coffre-key-bundle\0${email}`));
  let deviceSigning = generateSigningKeyPair();
  const nextDevice = (name: string) => testDevice(name, (deviceSigning = generateSigningKeyPair()));
  return {
    email,
    password,
    salt,
    masterKey,
    authKey,
    wrappingKey,
    signing,
    box,
    keyBundle,
    registerBody: (deviceName = 'laptop') => ({
      email,
      salt: toBase64Url(salt),
      kdf: TEST_KDF,
      authKey: toBase64Url(authKey),
      keyBundle: toBase64Url(keyBundle),
      signingPublicKey: toBase64Url(signing.publicKey),
      boxPublicKey: toBase64Url(box.publicKey),
      device: nextDevice(deviceName),
    }),
    loginBody: (extra = {}) => ({ email, authKey: toBase64Url(authKey), device: nextDevice('phone'), ...extra }),
    lastDeviceSigning: () => deviceSigning,
  };
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON (or empty: ''). */
  body: unknown;
}

export interface ApiRequestOptions {
  /** Serialised as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent as is (with `Content-Type: application/json` unless `headers` says otherwise). */
  raw?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** fetch against the relay's HTTP API. */
export class ApiClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  async request(method: string, path: string, options: ApiRequestOptions = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (options.json !== undefined) body = JSON.stringify(options.json);
    if (options.raw !== undefined) body = options.raw;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    Object.assign(headers, options.headers);
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? '' : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** POST that must succeed with `status`; returns the body. */
  async expectOk<T>(path: string, json: unknown, status = 200, token?: string): Promise<T> {
    const answer = await this.request('POST', path, { json, token });
    if (answer.status !== status) {
      throw new Error(`POST ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
    return answer.body as T;
  }
}

/** The error code of a JSON error answer, or a description of what came instead. */
export function errorCodeOf(answer: ApiAnswer): string {
  const body = answer.body as { error?: { code?: unknown; message?: unknown } } | null;
  if (typeof body?.error?.code === 'string' && typeof body.error.message === 'string') return body.error.code;
  return `not an error body: ${JSON.stringify(answer.body)}`;
}

/** Creates a tenant on the harness's relay. */
export async function createTestTenant(harness: RelayHarness, slug: string, name = slug): Promise<TenantId> {
  const accounts = harness.relay.accounts;
  if (!accounts) throw new Error('the relay was started without the accounts API');
  return accounts.createTenant(tenantId(slug), name);
}

/** Registers `account` in `tenant` and returns the session. */
export function registerAccount(api: ApiClient, tenant: string, account: TestAccount): Promise<SessionResponse> {
  return api.expectOk<SessionResponse>(`/v1/tenants/${tenant}/users`, account.registerBody(), 201);
}

/** Logs `account` in (a new device) and returns the session. */
export function loginAccount(
  api: ApiClient,
  tenant: string,
  account: TestAccount,
  extra: Partial<LoginRequest> = {},
): Promise<SessionResponse> {
  return api.expectOk<SessionResponse>(`/v1/tenants/${tenant}/sessions`, account.loginBody(extra));
}

/** Answered 429 RATE_LIMITED with the protocol sentence and a Retry-After of at most `maxRetryAfter` seconds. */
export function expectRateLimited(answer: ApiAnswer, maxRetryAfter: number): void {
  expect([answer.status, errorCodeOf(answer)]).toEqual([429, 'RATE_LIMITED']);
  expect((answer.body as { error: { message: string } }).error.message).toBe(ERROR_MESSAGES.RATE_LIMITED);
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(maxRetryAfter);
}

/** A sharing-state store kept in memory, as the CLI keeps it in a file and the web app in IndexedDB. */
export class MemoryStore implements SharingStore {
  saved: SerializedSharingState | null = null;
  load(): Promise<unknown> {
    return Promise.resolve(this.saved);
  }
  save(state: SerializedSharingState): Promise<void> {
    this.saved = state;
    return Promise.resolve();
  }
}
