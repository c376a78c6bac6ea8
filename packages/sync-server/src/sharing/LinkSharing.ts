import { constantTimeEqual, hash, randomBytes, ready, toBase64Url } from '@coffre/crypto';
import {
  CoffreError,
  type DocumentId,
  ErrorCode,
  type LinkId,
  type LinkInfoSchema,
  type LinkSessionResponseSchema,
  type TenantId,
  userId as toUserId,
} from '@coffre/protocol';
import type { z } from 'zod';
import type { AccountSession } from '../accounts/AccountSession.ts';
import { decodeBytes } from '../accounts/decodeBytes.ts';
import { mintAccessToken, type TokenKeys } from '../auth/TokenKeys.ts';
import type { TenantScope } from '../storage/TenantScope.ts';
import type { DocumentAccessChange } from './DocumentAccessChange.ts';
import { linkSessionId } from './linkSessionId.ts';
import type { CreateLinkRequest, LinkSessionRequest } from './requests.ts';
import { requireAccess } from './requireAccess.ts';
import type { SharingRepositories } from './sharingRepositories.ts';

export type LinkInfo = z.infer<typeof LinkInfoSchema>;
export type LinkSession = z.infer<typeof LinkSessionResponseSchema>;

export interface LinkSharingOptions {
  repositories: TenantScope<SharingRepositories>;
  tokenKeys: TokenKeys;
  tokenIssuer: string;
  linkTokenSeconds: number;
  onRevoked: (change: DocumentAccessChange) => void;
}

/**
 * Share links' rules: only an owner creates, lists and revokes them; a link
 * holds the document key of every epoch sealed for it; a link session is
 * granted for a matching access proof only, and an unknown link, a revoked
 * one and a wrong proof look the same. {@link SharingService} exposes these.
 */
export class LinkSharing {
  readonly #repositories: TenantScope<SharingRepositories>;
  readonly #tokenKeys: TokenKeys;
  readonly #issuer: string;
  readonly #linkTokenSeconds: number;
  readonly #onRevoked: (change: DocumentAccessChange) => void;
  #dummyVerifier: Promise<Uint8Array> | undefined;

  constructor(options: LinkSharingOptions) {
    this.#repositories = options.repositories;
    this.#tokenKeys = options.tokenKeys;
    this.#issuer = options.tokenIssuer;
    this.#linkTokenSeconds = options.linkTokenSeconds;
    this.#onRevoked = options.onRevoked;
  }

