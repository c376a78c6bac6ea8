import { fromBase64Url, generatePasswordSalt, generateSymmetricKey, toBase64Url } from '@coffre/crypto';
import {
  type DocumentAddress,
  type GrantWire,
  type LinkId,
  type UserId,
  LinkListResponseSchema,
  RotateResponseSchema,
  isDocumentRole,
  sharingPaths,
} from '@coffre/protocol';
import { AccountError } from '../account/AccountError.ts';
import type { AccessReader } from './AccessReader.ts';
import { contactRecord } from './ContactTrust.ts';
import { createGrant, grantToWire } from './grants.ts';
import {
  createLinkSecrets,
  deriveLinkKey,
  formatLinkFragment,
  formatShareUrl,
  linkVerifier,
  parseLinkFragment,
  sealKeyWithLinkKey,
} from './links.ts';
import type { WorkspaceContext } from './WorkspaceContext.ts';

/** What a key rotation did (removing a member, revoking a link). */
export interface RotationResult {
  currentEpoch: number;
  /** Links re-sealed for the new epoch (their secrets are kept here). */
  resealedLinks: LinkId[];
  /** Links the rotation revoked (created elsewhere, so their secrets are unknown here). */
  revokedLinks: LinkId[];
}

export interface CreateLinkOptions {
  role?: 'viewer' | 'editor';
  /** Also needed to open the link; stretched with Argon2id (the account's parameters, a fresh salt). */
  password?: string;
}

export interface CreatedLink {
  linkId: LinkId;
  role: 'viewer' | 'editor';
  /** The link's secret: what goes after `#`. */
  fragment: string;
  /** `<relay>/#/link/<tenant>/<fragment>`: the address to send. */
  url: string;
  passwordProtected: boolean;
}

export interface LinkSummary {
  linkId: LinkId;
  role: 'viewer' | 'editor';
  passwordProtected: boolean;
  createdAt: string;
  /** The share URL, when this client created the link and still holds its secret. */
  url?: string;
}

function invalid(detail: string): AccountError {
  return new AccountError('VALIDATION_FAILED', { detail });
}

/**
 * A document's share links and key rotations, as its owner makes them: the
 * links' secrets stay in the workspace's state, so a rotation re-seals the
 * new key for every link this client created.
 */
export class DocumentLinks {
  readonly #context: WorkspaceContext;
  readonly #access: AccessReader;

  constructor(context: WorkspaceContext, access: AccessReader) {
    this.#context = context;
    this.#access = access;
  }

