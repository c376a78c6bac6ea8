import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

/** Bytes of a generated server secret. */
export const SERVER_SECRET_BYTES = 32;

/** The server secret is not valid base64url text of at least {@link SERVER_SECRET_BYTES} bytes. */
export class InvalidServerSecretError extends Error {
  readonly code = 'INVALID_SERVER_SECRET';
  constructor(where: string) {
    super(`the server secret in ${where} must be base64url text of at least ${SERVER_SECRET_BYTES} random bytes`);
    this.name = 'InvalidServerSecretError';
  }
}

/**
 * Reads a server secret written as base64url (padding and standard base64
 * are accepted too). Throws {@link InvalidServerSecretError} when it decodes
 * to fewer than {@link SERVER_SECRET_BYTES} bytes.
 */
export function parseServerSecret(text: string, where = 'COFFRE_SERVER_SECRET'): Uint8Array {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9_+/-]+=*$/.test(trimmed)) throw new InvalidServerSecretError(where);
  const bytes = Buffer.from(trimmed.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url');
  if (bytes.byteLength < SERVER_SECRET_BYTES) throw new InvalidServerSecretError(where);
  return new Uint8Array(bytes);
}

/**
 * The relay's server secret: keys the fake KDF salts of unknown emails and
 * the hashes of recovery codes. Kept next to `token-key.json` (created with
 * mode 0600 on first use); back both up together: with a new secret, unused
 * recovery codes stop working.
 */
export async function loadOrCreateServerSecret(file: string): Promise<Uint8Array> {
  try {
    return parseServerSecret(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(SERVER_SECRET_BYTES);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return new Uint8Array(secret);
}
