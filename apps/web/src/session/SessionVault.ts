import {
  type AccountKeyDerivation,
  type SharedSessionStore,
  type VaultKeyMaterial,
  Session,
  deriveAccountKeysInThread,
} from '@coffre/client';
import { DecryptionError, fromBase64Url, open, seal, toBase64Url } from '@coffre/crypto';
import type { KdfParams } from '@coffre/protocol';
import { KeyValueDatabase } from './KeyValueDatabase.ts';
import { type RememberedKey, rememberVaultKey, recallVaultKey } from './rememberVaultKey.ts';

/** The IndexedDB database of the web app's own state (documents live in @coffre/storage's databases). */
export const WEB_DATABASE_NAME = 'coffre-web';
const STORE = 'device';
const SESSION_KEY = 'session';
export const SEALED_SESSION_FORMAT = 'coffre-web-session/1';

/** What sits in IndexedDB: nothing in it signs in or reads a key without the password (or the remembered key). */
interface StoredSession {
  format: typeof SEALED_SESSION_FORMAT;
  tenant: string;
  email: string;
  /** The account's Argon2id salt (base64url) and parameters: with the password they give the vault key again. */
  salt: string;
  kdf: KdfParams;
  /** The serialized {@link Session} (tokens and private keys) sealed with the vault key. */
  sealedSession: Uint8Array;
  /** "Keep me signed in on this device": the vault key wrapped by a non-extractable browser key. */
  remembered: RememberedKey | null;
}

/** Who is locked out, shown on the unlock screen; holds no secret. */
export interface LockedAccount {
  tenant: string;
  email: string;
}

/** An opened session and the vault key that sealed it (the document layer seals its local data with the same key). */
export interface UnlockedSession {
  session: Session;
  vaultKey: Uint8Array;
}

/** The password did not open the saved session. */
export class WrongPasswordError extends Error {
  readonly code = 'WRONG_VAULT_PASSWORD';
  constructor() {
    super('That password does not unlock this device. Use the password of the account shown above.');
    this.name = 'WrongPasswordError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function associatedData(tenant: string, email: string): Uint8Array {
  return encoder.encode(`${SEALED_SESSION_FORMAT}\u0000${tenant}\u0000${email}`);
}

function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<StoredSession>;
  return (
    record.format === SEALED_SESSION_FORMAT &&
    typeof record.tenant === 'string' &&
    typeof record.email === 'string' &&
    typeof record.salt === 'string' &&
    typeof record.kdf === 'object' &&
    record.sealedSession instanceof Uint8Array
  );
}

/**
 * The signed-in session at rest: sealed (XChaCha20-Poly1305) with the
 * account's local vault key, which is derived from the password at login
 * and never stored in the clear. After a reload the session stays locked
 * until the password derives the vault key again, offline, from the salt
 * and parameters kept beside it. Optionally, the vault key is also wrapped
 * with a non-extractable AES-GCM key of this browser ("keep me signed in").
 *
 * @example
 * const vault = await SessionVault.open();
 * const locked = await vault.locked();            // who to ask for a password, or null
 * const { session, vaultKey } = await vault.unlock(password);
 */
export class SessionVault {
  readonly #database: KeyValueDatabase;
  readonly #deriveKeys: AccountKeyDerivation;

  private constructor(database: KeyValueDatabase, deriveKeys: AccountKeyDerivation) {
    this.#database = database;
    this.#deriveKeys = deriveKeys;
  }

  /** `deriveKeys` runs Argon2id at {@link unlock} (the app passes its Web Worker; in this thread by default). */
  static async open(
    name: string = WEB_DATABASE_NAME,
    options: { deriveKeys?: AccountKeyDerivation } = {},
  ): Promise<SessionVault> {
    return new SessionVault(await KeyValueDatabase.open(name, STORE), options.deriveKeys ?? deriveAccountKeysInThread);
  }

  /** The account of the saved session, or null when nobody is signed in on this device. */
  async locked(): Promise<LockedAccount | null> {
    const stored = await this.#read();
    return stored ? { tenant: stored.tenant, email: stored.email } : null;
  }

