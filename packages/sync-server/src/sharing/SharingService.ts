import type { z } from 'zod';
import { ready, verify } from '@coffre/crypto';
import {
  CoffreError,
  DEVICE_SIGNATURE_DOMAIN,
  type DeviceId,
  type DocumentId,
  type DocumentInfo,
  type DocumentMemberSchema,
  ErrorCode,
  type GrantListResponseSchema,
  type LinkId,
  type MembershipResponse,
  type TenantId,
  type UserId,
  type UserKeys,
  documentId as toDocumentId,
  encodeDeviceStatement,
  userId as toUserId,
} from '@coffre/protocol';
import type { AccountSession } from '../accounts/AccountSession.ts';
import { decodeBytes } from '../accounts/decodeBytes.ts';
import type { UserFilter, UserRepository } from '../accounts/UserRepository.ts';
import { DEFAULT_ISSUER, type TokenKeys } from '../auth/TokenKeys.ts';
import type { SqlDatabase } from '../storage/SqlDatabase.ts';
import type { TenantScope } from '../storage/TenantScope.ts';
import { checkRotation } from './checkRotation.ts';
import type { DocumentAccessChange } from './DocumentAccessChange.ts';
import { checkGrantSignatures, decodeGrant, grantToWire } from './grants.ts';
import { type LinkInfo, type LinkSession, LinkSharing } from './LinkSharing.ts';
import type { MemberRepository } from './MemberRepository.ts';
import type {
  AddMemberRequest,
  CertifyDeviceRequest,
  CreateDocumentRequest,
  CreateLinkRequest,
  LinkSessionRequest,
  RotateRequest,
} from './requests.ts';
import { requireAccess } from './requireAccess.ts';
import { type SharingRepositories, sharingRepositories } from './sharingRepositories.ts';
import { readUserKeys } from './userKeys.ts';

export type DocumentMember = z.infer<typeof DocumentMemberSchema>;
export type GrantList = z.infer<typeof GrantListResponseSchema>;
export type { DocumentAccessChange } from './DocumentAccessChange.ts';
export type { LinkInfo, LinkSession } from './LinkSharing.ts';

export interface SharingServiceOptions {
  database: SqlDatabase;
  /** Signs link-session tokens. */
  tokenKeys: TokenKeys;
  tokenIssuer?: string;
  /** Lifetime of link-session tokens in seconds (default 300). */
  linkTokenSeconds?: number;
  /** Called after a removal, a link revocation, a key rotation or a deletion has committed. */
  onRevoked?: (change: DocumentAccessChange) => void;
  /** Called after a document was created or a member added. */
  onAdmitted?: (change: DocumentAccessChange) => void;
}

/**
 * Documents, members, key grants, key rotation and share links of every
 * tenant (DESIGN.md sections 4-5): the policy over the sharing repositories
 * (sharingRepositories.ts); links are {@link LinkSharing}'s. The relay
 * stores sealed document keys and signatures it cannot open or forge; it
 * checks grant and device signatures anyway (defence in depth: clients check
 * them too), and enforces who may do what:
 *
 * - any member of the tenant reads users' public keys;
 * - any member of a document lists its members and reads their own grants;
 * - only an owner adds members, rotates keys, manages links and deletes.
 *
 * Input arrives parsed by the route schemas (requests.ts); only base64url is
 * decoded here. Every method runs in one tenant transaction, so a refusal
 * changes nothing. Errors are {@link CoffreError}s: `NOT_FOUND` (no such
 * document, user or link in this tenant), `FORBIDDEN` (not a member, or not
 * an owner), `VALIDATION_FAILED`, `DOCUMENT_EXISTS`, `MEMBER_EXISTS`,
 * `EPOCH_CONFLICT`.
 */
export class SharingService {
  readonly #repositories: TenantScope<SharingRepositories>;
  readonly #links: LinkSharing;
  readonly #onRevoked: (change: DocumentAccessChange) => void;
  readonly #onAdmitted: (change: DocumentAccessChange) => void;

