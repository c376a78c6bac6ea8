import { fromBase64Url, toBase64Url } from '@coffre/crypto';
import {
  type DeviceId,
  type DocumentAddress,
  type DocumentId,
  LinkSessionResponseSchema,
  deviceId,
  documentId as parseDocumentId,
  isValidId,
  sharingPaths,
  tenantId as parseTenantId,
} from '@coffre/protocol';
import type { z } from 'zod';
import { AccountError } from '../account/AccountError.ts';
import { type FetchFunction, RelayApi } from '../account/RelayApi.ts';
import { EncryptedDocument, type EncryptedDocumentOptions } from '../EncryptedDocument.ts';
import { DriveClient } from '../files/DriveClient.ts';
import type { ContentEngine } from '../engines/ContentEngine.ts';
import { DeviceDirectory, DocumentKeyring } from '../keys.ts';
import { settle, trackedToken } from '../settle.ts';
import { syncUrlFor } from '../syncUrlFor.ts';
import { createLinkDevice, linkDevicePublicKey } from './linkDevice.ts';
import { OpenDocuments, encryptedDocumentCopy } from './OpenDocuments.ts';
import { type LinkSecrets, deriveLinkKey, openKeyWithLinkKey, parseLinkFragment, parseShareUrl } from './links.ts';

type LinkSession = z.infer<typeof LinkSessionResponseSchema>;

/** Refresh the link session this long before its token expires. */
const TOKEN_MARGIN_MS = 30_000;

export interface OpenLinkOptions<E extends ContentEngine> {
  /** The relay's HTTP address. */
  baseUrl: string;
  /** The organisation of the link (in a share URL: `#/link/<tenant>/<fragment>`). */
  tenant: string;
  /** The link's secret: the URL fragment, with or without `#`, or a whole share URL. */
  fragment: string;
  engine: E;
  /** Needed when the link was created with one. */
  password?: string;
  fetch?: FetchFunction;
  /** Relay WebSocket URL; by default `baseUrl` with ws(s): and /sync. */
  syncUrl?: string;
  /** Milliseconds to wait for the document to load (default 30 s). */
  timeoutMs?: number;
  /** Anything else EncryptedDocument takes. */
  extra?: Partial<EncryptedDocumentOptions<E>>;
}

export interface OpenedLink<E extends ContentEngine> {
  document: EncryptedDocument<E>;
  documentId: DocumentId;
  /** `viewer` links connect read-only: local edits are never stored. */
  role: 'viewer' | 'editor';
  /** The document's chunks (its attached images) with the link's token: downloads only, the relay takes no upload from a link. */
  chunks: DriveClient;
}

function linkSecretsFrom(fragment: string): LinkSecrets {
  const fromUrl = parseShareUrl(fragment);
  try {
    return parseLinkFragment(fromUrl ? fromUrl.fragment : fragment.trim());
  } catch (error) {
    throw new AccountError('LINK_INVALID', { cause: error });
  }
}

/** The key that opens the link's sealed document keys; the password (when the link has one) is stretched here, once. */
function linkKeyFor(session: LinkSession, secrets: LinkSecrets, password: string | undefined): Uint8Array {
  if (!session.password) return deriveLinkKey(secrets);
  if (password === undefined) throw new AccountError('LINK_PASSWORD_REQUIRED');
  try {
    return deriveLinkKey(secrets, {
      password,
      salt: fromBase64Url(session.password.salt),
      parameters: session.password.kdf,
    });
  } catch (error) {
    throw new AccountError('INVALID_RESPONSE', { detail: 'the link password parameters are not usable', cause: error });
  }
}

/** The document keys sealed for the link that open (an older epoch that does not open leaves its entries unread). */
function linkKeys(
  session: LinkSession,
  documentId: DocumentId,
  secrets: LinkSecrets,
  linkKey: Uint8Array,
): [number, Uint8Array][] {
  const keys: [number, Uint8Array][] = [];
  for (const { keyEpoch, sealedKey } of session.sealedKeys) {
    try {
      keys.push([
        keyEpoch,
        openKeyWithLinkKey(linkKey, secrets.linkId, documentId, keyEpoch, fromBase64Url(sealedKey)),
      ]);
    } catch {
      // Checked in openLinkKeys for the current epoch.
    }
  }
  return keys;
}

/** The link's keys of every epoch; the current one must open. */
function openLinkKeys(
  session: LinkSession,
  documentId: DocumentId,
  secrets: LinkSecrets,
  linkKey: Uint8Array,
): DocumentKeyring {
  const keyring = new DocumentKeyring(linkKeys(session, documentId, secrets, linkKey));
  if (keyring.get(session.currentEpoch)) return keyring;
  if (!session.sealedKeys.some((sealed) => sealed.keyEpoch === session.currentEpoch)) {
    throw new AccountError('NO_DOCUMENT_KEY', { detail: `the link holds no key for epoch ${session.currentEpoch}` });
  }
  throw new AccountError(session.password ? 'LINK_PASSWORD_WRONG' : 'LINK_INVALID');
}