  /**
   * Moves the document to a new random key for epoch current + 1, granted
   * to every remaining member (this user included), the links whose secrets
   * this client holds re-sealed, except the one revoked (the relay revokes
   * every link not re-sealed). Resolves with the new epoch's key, for the
   * copies open here; other members' copies and open links get it from the
   * relay's announcement or when they meet it.
   */
  async rotate(
    address: DocumentAddress,
    members: readonly { userId: UserId; role: string }[],
    change: { removeUserId?: UserId; revokeLinkId?: LinkId },
  ): Promise<{ result: RotationResult; epoch: number; key: Uint8Array }> {
    const session = this.#context.session();
    const { currentEpoch } = await this.#access.openGrants(address);
    const newEpoch = currentEpoch + 1;
    const newKey = generateSymmetricKey();
    const grants: GrantWire[] = [];
    for (const member of members) {
      if (member.userId === change.removeUserId) continue;
      let recipientBoxPublicKey: Uint8Array;
      if (member.userId === session.userId) {
        recipientBoxPublicKey = session.identity.box.publicKey;
      } else {
        const record = contactRecord(await this.#access.userKeys(member.userId));
        const check = this.#context.contacts.check(record);
        if (check.status === 'changed') {
          await this.#context.persist();
          throw this.#context.contacts.changedError(this.#context.contacts.change(record, check));
        }
        recipientBoxPublicKey = record.boxPublicKey;
      }
      const role = isDocumentRole(member.role) ? member.role : 'viewer';
      grants.push(
        grantToWire(
          createGrant({
            tenantId: address.tenantId,
            documentId: address.documentId,
            keyEpoch: newEpoch,
            granter: session.userId,
            recipient: member.userId,
            role,
            documentKey: newKey,
            recipientBoxPublicKey,
            granterSigningSecretKey: session.identity.signing.secretKey,
          }),
        ),
      );
    }
    const { links: relayLinks } = await this.#context.account.request({
      method: 'GET',
      path: sharingPaths.links(session.tenant, address.documentId),
      schema: LinkListResponseSchema,
    });
    if (change.revokeLinkId !== undefined && !relayLinks.some((link) => link.linkId === change.revokeLinkId)) {
      throw new AccountError('NOT_FOUND', { detail: 'this link is not a live link of the document' });
    }
    const links: { linkId: LinkId; keyEpoch: number; sealedKey: string }[] = [];
    const revokedLinks: LinkId[] = [];
    for (const link of relayLinks) {
      const stored = this.#context.state.links.get(link.linkId);
      if (link.linkId === change.revokeLinkId || !stored || stored.documentId !== address.documentId) {
        revokedLinks.push(link.linkId);
        continue;
      }
      const sealedKey = sealKeyWithLinkKey(
        fromBase64Url(stored.linkKey),
        link.linkId,
        address.documentId,
        newEpoch,
        newKey,
      );
      links.push({ linkId: link.linkId, keyEpoch: newEpoch, sealedKey: toBase64Url(sealedKey) });
    }
    const rotated = await this.#context.account.request({
      method: 'POST',
      path: sharingPaths.rotations(session.tenant, address.documentId),
      body: {
        removeUserIds: change.removeUserId === undefined ? [] : [change.removeUserId],
        newEpoch,
        grants,
        links,
      },
      schema: RotateResponseSchema,
    });
    const kept = new Set(links.map((link) => link.linkId));
    for (const stored of [...this.#context.state.links.values()]) {
      if (stored.documentId === address.documentId && !kept.has(stored.linkId))
        this.#context.state.links.delete(stored.linkId);
    }
    await this.#context.persist();
    return {
      result: { currentEpoch: rotated.currentEpoch, resealedLinks: [...kept], revokedLinks },
      epoch: newEpoch,
      key: newKey,
    };
  }
  /**
   * Creates a share link: a random secret for the URL fragment (never sent
   * to the relay), the key of every epoch sealed for it, optionally a
   * password (Argon2id with the account's parameters and a fresh salt).
   * The secret is kept here so the link survives key rotations.
   */
  async createLink(address: DocumentAddress, options: CreateLinkOptions = {}): Promise<CreatedLink> {
    const session = this.#context.session();
    const role = options.role ?? 'viewer';
    if (role !== 'viewer' && role !== 'editor') throw invalid('a link gives the viewer or editor role');
    if (options.password !== undefined && options.password.length === 0) {
      throw invalid('the link password must not be empty');
    }
    const { keys } = await this.#access.openGrants(address);
    const secrets = createLinkSecrets();
    const parameters = this.#context.account.kdfParameters;
    const salt = generatePasswordSalt();
    const linkKey =
      options.password === undefined
        ? deriveLinkKey(secrets)
        : deriveLinkKey(secrets, { password: options.password, salt, parameters });
    const sealedKeys = [...keys].map(([keyEpoch, documentKey]) => ({
      keyEpoch,
      sealedKey: toBase64Url(sealKeyWithLinkKey(linkKey, secrets.linkId, address.documentId, keyEpoch, documentKey)),
    }));
    await this.#context.account.request({
      method: 'POST',
      path: sharingPaths.links(session.tenant, address.documentId),
      body: {
        linkId: secrets.linkId,
        role,
        verifier: toBase64Url(linkVerifier(secrets.accessProof)),
        sealedKeys,
        ...(options.password === undefined
          ? {}
          : {
              password: {
                salt: toBase64Url(salt),
                kdf: { opsLimit: parameters.opsLimit, memLimit: parameters.memLimit },
              },
            }),
      },
    });
    this.#context.state.links.set(secrets.linkId, {
      linkId: secrets.linkId,
      documentId: address.documentId,
      role,
      secret: formatLinkFragment(secrets),
      linkKey: toBase64Url(linkKey),
      passwordProtected: options.password !== undefined,
      createdAt: new Date().toISOString(),
    });
    await this.#context.persist();
    return {
      linkId: secrets.linkId,
      role,
      fragment: formatLinkFragment(secrets),
      url: formatShareUrl(this.#context.account.api.baseUrl, session.tenant, secrets),
      passwordProtected: options.password !== undefined,
    };
  }
  /** A document's links; the URL of those this client created. */
  async listLinks(address: DocumentAddress): Promise<LinkSummary[]> {
    const session = this.#context.session();
    const { links } = await this.#context.account.request({
      method: 'GET',
      path: sharingPaths.links(session.tenant, address.documentId),
      schema: LinkListResponseSchema,
    });
    return links.map((link) => {
      const stored = this.#context.state.links.get(link.linkId);
      const url =
        stored && stored.documentId === address.documentId
          ? formatShareUrl(this.#context.account.api.baseUrl, session.tenant, parseLinkFragment(stored.secret))
          : undefined;
      return { ...link, ...(url === undefined ? {} : { url }) };
    });
  }
}
