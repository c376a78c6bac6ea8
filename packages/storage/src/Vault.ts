import { SYMMETRIC_KEY_BYTES, open, seal } from '@coffre/crypto';

const encoder = new TextEncoder();

/**
 * Seals values with the local vault key (XChaCha20-Poly1305) before they
 * are stored. The associated data binds a value to its table and id, so a
 * sealed value copied to another row does not open.
 *
 * @example
 * const vault = new Vault(vaultKey);
 * await database.keyring.put({ id, sealed: vault.seal('keyring', id, documentKey) });
 */
export class Vault {
  readonly #key: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.length !== SYMMETRIC_KEY_BYTES) throw new RangeError(`the vault key must be ${SYMMETRIC_KEY_BYTES} bytes`);
    this.#key = key;
  }

  seal(table: string, id: string, plaintext: Uint8Array): Uint8Array {
    return seal(this.#key, plaintext, associatedData(table, id));
  }

  /** Throws `DecryptionError` when the value was tampered with, moved or sealed under another key. */
  open(table: string, id: string, sealed: Uint8Array): Uint8Array {
    return open(this.#key, sealed, associatedData(table, id));
  }
}

function associatedData(table: string, id: string): Uint8Array {
  // NUL cannot appear in a table name, so table/id pairs never collide.
  if (table.includes('\u0000')) throw new RangeError('invalid table name');
  return encoder.encode(`coffre-vault\u0000${table}\u0000${id}`);
}