/**
 * The members' devices as the relay serves them to a link session (no
 * identities, so nothing to check them against: see {@link openLink}).
 */
function linkAuthors(session: LinkSession): [DeviceId, Uint8Array][] {
  return session.authors
    .filter((author) => isValidId(author.deviceId))
    .map((author) => [deviceId(author.deviceId), fromBase64Url(author.signingPublicKey)]);
}

/**
 * Opens a document through a share link, without an account: proves the
 * link secret to the relay (which knows only its hash) for a token scoped
 * to the one document, opens the document keys sealed for the link (with
 * the password when it has one) and connects. Waits until the document has
 * loaded.
 *
 * The reader writes, if at all, as a throwaway device whose id is its
 * public key (see `createLinkDevice`). Authors' keys come from the relay
 * as bare device keys, without a safety-number check: a link reader has no
 * contacts to compare with, and learns no member's email or identity. The
 * relay still cannot forge an entry, since it holds no document key.
 *
 * After a key rotation (a member removed, another link revoked) the link
 * was re-sealed for the new epoch: an entry of an unknown epoch or device
 * makes the link fetch its session again (at most every 2 s), and the
 * entries that waited are read then. A revoked link's session is refused,
 * so its secret opens nothing written after the revocation.
 *
 * Rejects with an {@link AccountError}: `LINK_INVALID`,
 * `LINK_PASSWORD_REQUIRED`, `LINK_PASSWORD_WRONG`, `LINK_UNAVAILABLE` (a
 * revoked or unknown link), or the relay's code.
 *
 * @example
 * const { document } = await openLink({ baseUrl, tenant: 'acme', fragment: location.hash, engine: new YjsEngine() });
 */
export async function openLink<E extends ContentEngine>(options: OpenLinkOptions<E>): Promise<OpenedLink<E>> {
  const fromUrl = parseShareUrl(options.fragment);
  const tenant = fromUrl?.tenant ?? options.tenant;
  if (!isValidId(tenant)) throw new AccountError('LINK_INVALID', { detail: 'the organisation is not valid' });
  const secrets = linkSecretsFrom(options.fragment);
  const api = new RelayApi({ baseUrl: options.baseUrl, fetch: options.fetch });
  const startSession = () =>
    api.request({
      method: 'POST',
      path: sharingPaths.linkSession(tenant, secrets.linkId),
      body: { accessProof: toBase64Url(secrets.accessProof) },
      schema: LinkSessionResponseSchema,
    });
  let session: LinkSession;
  try {
    session = await startSession();
  } catch (error) {
    if (error instanceof AccountError && [401, 403, 404].includes(error.status ?? 0)) {
      throw new AccountError('LINK_UNAVAILABLE', { status: error.status, cause: error });
    }
    throw error;
  }
  if (!isValidId(session.documentId)) throw new AccountError('INVALID_RESPONSE', { detail: 'not a document id' });
  const address: DocumentAddress = {
    tenantId: parseTenantId(tenant),
    documentId: parseDocumentId(session.documentId),
  };
  let expiresAt = Date.now() + session.expiresIn * 1000;
  const linkKey = linkKeyFor(session, secrets, options.password);
  const keyring = openLinkKeys(session, address.documentId, secrets, linkKey);
  const devices = new DeviceDirectory(linkAuthors(session), { resolve: (id) => linkDevicePublicKey(id) });
  const open = new OpenDocuments(() => renew());
  /** A new session: a new token, and the keys and devices a rotation since brought. */
  const renew = async () => {
    session = await startSession();
    expiresAt = Date.now() + session.expiresIn * 1000;
    // The copies open are of the first session's document: a session naming another one updates none of them.
    if (session.documentId !== address.documentId) return;
    open.update(
      address.documentId,
      linkKeys(session, address.documentId, secrets, linkKey),
      new DeviceDirectory(linkAuthors(session)),
    );
  };
  /** The session's token, renewed shortly before it expires. */
  const linkToken = async () => {
    if (expiresAt - Date.now() <= TOKEN_MARGIN_MS) await renew();
    return session.accessToken;
  };
  const document: EncryptedDocument<E> = new EncryptedDocument({
    address,
    engine: options.engine,
    device: createLinkDevice(),
    keyring,
    devices,
    url: options.syncUrl ?? syncUrlFor(options.baseUrl),
    token: trackedToken(() => document, linkToken),
    ...options.extra,
  });
  open.add(address.documentId, encryptedDocumentCopy(document, keyring, devices));
  try {
    await settle(document, document.whenSynced(), options.timeoutMs ?? 30_000);
  } catch (error) {
    document.destroy();
    throw error;
  }
  const chunks = new DriveClient({
    api,
    token: linkToken,
    tenant: address.tenantId,
    space: address.documentId,
  });
  return { document, documentId: address.documentId, role: session.role, chunks };
}
