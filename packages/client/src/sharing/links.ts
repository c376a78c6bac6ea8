import {
  type Argon2idParameters,
  deriveKeyFromPassword,
  deriveSubkey,
  fromBase64Url,
  hash,
  open,
  randomBytes,
  seal,
  toBase64Url,
  toHex,
} from '@coffre/crypto';

/**
 * Link sharing. The link's URL fragment (never sent to a server) carries a
 * 32-byte secret. From it: the link id the relay knows, an access proof the
 * relay checks against a stored hash, and the key that seals the document
 * key for the link. With a password, the sealing key also depends on
 * Argon2id(password), so the URL alone opens nothing.
 */
export interface LinkSecrets {
  secret: Uint8Array;
  linkId: string;
  /** Sent to the relay to obtain a link session; the relay stores only hash(accessProof). */
  accessProof: Uint8Array;
  /** Seals the document key for this link (before any password is mixed in). */
  sealingKey: Uint8Array;
}

export function deriveLinkSecrets(secret: Uint8Array): LinkSecrets {
  return {
    secret,
    linkId: toHex(deriveSubkey(secret, 1, 'link-id_', 16)),
    accessProof: deriveSubkey(secret, 2, 'linkauth'),
    sealingKey: deriveSubkey(secret, 3, 'link-key'),
  };
}

export function createLinkSecrets(): LinkSecrets {
  return deriveLinkSecrets(randomBytes(32));
}

/** The verifier the relay stores for a link. */
export function linkVerifier(accessProof: Uint8Array): Uint8Array {
  return hash(accessProof, 32);
}

/** `#` fragment of a share URL: the secret, base64url. */
export function formatLinkFragment(secrets: LinkSecrets): string {
  return toBase64Url(secrets.secret);
}

export function parseLinkFragment(fragment: string): LinkSecrets {
  const secret = fromBase64Url(fragment.replace(/^#/, ''));
  if (secret.length !== 32) throw new RangeError('this link is incomplete');
  return deriveLinkSecrets(secret);
}

export interface LinkPassword {
  password: string;
  salt: Uint8Array;
  parameters: Argon2idParameters;
}

/**
 * The key that seals a link's document keys: the link's sealing key, mixed
 * with Argon2id(password) when the link has a password. Derive it once per
 * link (Argon2id is slow on purpose) and seal or open every epoch with it.
 */
export function deriveLinkKey(secrets: LinkSecrets, password?: LinkPassword): Uint8Array {
  if (!password) return secrets.sealingKey;
  const stretched = deriveKeyFromPassword(password.password, password.salt, password.parameters);
  const both = new Uint8Array(64);
  both.set(secrets.sealingKey, 0);
  both.set(stretched, 32);
  return hash(both, 32);
}

const associatedData = (linkId: string, documentId: string, keyEpoch: number) =>
  new TextEncoder().encode(`coffre/link-v1|${linkId}|${documentId}|${keyEpoch}`);

/** Seals a document key for a link (stored on the relay; opaque to it). */
export function sealKeyForLink(
  secrets: LinkSecrets,
  documentId: string,
  keyEpoch: number,
  documentKey: Uint8Array,
  password?: LinkPassword,
): Uint8Array {
  return sealKeyWithLinkKey(deriveLinkKey(secrets, password), secrets.linkId, documentId, keyEpoch, documentKey);
}

/** Opens a link's sealed document key; throws DecryptionError for a wrong password or another link. */
export function openKeyFromLink(
  secrets: LinkSecrets,
  documentId: string,
  keyEpoch: number,
  sealedKey: Uint8Array,
  password?: LinkPassword,
): Uint8Array {
  return openKeyWithLinkKey(deriveLinkKey(secrets, password), secrets.linkId, documentId, keyEpoch, sealedKey);
}

/** {@link sealKeyForLink} with a key from {@link deriveLinkKey}: how an owner re-seals a new epoch for a link. */
export function sealKeyWithLinkKey(
  linkKey: Uint8Array,
  linkId: string,
  documentId: string,
  keyEpoch: number,
  documentKey: Uint8Array,
): Uint8Array {
  return seal(linkKey, documentKey, associatedData(linkId, documentId, keyEpoch));
}

/** {@link openKeyFromLink} with a key from {@link deriveLinkKey}; throws DecryptionError. */
export function openKeyWithLinkKey(
  linkKey: Uint8Array,
  linkId: string,
  documentId: string,
  keyEpoch: number,
  sealedKey: Uint8Array,
): Uint8Array {
  return open(linkKey, sealedKey, associatedData(linkId, documentId, keyEpoch));
}

const SHARE_URL_PATH = /#\/link\/([A-Za-z0-9][A-Za-z0-9_-]{0,63})\/([A-Za-z0-9_-]+)$/;

/**
 * The address to send someone: `<app>/#/link/<tenant>/<secret>`. Everything
 * after `#` stays in the browser (it is never sent to a server), so the relay
 * serving the app never sees the secret.
 *
 * @example
 * formatShareUrl('https://relay.example', 'acme', secrets) // 'https://relay.example/#/link/acme/3q2-...'
 */
export function formatShareUrl(appUrl: string, tenant: string, secrets: LinkSecrets): string {
  return `${appUrl.replace(/[#/]+$/, '')}/#/link/${encodeURIComponent(tenant)}/${formatLinkFragment(secrets)}`;
}

/** The tenant and fragment of a share URL from {@link formatShareUrl}, or null for anything else. */
export function parseShareUrl(url: string): { tenant: string; fragment: string } | null {
  const match = SHARE_URL_PATH.exec(url.trim());
  if (!match) return null;
  return { tenant: match[1] ?? '', fragment: match[2] ?? '' };
}