  constructor(options: SharingServiceOptions) {
    this.#repositories = sharingRepositories(options.database);
    this.#onRevoked = options.onRevoked ?? (() => undefined);
    this.#onAdmitted = options.onAdmitted ?? (() => undefined);
    this.#links = new LinkSharing({
      repositories: this.#repositories,
      tokenKeys: options.tokenKeys,
      tokenIssuer: options.tokenIssuer ?? DEFAULT_ISSUER,
      linkTokenSeconds: options.linkTokenSeconds ?? 300,
      onRevoked: this.#onRevoked,
    });
  }

  /**
   * Stores the identity key's signature over one of the caller's devices
   * (`encodeDeviceStatement`). `NOT_FOUND` for a device that is not the
   * caller's or is revoked; `VALIDATION_FAILED` when the signature does not
   * verify with the caller's identity signing key.
   */
  async certifyDevice(session: AccountSession, deviceId: DeviceId, request: CertifyDeviceRequest): Promise<void> {
    await ready();
    const signature = decodeBytes(request.identitySignature, 64, 64);
    await this.#repositories.run(session.tenant, async ({ devices }) => {
      const row = await devices.lockForCertification(session.userId, deviceId);
      if (!row) throw new CoffreError(ErrorCode.NotFound);
      const statement = encodeDeviceStatement({
        tenantId: session.tenant,
        userId: session.userId,
        deviceId,
        signingPublicKey: row.signing_public_key,
        boxPublicKey: row.box_public_key,
      });
      if (!verify(row.identity_key, DEVICE_SIGNATURE_DOMAIN, statement, signature)) {
        throw new CoffreError(
          ErrorCode.ValidationFailed,
          "The identity signature does not verify for this device's keys.",
        );
      }
      await devices.setIdentitySignature(deviceId, signature);
    });
  }

  /** A tenant member's public identity and certified devices, by (normalised) email; `NOT_FOUND` when unknown. */
  async lookupUser(session: AccountSession, email: string): Promise<UserKeys> {
    return this.#oneUser(session.tenant, { email });
  }

  /** A tenant member's public identity and certified devices, by id; `NOT_FOUND` when unknown. */
  async userKeys(session: AccountSession, userId: UserId): Promise<UserKeys> {
    return this.#oneUser(session.tenant, { userId });
  }

  /**
   * Creates a document with the caller as its owner and stores the caller's
   * epoch-0 grant, which must be from and to the caller, as owner, and
   * signed by the caller's identity key. `DOCUMENT_EXISTS` when the id is taken.
   */
  async createDocument(session: AccountSession, request: CreateDocumentRequest): Promise<DocumentInfo> {
    await ready();
    const documentId = toDocumentId(request.id);
    const grant = decodeGrant(request.grant);
    if (
      grant.keyEpoch !== 0 ||
      grant.granterUserId !== session.userId ||
      grant.recipientUserId !== session.userId ||
      grant.role !== 'owner'
    ) {
      throw new CoffreError(
        ErrorCode.ValidationFailed,
        "The creator's grant must be for key epoch 0, from and to the creator, as owner.",
      );
    }
    const info = await this.#repositories.run(
      session.tenant,
      async ({ users, documents, members, grants }): Promise<DocumentInfo> => {
        const identityKey = await signingKeyOf(users, session.userId);
        checkGrantSignatures(session.tenant, documentId, [grant], identityKey);
        const createdAt = await documents.insert(documentId, session.userId);
        if (!createdAt) throw new CoffreError(ErrorCode.DocumentExists);
        await members.insert(documentId, session.userId, 'owner');
        await grants.insert(documentId, [grant]);
        return { id: documentId, role: 'owner', currentEpoch: 0, createdAt: createdAt.toISOString(), sizeBytes: 0 };
      },
    );
    this.#onAdmitted({ tenant: session.tenant, documentId, users: [session.userId], links: [], document: true });
    return info;
  }

  /** The caller's documents, oldest first, with their role, key epoch and stored size. */
  async listDocuments(session: AccountSession): Promise<DocumentInfo[]> {
    const rows = await this.#repositories.run(session.tenant, ({ documents }) =>
      documents.listOfMember(session.userId),
    );
    return rows.map((row) => ({
      id: row.id,
      role: row.role,
      currentEpoch: row.current_epoch,
      createdAt: row.created_at.toISOString(),
      sizeBytes: Number(row.size_bytes),
    }));
  }

  /** Deletes the document with everything stored for it (owner only); its connections close. */
  async deleteDocument(session: AccountSession, documentId: DocumentId): Promise<void> {
    await this.#repositories.run(session.tenant, async ({ documents }) => {
      await requireAccess(documents, session, documentId, { owner: true, lock: true });
      await documents.delete(documentId);
    });
    this.#onRevoked({ tenant: session.tenant, documentId, users: [], links: [], document: true });
  }

  /** The document's members (any member may ask). */
  async listMembers(session: AccountSession, documentId: DocumentId): Promise<DocumentMember[]> {
    return this.#repositories.run(session.tenant, async ({ documents, members }) => {
      await requireAccess(documents, session, documentId, {});
      return readMembers(members, documentId);
    });
  }

  /**
   * Adds a member (owner only) with one grant per epoch they may read, the
   * current epoch included; every grant is from the caller to the new member
   * with the given role, and signed by the caller's identity key. Resolves
   * with the members afterwards.
   */
  async addMember(
    session: AccountSession,
    documentId: DocumentId,
    request: AddMemberRequest,
  ): Promise<DocumentMember[]> {
    await ready();
    const memberId = toUserId(request.userId);
    const decoded = request.grants.map(decodeGrant);
    const epochs = decoded.map((grant) => grant.keyEpoch);
    const result = await this.#repositories.run(session.tenant, async ({ users, documents, members, grants }) => {
      const { currentEpoch } = await requireAccess(documents, session, documentId, { owner: true, lock: true });
      for (const grant of decoded) {
        if (
          grant.recipientUserId !== memberId ||
          grant.granterUserId !== session.userId ||
          grant.role !== request.role
        ) {
          throw new CoffreError(
            ErrorCode.ValidationFailed,
            "Every grant must be from you to the new member, with the member's role.",
          );
        }
      }
      if (new Set(epochs).size !== epochs.length) {
        throw new CoffreError(ErrorCode.ValidationFailed, 'Send one grant per key epoch.');
      }
      if (epochs.some((epoch) => epoch > currentEpoch) || !epochs.includes(currentEpoch)) {
        throw new CoffreError(
          ErrorCode.ValidationFailed,
          `Grants must be for key epochs up to the current one (${currentEpoch}), the current one included.`,
        );
      }
      if (!(await users.exists(memberId))) {
        throw new CoffreError(ErrorCode.NotFound, 'No such user in this organisation.');
      }
      if ((await members.roleOf(documentId, memberId)) !== null) throw new CoffreError(ErrorCode.MemberExists);
      const identityKey = await signingKeyOf(users, session.userId);
      checkGrantSignatures(session.tenant, documentId, decoded, identityKey);
      await members.insert(documentId, memberId, request.role);
      await grants.insert(documentId, decoded);
      return readMembers(members, documentId);
    });
    this.#onAdmitted({ tenant: session.tenant, documentId, users: [memberId], links: [], document: false });
    return result;
  }

  /**
   * Moves the document to the next key epoch (owner only), in one
   * transaction: removes `removeUserIds` (never the caller) with their
   * grants, stores the new epoch's grants (exactly one per remaining member,
   * with their role, signed by the caller), re-seals the listed links and
   * revokes the others (rules: checkRotation.ts). `EPOCH_CONFLICT` unless
   * `newEpoch` is the current epoch + 1. The removed members' and revoked
   * links' connections close.
   */
  async rotate(
    session: AccountSession,
    documentId: DocumentId,
    request: RotateRequest,
  ): Promise<{ currentEpoch: number }> {
    await ready();
    const removeUserIds = request.removeUserIds.map(toUserId);
    const decoded = request.grants.map(decodeGrant);
    const resealed = request.links.map((link) => ({
      linkId: link.linkId,
      keyEpoch: link.keyEpoch,
      sealedKey: decodeBytes(link.sealedKey, 72, 72),
    }));
    const { revokedLinks } = await this.#repositories.run(session.tenant, async (repositories) => {
      const { users, documents, members, grants, links } = repositories;
      const { currentEpoch } = await requireAccess(documents, session, documentId, { owner: true, lock: true });
      const plan = checkRotation({
        caller: session.userId,
        currentEpoch,
        newEpoch: request.newEpoch,
        removeUserIds,
        grants: decoded,
        resealed,
        members: await members.roles(documentId),
        liveLinks: await links.liveIds(documentId),
      });
      const identityKey = await signingKeyOf(users, session.userId);
      checkGrantSignatures(session.tenant, documentId, decoded, identityKey);
      await members.remove(documentId, removeUserIds);
      await grants.insert(documentId, decoded);
      await documents.setEpoch(documentId, request.newEpoch);
      for (const link of resealed) await links.insertKeys(link.linkId, [link]);
      await links.revoke(plan.revokedLinks);
      return plan;
    });
    this.#onRevoked({
      tenant: session.tenant,
      documentId,
      users: removeUserIds,
      links: revokedLinks,
      document: false,
      keyEpoch: request.newEpoch,
    });
    return { currentEpoch: request.newEpoch };
  }

  /** The caller's own grants of the document, every epoch, and the current epoch; `FORBIDDEN` for non-members. */
  async listGrants(session: AccountSession, documentId: DocumentId): Promise<GrantList> {
    return this.#repositories.run(session.tenant, async ({ documents, grants }) => {
      const { currentEpoch } = await requireAccess(documents, session, documentId, {});
      const rows = await grants.listOfRecipient(documentId, session.userId);
      return { currentEpoch, grants: rows.map(grantToWire) };
    });
  }

  /**
   * The document's grant log (every grant ever stored, removed members'
   * included) and the public keys and certified devices, revoked ones too,
   * of everyone it names; `FORBIDDEN` for non-members. The relay cannot
   * forge any of it: grants are signed by their granters, devices by their
   * users' identity keys.
   */
  async membership(session: AccountSession, documentId: DocumentId): Promise<MembershipResponse> {
    return this.#repositories.run(session.tenant, async ({ documents, grants, users, devices }) => {
      const { currentEpoch } = await requireAccess(documents, session, documentId, {});
      const log = await grants.log(documentId);
      const keys = await readUserKeys(users, devices, { grantedIn: documentId }, { revoked: true });
      return { currentEpoch, grants: log.map(grantToWire), users: keys };
    });
  }

  /** Creates a share link (owner only); see {@link LinkSharing.create}. */
  createLink(session: AccountSession, documentId: DocumentId, request: CreateLinkRequest): Promise<LinkInfo> {
    return this.#links.create(session, documentId, request);
  }

  /** The document's live links (owner only). */
  listLinks(session: AccountSession, documentId: DocumentId): Promise<LinkInfo[]> {
    return this.#links.list(session, documentId);
  }

  /** Revokes a live link of the document (owner only); its connections close. */
  revokeLink(session: AccountSession, documentId: DocumentId, linkId: LinkId): Promise<void> {
    return this.#links.revoke(session, documentId, linkId);
  }

  /** Trades a link's access proof for a document-scoped token; see {@link LinkSharing.session}. */
  linkSession(tenant: TenantId, linkId: LinkId, request: LinkSessionRequest): Promise<LinkSession> {
    return this.#links.session(tenant, linkId, request);
  }

  async #oneUser(tenant: TenantId, filter: UserFilter): Promise<UserKeys> {
    const [user] = await this.#repositories.run(tenant, ({ users, devices }) => readUserKeys(users, devices, filter));
    if (!user) throw new CoffreError(ErrorCode.NotFound);
    return user;
  }
}

/** The caller's identity signing key; `UNAUTHENTICATED` when the user is gone. */
async function signingKeyOf(users: UserRepository, userId: UserId): Promise<Uint8Array> {
  const key = await users.signingKey(userId);
  if (!key) throw new CoffreError(ErrorCode.Unauthenticated);
  return key;
}

async function readMembers(members: MemberRepository, documentId: DocumentId): Promise<DocumentMember[]> {
  const rows = await members.list(documentId);
  return rows.map((row) => ({ userId: row.user_id, email: row.email, role: row.role }));
}
