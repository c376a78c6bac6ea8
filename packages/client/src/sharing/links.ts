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
import { type DocumentId, type LinkId, type TenantId, linkId, tenantId } from '@coffre/protocol';

/**
 * Link sharing. The link's URL fragment (never sent to a server) carries a
 * 32-byte secret. From it: the link id the relay knows, an access proof the
 * relay checks against a stored hash, and the key that seals the document
 * key for the link. With a password, the sealing key also depends on
 * Argon2id(password), so the URL alone opens nothing.
 */
export interface LinkSecrets {
  secret: Uint8Array;
  linkId: LinkId;
  /** Sent to the relay to obtain a link session; the relay stores only hash(accessProof). */
  accessProof: Uint8Array;
  /** Seals the document key for this link (before any password is mixed in). */
  sealingKey: Uint8Array;
}

export function deriveLinkSecrets(secret: Uint8Array): LinkSecrets {
  return {
    secret,
    linkId: linkId(toHex(deriveSubkey(secret, 1, 'link-id_', 16))),
    accessProof: deriveSubkey(secret, 2, 'linkauth'),
    sealingKey: deriveSubkey(secret, 3, 'link-key'),
  };
}

export function createLinkSecrets(): LinkSecrets {
  // A fragment starting with '-' or '_' (first byte 248 or more) reads as an option on a command line
  // (`coffre link open <organisation> <secret>`): draw again, at a cost of 0.05 bits of the 256.
  for (;;) {
    const secret = randomBytes(32);
    if ((secret[0] ?? 0) < 248) return deriveLinkSecrets(secret);
  }
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

const associatedData = (link: LinkId, documentId: DocumentId, keyEpoch: number) =>
  new TextEncoder().encode(`coffre/link-v1|${link}|${documentId}|${keyEpoch}`);

/** Seals a document key for a link (stored on the relay; opaque to it). */
export function sealKeyForLink(
  secrets: LinkSecrets,
  documentId: DocumentId,
  keyEpoch: number,
  documentKey: Uint8Array,
  password?: LinkPassword,
): Uint8Array {
  return sealKeyWithLinkKey(deriveLinkKey(secrets, password), secrets.linkId, documentId, keyEpoch, documentKey);
}

/** Opens a link's sealed document key; throws DecryptionError for a wrong password or another link. */
export function openKeyFromLink(
  secrets: LinkSecrets,
  documentId: DocumentId,
  keyEpoch: number,
  sealedKey: Uint8Array,
  password?: LinkPassword,
): Uint8Array {
  return openKeyWithLinkKey(deriveLinkKey(secrets, password), secrets.linkId, documentId, keyEpoch, sealedKey);
}

/** {@link sealKeyForLink} with a key from {@link deriveLinkKey}: how an owner re-seals a new epoch for a link. */
export function sealKeyWithLinkKey(
  linkKey: Uint8Array,
  link: LinkId,
  documentId: DocumentId,
  keyEpoch: number,
  documentKey: Uint8Array,
): Uint8Array {
  return seal(linkKey, documentKey, associatedData(link, documentId, keyEpoch));
}

/** {@link openKeyFromLink} with a key from {@link deriveLinkKey}; throws DecryptionError. */
export function openKeyWithLinkKey(
  linkKey: Uint8Array,
  link: LinkId,
  documentId: DocumentId,
  keyEpoch: number,
  sealedKey: Uint8Array,
): Uint8Array {
  return open(linkKey, sealedKey, associatedData(link, documentId, keyEpoch));
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
export function formatShareUrl(appUrl: string, tenant: TenantId, secrets: LinkSecrets): string {
  return `${appUrl.replace(/[#/]+$/, '')}/#/link/${encodeURIComponent(tenant)}/${formatLinkFragment(secrets)}`;
}

/** The tenant and fragment of a share URL from {@link formatShareUrl}, or null for anything else. */
export function parseShareUrl(url: string): { tenant: TenantId; fragment: string } | null {
  const match = SHARE_URL_PATH.exec(url.trim());
  if (!match?.[1]) return null;
  return { tenant: tenantId(match[1]), fragment: match[2] ?? '' };
}