  /**
   * Creates a share link (owner only) with the document key of every epoch
   * from 0 to the current one sealed for it, and the hash of its access
   * proof to check link sessions against.
   */
  async create(session: AccountSession, documentId: DocumentId, request: CreateLinkRequest): Promise<LinkInfo> {
    const verifier = decodeBytes(request.verifier, 32, 32);
    const sealedKeys = request.sealedKeys.map((entry) => ({
      keyEpoch: entry.keyEpoch,
      sealedKey: decodeBytes(entry.sealedKey, 72, 72),
    }));
    const password = request.password
      ? { salt: decodeBytes(request.password.salt, 16, 16), kdf: request.password.kdf }
      : null;
    return this.#repositories.run(session.tenant, async ({ documents, links }) => {
      const { currentEpoch } = await requireAccess(documents, session, documentId, { owner: true, lock: true });
      const epochs = new Set(sealedKeys.map((entry) => entry.keyEpoch));
      const complete =
        epochs.size === sealedKeys.length &&
        sealedKeys.length === currentEpoch + 1 &&
        sealedKeys.every((entry) => entry.keyEpoch <= currentEpoch);
      if (!complete) {
        throw new CoffreError(
          ErrorCode.ValidationFailed,
          `Seal the document key of every epoch from 0 to ${currentEpoch} for the link, once each.`,
        );
      }
      const createdAt = await links.insert({
        id: request.linkId,
        documentId,
        role: request.role,
        verifier,
        password,
        createdBy: session.userId,
      });
      if (!createdAt) throw new CoffreError(ErrorCode.ValidationFailed, 'This link id is already used.');
      await links.insertKeys(request.linkId, sealedKeys);
      return {
        linkId: request.linkId,
        role: request.role,
        passwordProtected: password !== null,
        createdAt: createdAt.toISOString(),
      };
    });
  }

  /** The document's live (not revoked) links, oldest first (owner only). */
  async list(session: AccountSession, documentId: DocumentId): Promise<LinkInfo[]> {
    return this.#repositories.run(session.tenant, async ({ documents, links }) => {
      await requireAccess(documents, session, documentId, { owner: true });
      const rows = await links.listLive(documentId);
      return rows.map((row) => ({
        linkId: row.id,
        role: row.role,
        passwordProtected: row.password_salt !== null,
        createdAt: row.created_at.toISOString(),
      }));
    });
  }

  /** Revokes a live link of the document (owner only): its sealed keys are deleted, its connections close. */
  async revoke(session: AccountSession, documentId: DocumentId, linkId: LinkId): Promise<void> {
    await this.#repositories.run(session.tenant, async ({ documents, links }) => {
      await requireAccess(documents, session, documentId, { owner: true, lock: true });
      if (!(await links.isLive(linkId, documentId))) throw new CoffreError(ErrorCode.NotFound);
      await links.revoke([linkId]);
    });
    this.#onRevoked({ tenant: session.tenant, documentId, users: [], links: [linkId], document: false });
  }

  /**
   * Trades a link's access proof for a document-scoped token (no account
   * needed). The proof's hash is compared in constant time with the stored
   * verifier; an unknown link, a revoked one and a wrong proof all get the
   * same `NOT_FOUND` after the same work.
   */
  async session(tenant: TenantId, linkId: LinkId, request: LinkSessionRequest): Promise<LinkSession> {
    await ready();
    const candidate = hash(decodeBytes(request.accessProof, 32, 32), 32);
    const dummy = await this.#dummy();
    const found = await this.#repositories.run(tenant, async ({ users, devices, links }) => {
      const link = await links.liveForSession(linkId);
      const matches = constantTimeEqual(candidate, link?.verifier ?? dummy);
      if (!link || !matches) return null;
      const sealedKeys = await links.keys(linkId);
      // Everyone who was ever granted the document, with their revoked devices: what removed members and
      // replaced devices wrote stays readable through the link, as it does for members (`membership`).
      const authorsEver = await users.publicIdentities({ grantedIn: link.document_id });
      const certified = await devices.certifiedOf(
        authorsEver.map((author) => author.id),
        { revoked: true },
      );
      const authors = certified.map((device) => ({
        deviceId: device.id,
        signingPublicKey: toBase64Url(device.signing_public_key),
      }));
      return { link, sealedKeys, authors };
    });
    if (!found) throw new CoffreError(ErrorCode.NotFound);
    const { link, sealedKeys, authors } = found;
    const write = link.role === 'editor';
    const accessToken = await mintAccessToken(
      this.#tokenKeys,
      {
        sub: toUserId(`link-${linkId.slice(0, 16)}`),
        tenant,
        role: write ? 'member' : 'viewer',
        sid: linkSessionId(linkId),
        doc: link.document_id,
        access: write ? 'write' : 'read',
      },
      { issuer: this.#issuer, expiresIn: this.#linkTokenSeconds },
    );
    const session: LinkSession = {
      documentId: link.document_id,
      role: link.role,
      accessToken,
      expiresIn: this.#linkTokenSeconds,
      currentEpoch: link.current_epoch,
      sealedKeys: sealedKeys.map((key) => ({ keyEpoch: key.keyEpoch, sealedKey: toBase64Url(key.sealedKey) })),
      authors,
    };
    if (link.password_salt !== null && link.kdf_ops !== null && link.kdf_mem !== null) {
      session.password = {
        salt: toBase64Url(link.password_salt),
        kdf: { opsLimit: link.kdf_ops, memLimit: link.kdf_mem },
      };
    }
    return session;
  }

  /** A verifier no proof matches, compared against when the link is unknown (same work either way). */
  #dummy(): Promise<Uint8Array> {
    this.#dummyVerifier ??= ready().then(() => hash(randomBytes(32), 32));
    return this.#dummyVerifier;
  }
}
