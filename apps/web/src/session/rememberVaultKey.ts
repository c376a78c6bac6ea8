/**
 * "Keep me signed in on this device": the vault key wrapped (AES-256-GCM)
 * by a browser key created non-extractable, both kept in IndexedDB.
 *
 * What it protects against: a script or extension can use the browser key
 * only while running in Coffre's origin, and cannot copy its raw bytes out;
 * a copy of the IndexedDB data alone does not hold the vault key in the clear.
 * What it does not: anyone who can use this browser profile (or copy it
 * whole, since the browser keeps the key's bytes in the profile) opens
 * Coffre as you without the password. Use it only on a device that is yours
 * and locked by its own password.
 */
export interface RememberedKey {
  /** Non-extractable AES-GCM key; IndexedDB stores it as an opaque handle. */
  key: CryptoKey;
  iv: Uint8Array;
  wrappedVaultKey: Uint8Array;
}

const WRAP_CONTEXT = new TextEncoder().encode('coffre-web remembered vault key/1');

export async function rememberVaultKey(vaultKey: Uint8Array): Promise<RememberedKey> {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapped = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: WRAP_CONTEXT },
    key,
    vaultKey as Uint8Array<ArrayBuffer>,
  );
  return { key, iv, wrappedVaultKey: new Uint8Array(wrapped) };
}

/** The vault key, or null when the remembered key does not open it (another browser, a cleared profile). */
export async function recallVaultKey(remembered: RememberedKey): Promise<Uint8Array | null> {
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: remembered.iv as Uint8Array<ArrayBuffer>, additionalData: WRAP_CONTEXT },
      remembered.key,
      remembered.wrappedVaultKey as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(plain);
  } catch {
    return null;
  }
}