  /** Whether "keep me signed in" is on. */
  async isRemembered(): Promise<boolean> {
    return (await this.#read())?.remembered != null;
  }

  /**
   * Saves a new session sealed with the vault key of the sign-in that just
   * succeeded, replacing any earlier one, and remembers the key on this
   * device when asked.
   */
  async save(session: Session, material: VaultKeyMaterial, options: { remember: boolean }): Promise<void> {
    const stored: StoredSession = {
      format: SEALED_SESSION_FORMAT,
      tenant: session.tenant,
      email: session.email,
      salt: toBase64Url(material.salt),
      kdf: { opsLimit: material.kdf.opsLimit, memLimit: material.kdf.memLimit },
      sealedSession: sealSession(session, material.vaultKey),
      remembered: options.remember ? await rememberVaultKey(material.vaultKey) : null,
    };
    await this.#database.put(SESSION_KEY, stored);
  }

  /** Seals the session again after a token refresh (the refresh token rotated: the old one is useless). */
  async update(session: Session, vaultKey: Uint8Array): Promise<void> {
    const stored = await this.#read();
    if (!stored || stored.tenant !== session.tenant || stored.email !== session.email) return;
    await this.#database.put(SESSION_KEY, { ...stored, sealedSession: sealSession(session, vaultKey) });
  }

  /**
   * Derives the vault key from the password (Argon2id with the account's
   * salt and parameters, no network) and opens the saved session. Rejects
   * with {@link WrongPasswordError} when it does not open.
   */
  async unlock(password: string): Promise<UnlockedSession> {
    const stored = await this.#read();
    if (!stored) throw new Error('no session is saved on this device');
    const keys = await this.#deriveKeys(password, fromBase64Url(stored.salt), stored.kdf);
    keys.authKey.fill(0);
    keys.wrappingKey.fill(0);
    try {
      return { session: openSession(stored, keys.vaultKey), vaultKey: keys.vaultKey };
    } catch (error) {
      keys.vaultKey.fill(0);
      if (error instanceof DecryptionError) throw new WrongPasswordError();
      throw error;
    }
  }

  /** Opens the saved session with the remembered key, or null when there is none (or it no longer opens). */
  async unlockRemembered(): Promise<UnlockedSession | null> {
    const stored = await this.#read();
    if (!stored?.remembered) return null;
    const vaultKey = await recallVaultKey(stored.remembered);
    if (!vaultKey) return null;
    try {
      return { session: openSession(stored, vaultKey), vaultKey };
    } catch {
      vaultKey.fill(0);
      return null;
    }
  }

  /** Turns "keep me signed in" on or off for the saved session. */
  async setRemembered(vaultKey: Uint8Array | null): Promise<void> {
    const stored = await this.#read();
    if (!stored) return;
    await this.#database.put(SESSION_KEY, {
      ...stored,
      remembered: vaultKey ? await rememberVaultKey(vaultKey) : null,
    });
  }

  /** The saved session as another tab last sealed it, opened with this tab's vault key. */
  async read(vaultKey: Uint8Array): Promise<Session | null> {
    const stored = await this.#read();
    if (!stored) return null;
    try {
      return openSession(stored, vaultKey);
    } catch {
      return null;
    }
  }

  /**
   * What {@link AccountClient} needs so tabs of this browser share one
   * session: refreshes run under a Web Lock, and a tab adopts the tokens
   * another tab refreshed instead of replaying a rotated refresh token
   * (which would sign every tab out).
   */
  sharedStore(vaultKey: () => Uint8Array | null): SharedSessionStore {
    return {
      withLock: <T>(task: () => Promise<T>): Promise<T> =>
        typeof navigator !== 'undefined' && 'locks' in navigator
          ? navigator.locks.request('coffre-session-refresh', task)
          : task(),
      read: async () => {
        const key = vaultKey();
        return key ? this.read(key) : null;
      },
    };
  }

  /** Forgets the session on this device (after logout, revocation, or "not you?"). */
  async clear(): Promise<void> {
    await this.#database.delete(SESSION_KEY);
  }

  close(): void {
    this.#database.close();
  }

  async #read(): Promise<StoredSession | null> {
    const value = await this.#database.get<unknown>(SESSION_KEY);
    return isStoredSession(value) ? value : null;
  }
}

function sealSession(session: Session, vaultKey: Uint8Array): Uint8Array {
  const plaintext = encoder.encode(JSON.stringify(session.toJSON()));
  try {
    return seal(vaultKey, plaintext, associatedData(session.tenant, session.email));
  } finally {
    plaintext.fill(0);
  }
}

function openSession(stored: StoredSession, vaultKey: Uint8Array): Session {
  const plaintext = open(vaultKey, stored.sealedSession, associatedData(stored.tenant, stored.email));
  try {
    return Session.fromJSON(JSON.parse(decoder.decode(plaintext)));
  } finally {
    plaintext.fill(0);
  }
}
