import type { z } from 'zod';
import { constantTimeEqual, hash, randomBytes, ready, toBase64Url, verify } from '@coffre/crypto';
import {
  AddMemberRequestSchema,
  CertifyDeviceRequestSchema,
  CoffreError,
  CreateDocumentRequestSchema,
  CreateLinkRequestSchema,
  DEVICE_SIGNATURE_DOMAIN,
  type DocumentInfo,
  type DocumentMemberSchema,
  type DocumentRole,
  EmailSchema,
  ErrorCode,
  GRANT_SIGNATURE_DOMAIN,
  type GrantListResponseSchema,
  type GrantWire,
  IdSchema,
  LinkIdSchema,
  type LinkInfoSchema,
  type LinkSessionResponseSchema,
  LinkSessionRequestSchema,
  RotateRequestSchema,
  type TenantId,
  type UserKeys,
  encodeDeviceStatement,
  encodeGrantStatement,
  documentId as toDocumentId,
  tenantId as toTenantId,
  userId as toUserId,
} from '@coffre/protocol';
import type { AccountSession } from '../accounts/AccountService.ts';
import { decodeBytes } from '../accounts/decodeBytes.ts';
import { parseInput } from '../accounts/parseInput.ts';
import { DEFAULT_ISSUER, mintAccessToken, type TokenKeys } from '../auth/TokenKeys.ts';
import type { SqlDatabase, SqlExecutor } from '../storage/index.ts';
import { linkSessionId } from './linkSessionId.ts';

export type DocumentMember = z.infer<typeof DocumentMemberSchema>;
export type GrantList = z.infer<typeof GrantListResponseSchema>;
export type LinkInfo = z.infer<typeof LinkInfoSchema>;
export type LinkSession = z.infer<typeof LinkSessionResponseSchema>;

/** Who gained or lost access to a document: their open connections are closed (or may open again). */
export interface DocumentAccessChange {
  tenant: TenantId;
  documentId: string;
  /** Members removed (revoked) or added (admitted). */
  users: string[];
  /** Share links revoked. */
  links: string[];
  /** The whole document: deleted (revoked) or created (admitted). */
  document: boolean;
}

export interface SharingServiceOptions {
  database: SqlDatabase;
  /** Signs link-session tokens. */
  tokenKeys: TokenKeys;
  tokenIssuer?: string;
  /** Lifetime of link-session tokens in seconds (default 300). */
  linkTokenSeconds?: number;
  /** Called after a removal, a link revocation or a deletion has committed. */
  onRevoked?: (change: DocumentAccessChange) => void;
  /** Called after a document was created or a member added. */
  onAdmitted?: (change: DocumentAccessChange) => void;
}

/** What the relay knows of the caller and a document, read at the start of a transaction. */
interface DocumentAccess {
  currentEpoch: number;
  role: DocumentRole;
}

/** A grant of the wire with its binaries decoded. */
interface DecodedGrant {
  wire: GrantWire;
  sealedKey: Uint8Array;
  signature: Uint8Array;
}

interface GrantRow {
  key_epoch: number;
  granter_user_id: string;
  recipient_user_id: string;
  role: DocumentRole;
  sealed_key: Uint8Array;
  signature: Uint8Array;
}

interface LinkRow {
  id: string;
  role: 'viewer' | 'editor';
  password_salt: Uint8Array | null;
  created_at: Date;
}

/** Which users {@link readUserKeys} reads. */
type UserFilter = { userId: string } | { email: string } | { documentId: string };

const TEXT_ARRAY = (values: readonly string[]) => `{${values.join(',')}}`;

/**
 * Documents, members, key grants, key rotation and share links of every
 * tenant (DESIGN.md sections 4-5), over {@link SqlDatabase}. The relay stores
 * sealed document keys and signatures it cannot open or forge; it checks
 * grant and device signatures anyway (defence in depth: clients check them
 * too), and enforces who may do what:
 *
 * - any member of the tenant reads users' public keys;
 * - any member of a document lists its members and reads their own grants;
 * - only an owner adds members, rotates keys, manages links and deletes.
 *
 * Every method runs in one tenant transaction, so bad input or a refusal
 * changes nothing. Errors are {@link CoffreError}s: `NOT_FOUND` (no such
 * document, user or link in this tenant), `FORBIDDEN` (not a member, or not
 * an owner), `VALIDATION_FAILED`, `DOCUMENT_EXISTS`, `MEMBER_EXISTS`,
 * `EPOCH_CONFLICT`.
 */
export class SharingService {
  readonly #database: SqlDatabase;
  readonly #tokenKeys: TokenKeys;
  readonly #issuer: string;
  readonly #linkTokenSeconds: number;
  readonly #onRevoked: (change: DocumentAccessChange) => void;
  readonly #onAdmitted: (change: DocumentAccessChange) => void;
  #dummyVerifier: Promise<Uint8Array> | undefined;

  constructor(options: SharingServiceOptions) {
    this.#database = options.database;
    this.#tokenKeys = options.tokenKeys;
    this.#issuer = options.tokenIssuer ?? DEFAULT_ISSUER;
    this.#linkTokenSeconds = options.linkTokenSeconds ?? 300;
    this.#onRevoked = options.onRevoked ?? (() => undefined);
    this.#onAdmitted = options.onAdmitted ?? (() => undefined);
  }

  /**
   * Stores the identity key's signature over one of the caller's devices
   * (`encodeDeviceStatement`). `NOT_FOUND` for a device that is not the
   * caller's or is revoked; `VALIDATION_FAILED` when the signature does not
   * verify with the caller's identity signing key.
   */
  async certifyDevice(session: AccountSession, deviceId: string, input: unknown): Promise<void> {
    await ready();
    parseInput(IdSchema, deviceId);
    const request = parseInput(CertifyDeviceRequestSchema, input);
    const signature = decodeBytes(request.identitySignature, 64, 64);
    await this.#database.withTenant(session.tenant, async (sql) => {
      const [row] = await sql.query<{
        signing_public_key: Uint8Array;
        box_public_key: Uint8Array;
        identity_key: Uint8Array;
      }>(
        `select d.signing_public_key, d.box_public_key, u.signing_public_key as identity_key
         from devices d join users u on u.tenant_id = d.tenant_id and u.id = d.user_id
         where d.tenant_id = $1 and d.id = $2 and d.user_id = $3 and d.revoked_at is null
         for update of d`,
        [session.tenant, deviceId, session.userId],
      );
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
      await sql.query('update devices set identity_signature = $3 where tenant_id = $1 and id = $2', [
        session.tenant,
        deviceId,
        signature,
      ]);
    });
  }

  /** A tenant member's public identity and certified devices, by email; `NOT_FOUND` when unknown. */
  async lookupUser(session: AccountSession, email: string): Promise<UserKeys> {
    const normalised = parseInput(EmailSchema, email);
    return this.#oneUser(session.tenant, { email: normalised });
  }

  /** A tenant member's public identity and certified devices, by id; `NOT_FOUND` when unknown. */
  async userKeys(session: AccountSession, userId: string): Promise<UserKeys> {
    parseInput(IdSchema, userId);
    return this.#oneUser(session.tenant, { userId });
  }

  /**
   * Creates a document with the caller as its owner and stores the caller's
   * epoch-0 grant, which must be from and to the caller, as owner, and
   * signed by the caller's identity key. `DOCUMENT_EXISTS` when the id is taken.
   */
  async createDocument(session: AccountSession, input: unknown): Promise<DocumentInfo> {
    await ready();
    const request = parseInput(CreateDocumentRequestSchema, input);
    const grant = decodeGrant(request.grant);
    const { wire } = grant;
    if (
      wire.keyEpoch !== 0 ||
      wire.granterUserId !== session.userId ||
      wire.recipientUserId !== session.userId ||
      wire.role !== 'owner'
    ) {
      throw new CoffreError(
        ErrorCode.ValidationFailed,
        "The creator's grant must be for key epoch 0, from and to the creator, as owner.",
      );
    }
    const info = await this.#database.withTenant(session.tenant, async (sql): Promise<DocumentInfo> => {
      const identityKey = await signingKeyOf(sql, session.tenant, session.userId);
      checkGrantSignatures(session.tenant, request.id, [grant], identityKey);
      const [created] = await sql.query<{ created_at: Date }>(
        `insert into documents (tenant_id, id, created_by) values ($1, $2, $3)
         on conflict (tenant_id, id) do nothing returning created_at`,
        [session.tenant, request.id, session.userId],
      );
      if (!created) throw new CoffreError(ErrorCode.DocumentExists);
      await insertMember(sql, session.tenant, request.id, session.userId, 'owner');
      await insertGrants(sql, session.tenant, request.id, [grant]);
      return {
        id: request.id,
        role: 'owner',
        currentEpoch: 0,
        createdAt: created.created_at.toISOString(),
        sizeBytes: 0,
      };
    });
    this.#onAdmitted({
      tenant: session.tenant,
      documentId: request.id,
      users: [session.userId],
      links: [],
      document: true,
    });
    return info;
  }

  /** The caller's documents, oldest first, with their role, key epoch and stored size. */
  async listDocuments(session: AccountSession): Promise<DocumentInfo[]> {
    const rows = await this.#database.withTenant(session.tenant, (sql) =>
      sql.query<{ id: string; role: DocumentRole; current_epoch: number; created_at: Date; size_bytes: bigint }>(
        `select d.id, m.role, d.current_epoch, d.created_at,
                coalesce((select octet_length(s.state) from document_states s
                          where s.tenant_id = d.tenant_id and s.document_id = d.id), 0)::int8
              + coalesce((select sum(octet_length(u.data)) from document_updates u
                          where u.tenant_id = d.tenant_id and u.document_id = d.id), 0)::int8 as size_bytes
         from document_members m
         join documents d on d.tenant_id = m.tenant_id and d.id = m.document_id
         where m.tenant_id = $1 and m.user_id = $2
         order by d.created_at, d.id`,
        [session.tenant, session.userId],
      ),
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
  async deleteDocument(session: AccountSession, documentId: string): Promise<void> {
    parseInput(IdSchema, documentId);
    await this.#database.withTenant(session.tenant, async (sql) => {
      await this.#access(sql, session, documentId, { owner: true, lock: true });
      // States, updates, members, grants, links and link keys go by ON DELETE CASCADE.
      await sql.query('delete from documents where tenant_id = $1 and id = $2', [session.tenant, documentId]);
    });
    this.#onRevoked({ tenant: session.tenant, documentId, users: [], links: [], document: true });
  }

  /** The document's members (any member may ask). */
  async listMembers(session: AccountSession, documentId: string): Promise<DocumentMember[]> {
    parseInput(IdSchema, documentId);
    return this.#database.withTenant(session.tenant, async (sql) => {
      await this.#access(sql, session, documentId, {});
      return readMembers(sql, session.tenant, documentId);
    });
  }

  /**
   * Adds a member (owner only) with one grant per epoch they may read, the
   * current epoch included; every grant is from the caller to the new member
   * with the given role, and signed by the caller's identity key. Resolves
   * with the members afterwards.
   */
  async addMember(session: AccountSession, documentId: string, input: unknown): Promise<DocumentMember[]> {
    await ready();
    parseInput(IdSchema, documentId);
    const request = parseInput(AddMemberRequestSchema, input);
    const grants = request.grants.map(decodeGrant);
    const epochs = grants.map(({ wire }) => wire.keyEpoch);
    const members = await this.#database.withTenant(session.tenant, async (sql) => {
      const { currentEpoch } = await this.#access(sql, session, documentId, { owner: true, lock: true });
      for (const { wire } of grants) {
        if (
          wire.recipientUserId !== request.userId ||
          wire.granterUserId !== session.userId ||
          wire.role !== request.role
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
      const users = await sql.query('select 1 from users where tenant_id = $1 and id = $2', [
        session.tenant,
        request.userId,
      ]);
      if (users.length === 0) throw new CoffreError(ErrorCode.NotFound, 'No such user in this organisation.');
      const existing = await sql.query(
        'select 1 from document_members where tenant_id = $1 and document_id = $2 and user_id = $3',
        [session.tenant, documentId, request.userId],
      );
      if (existing.length > 0) throw new CoffreError(ErrorCode.MemberExists);
      const identityKey = await signingKeyOf(sql, session.tenant, session.userId);
      checkGrantSignatures(session.tenant, documentId, grants, identityKey);
      await insertMember(sql, session.tenant, documentId, request.userId, request.role);
      await insertGrants(sql, session.tenant, documentId, grants);
      return readMembers(sql, session.tenant, documentId);
    });
    this.#onAdmitted({ tenant: session.tenant, documentId, users: [request.userId], links: [], document: false });
    return members;
  }

  /**
   * Moves the document to the next key epoch (owner only), in one
   * transaction: removes `removeUserIds` (never the caller) with their
   * grants, stores the new epoch's grants (exactly one per remaining member,
   * with their role, signed by the caller), re-seals the listed links and
   * revokes the others. `EPOCH_CONFLICT` unless `newEpoch` is the current
   * epoch + 1. The removed members' and revoked links' connections close.
   */
  async rotate(session: AccountSession, documentId: string, input: unknown): Promise<{ currentEpoch: number }> {
    await ready();
    parseInput(IdSchema, documentId);
    const request = parseInput(RotateRequestSchema, input);
    const removed = [...new Set(request.removeUserIds)];
    const grants = request.grants.map(decodeGrant);
    const resealed = request.links.map((link) => ({
      linkId: link.linkId,
      keyEpoch: link.keyEpoch,
      sealedKey: decodeBytes(link.sealedKey, 72, 72),
    }));
    const outcome = await this.#database.withTenant(session.tenant, async (sql) => {
      const { currentEpoch } = await this.#access(sql, session, documentId, { owner: true, lock: true });
      if (removed.length !== request.removeUserIds.length || removed.includes(session.userId)) {
        throw new CoffreError(ErrorCode.ValidationFailed, 'List each member to remove once, and not yourself.');
      }
      if (new Set(resealed.map((link) => link.linkId)).size !== resealed.length) {
        throw new CoffreError(ErrorCode.ValidationFailed, 'List each link once.');
      }
      if (request.newEpoch !== currentEpoch + 1) throw new CoffreError(ErrorCode.EpochConflict);
      const members = new Map(
        (
          await sql.query<{ user_id: string; role: DocumentRole }>(
            'select user_id, role from document_members where tenant_id = $1 and document_id = $2',
            [session.tenant, documentId],
          )
        ).map((row) => [row.user_id, row.role]),
      );
      if (removed.some((userId) => !members.has(userId))) {
        throw new CoffreError(ErrorCode.ValidationFailed, 'Only members can be removed.');
      }
      for (const userId of removed) members.delete(userId);
      const recipients = new Set<string>();
      for (const { wire } of grants) {
        if (
          wire.keyEpoch !== request.newEpoch ||
          wire.granterUserId !== session.userId ||
          members.get(wire.recipientUserId) !== wire.role ||
          recipients.has(wire.recipientUserId)
        ) {
          throw new CoffreError(
            ErrorCode.ValidationFailed,
            'Send one grant of the new epoch from you to each remaining member, with their role.',
          );
        }
        recipients.add(wire.recipientUserId);
      }
      if (recipients.size !== members.size) {
        throw new CoffreError(ErrorCode.ValidationFailed, 'Every remaining member needs a grant of the new epoch.');
      }
      const liveLinks = (
        await sql.query<{ id: string }>(
          'select id from links where tenant_id = $1 and document_id = $2 and revoked_at is null',
          [session.tenant, documentId],
        )
      ).map((row) => row.id);
      if (resealed.some((link) => !liveLinks.includes(link.linkId) || link.keyEpoch !== request.newEpoch)) {
        throw new CoffreError(
          ErrorCode.ValidationFailed,
          "Re-seal only this document's live links, with the new epoch's key.",
        );
      }
      const identityKey = await signingKeyOf(sql, session.tenant, session.userId);
      checkGrantSignatures(session.tenant, documentId, grants, identityKey);

      if (removed.length > 0) {
        // Their grants go with their membership (ON DELETE CASCADE).
        await sql.query(
          'delete from document_members where tenant_id = $1 and document_id = $2 and user_id = any($3::text[])',
          [session.tenant, documentId, TEXT_ARRAY(removed)],
        );
      }
      await insertGrants(sql, session.tenant, documentId, grants);
      await sql.query('update documents set current_epoch = $3, updated_at = now() where tenant_id = $1 and id = $2', [
        session.tenant,
        documentId,
        request.newEpoch,
      ]);
      for (const link of resealed) {
        await sql.query('insert into link_keys (tenant_id, link_id, key_epoch, sealed_key) values ($1, $2, $3, $4)', [
          session.tenant,
          link.linkId,
          link.keyEpoch,
          link.sealedKey,
        ]);
      }
      const revokedLinks = liveLinks.filter((linkId) => !resealed.some((link) => link.linkId === linkId));
      if (revokedLinks.length > 0) await revokeLinks(sql, session.tenant, revokedLinks);
      return { revokedLinks };
    });
    if (removed.length > 0 || outcome.revokedLinks.length > 0) {
      this.#onRevoked({
        tenant: session.tenant,
        documentId,
        users: removed,
        links: outcome.revokedLinks,
        document: false,
      });
    }
    return { currentEpoch: request.newEpoch };
  }

  /** The caller's own grants of the document, every epoch, and the current epoch; `FORBIDDEN` for non-members. */
  async listGrants(session: AccountSession, documentId: string): Promise<GrantList> {
    parseInput(IdSchema, documentId);
    return this.#database.withTenant(session.tenant, async (sql) => {
      const { currentEpoch } = await this.#access(sql, session, documentId, {});
      const rows = await sql.query<GrantRow>(
        `select key_epoch, granter_user_id, recipient_user_id, role, sealed_key, signature from key_grants
         where tenant_id = $1 and document_id = $2 and recipient_user_id = $3 order by key_epoch`,
        [session.tenant, documentId, session.userId],
      );
      return {
        currentEpoch,
        grants: rows.map((row) => ({
          keyEpoch: row.key_epoch,
          granterUserId: row.granter_user_id,
          recipientUserId: row.recipient_user_id,
          role: row.role,
          sealedKey: toBase64Url(row.sealed_key),
          signature: toBase64Url(row.signature),
        })),
      };
    });
  }

  /**
   * Creates a share link (owner only) with the document key of every epoch
   * from 0 to the current one sealed for it, and the hash of its access
   * proof to check link sessions against.
   */
  async createLink(session: AccountSession, documentId: string, input: unknown): Promise<LinkInfo> {
    parseInput(IdSchema, documentId);
    const request = parseInput(CreateLinkRequestSchema, input);
    const verifier = decodeBytes(request.verifier, 32, 32);
    const sealedKeys = request.sealedKeys.map((entry) => ({
      keyEpoch: entry.keyEpoch,
      sealedKey: decodeBytes(entry.sealedKey, 72, 72),
    }));
    const salt = request.password ? decodeBytes(request.password.salt, 16, 16) : null;
    return this.#database.withTenant(session.tenant, async (sql) => {
      const { currentEpoch } = await this.#access(sql, session, documentId, { owner: true, lock: true });
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
      const [created] = await sql.query<{ created_at: Date }>(
        `insert into links (tenant_id, id, document_id, role, verifier, password_salt, kdf_ops, kdf_mem, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (tenant_id, id) do nothing returning created_at`,
        [
          session.tenant,
          request.linkId,
          documentId,
          request.role,
          verifier,
          salt,
          request.password?.kdf.opsLimit ?? null,
          request.password?.kdf.memLimit ?? null,
          session.userId,
        ],
      );
      if (!created) throw new CoffreError(ErrorCode.ValidationFailed, 'This link id is already used.');
      for (const entry of sealedKeys) {
        await sql.query('insert into link_keys (tenant_id, link_id, key_epoch, sealed_key) values ($1, $2, $3, $4)', [
          session.tenant,
          request.linkId,
          entry.keyEpoch,
          entry.sealedKey,
        ]);
      }
      return {
        linkId: request.linkId,
        role: request.role,
        passwordProtected: salt !== null,
        createdAt: created.created_at.toISOString(),
      };
    });
  }

  /** The document's live (not revoked) links, oldest first (owner only). */
  async listLinks(session: AccountSession, documentId: string): Promise<LinkInfo[]> {
    parseInput(IdSchema, documentId);
    return this.#database.withTenant(session.tenant, async (sql) => {
      await this.#access(sql, session, documentId, { owner: true });
      const rows = await sql.query<LinkRow>(
        `select id, role, password_salt, created_at from links
         where tenant_id = $1 and document_id = $2 and revoked_at is null order by created_at, id`,
        [session.tenant, documentId],
      );
      return rows.map((row) => ({
        linkId: row.id,
        role: row.role,
        passwordProtected: row.password_salt !== null,
        createdAt: row.created_at.toISOString(),
      }));
    });
  }

  /** Revokes a live link of the document (owner only): its sealed keys are deleted, its connections close. */
  async revokeLink(session: AccountSession, documentId: string, linkId: string): Promise<void> {
    parseInput(IdSchema, documentId);
    parseInput(LinkIdSchema, linkId);
    await this.#database.withTenant(session.tenant, async (sql) => {
      await this.#access(sql, session, documentId, { owner: true, lock: true });
      const live = await sql.query(
        'select 1 from links where tenant_id = $1 and id = $2 and document_id = $3 and revoked_at is null',
        [session.tenant, linkId, documentId],
      );
      if (live.length === 0) throw new CoffreError(ErrorCode.NotFound);
      await revokeLinks(sql, session.tenant, [linkId]);
    });
    this.#onRevoked({ tenant: session.tenant, documentId, users: [], links: [linkId], document: false });
  }

  /**
   * Trades a link's access proof for a document-scoped token (no account
   * needed). The proof's hash is compared in constant time with the stored
   * verifier; an unknown link, a revoked one and a wrong proof all get the
   * same `NOT_FOUND` after the same work.
   */
  async linkSession(tenant: string, linkId: string, input: unknown): Promise<LinkSession> {
    await ready();
    const tenantId = toTenantId(tenant);
    parseInput(LinkIdSchema, linkId);
    const request = parseInput(LinkSessionRequestSchema, input);
    const candidate = hash(decodeBytes(request.accessProof, 32, 32), 32);
    const dummy = await this.#dummy();
    const found = await this.#database.withTenant(tenantId, async (sql) => {
      const [link] = await sql.query<{
        document_id: string;
        role: 'viewer' | 'editor';
        verifier: Uint8Array;
        password_salt: Uint8Array | null;
        kdf_ops: number | null;
        kdf_mem: number | null;
        current_epoch: number;
      }>(
        `select l.document_id, l.role, l.verifier, l.password_salt, l.kdf_ops, l.kdf_mem, d.current_epoch
         from links l join documents d on d.tenant_id = l.tenant_id and d.id = l.document_id
         where l.tenant_id = $1 and l.id = $2 and l.revoked_at is null`,
        [tenantId, linkId],
      );
      const matches = constantTimeEqual(candidate, link?.verifier ?? dummy);
      if (!link || !matches) return null;
      const sealedKeys = await sql.query<{ key_epoch: number; sealed_key: Uint8Array }>(
        'select key_epoch, sealed_key from link_keys where tenant_id = $1 and link_id = $2 order by key_epoch',
        [tenantId, linkId],
      );
      const authors = await readUserKeys(sql, tenantId, { documentId: link.document_id });
      return { link, sealedKeys, authors };
    });
    if (!found) throw new CoffreError(ErrorCode.NotFound);
    const { link, sealedKeys, authors } = found;
    const write = link.role === 'editor';
    const accessToken = await mintAccessToken(
      this.#tokenKeys,
      {
        sub: toUserId(`link-${linkId.slice(0, 16)}`),
        tenant: tenantId,
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
      sealedKeys: sealedKeys.map((row) => ({ keyEpoch: row.key_epoch, sealedKey: toBase64Url(row.sealed_key) })),
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

  async #oneUser(tenant: TenantId, filter: UserFilter): Promise<UserKeys> {
    const [user] = await this.#database.withTenant(tenant, (sql) => readUserKeys(sql, tenant, filter));
    if (!user) throw new CoffreError(ErrorCode.NotFound);
    return user;
  }

  /**
   * The document's current epoch and the caller's role: `NOT_FOUND` when the
   * document does not exist (in this tenant), `FORBIDDEN` when the caller is
   * not a member, or not an owner and `owner` is asked. `lock` serialises
   * the owner's changes (`FOR NO KEY UPDATE`: appends of updates go on).
   */
  async #access(
    sql: SqlExecutor,
    session: AccountSession,
    documentId: string,
    options: { owner?: boolean; lock?: boolean },
  ): Promise<DocumentAccess> {
    const [row] = await sql.query<{ current_epoch: number; role: DocumentRole | null }>(
      `select d.current_epoch, m.role from documents d
       left join document_members m on m.tenant_id = d.tenant_id and m.document_id = d.id and m.user_id = $3
       where d.tenant_id = $1 and d.id = $2${options.lock ? ' for no key update of d' : ''}`,
      [session.tenant, documentId, session.userId],
    );
    if (!row) throw new CoffreError(ErrorCode.NotFound);
    if (row.role === null) throw new CoffreError(ErrorCode.Forbidden);
    if (options.owner && row.role !== 'owner') {
      throw new CoffreError(ErrorCode.Forbidden, 'Only an owner of the document can do this.');
    }
    return { currentEpoch: row.current_epoch, role: row.role };
  }

  /** A verifier no proof matches, compared against when the link is unknown (same work either way). */
  #dummy(): Promise<Uint8Array> {
    this.#dummyVerifier ??= ready().then(() => hash(randomBytes(32), 32));
    return this.#dummyVerifier;
  }
}

function decodeGrant(wire: GrantWire): DecodedGrant {
  return { wire, sealedKey: decodeBytes(wire.sealedKey, 80, 80), signature: decodeBytes(wire.signature, 64, 64) };
}

/** Every grant's signature must verify with the granter's identity key over its statement. */
function checkGrantSignatures(
  tenant: TenantId,
  documentId: string,
  grants: readonly DecodedGrant[],
  granterSigningKey: Uint8Array,
): void {
  for (const { wire, sealedKey, signature } of grants) {
    const statement = encodeGrantStatement({
      tenantId: tenant,
      documentId: toDocumentId(documentId),
      keyEpoch: wire.keyEpoch,
      granter: toUserId(wire.granterUserId),
      recipient: toUserId(wire.recipientUserId),
      role: wire.role,
      sealedKey,
    });
    if (!verify(granterSigningKey, GRANT_SIGNATURE_DOMAIN, statement, signature)) {
      throw new CoffreError(
        ErrorCode.ValidationFailed,
        `The grant of key epoch ${wire.keyEpoch} for ${wire.recipientUserId} is not signed by its granter.`,
      );
    }
  }
}

async function signingKeyOf(sql: SqlExecutor, tenant: TenantId, userId: string): Promise<Uint8Array> {
  const [row] = await sql.query<{ signing_public_key: Uint8Array }>(
    'select signing_public_key from users where tenant_id = $1 and id = $2',
    [tenant, userId],
  );
  if (!row) throw new CoffreError(ErrorCode.Unauthenticated);
  return row.signing_public_key;
}

async function insertMember(
  sql: SqlExecutor,
  tenant: TenantId,
  documentId: string,
  userId: string,
  role: DocumentRole,
): Promise<void> {
  await sql.query('insert into document_members (tenant_id, document_id, user_id, role) values ($1, $2, $3, $4)', [
    tenant,
    documentId,
    userId,
    role,
  ]);
}

async function insertGrants(
  sql: SqlExecutor,
  tenant: TenantId,
  documentId: string,
  grants: readonly DecodedGrant[],
): Promise<void> {
  for (const { wire, sealedKey, signature } of grants) {
    await sql.query(
      `insert into key_grants (tenant_id, document_id, key_epoch, recipient_user_id, granter_user_id, role,
                               sealed_key, signature)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [tenant, documentId, wire.keyEpoch, wire.recipientUserId, wire.granterUserId, wire.role, sealedKey, signature],
    );
  }
}

async function readMembers(sql: SqlExecutor, tenant: TenantId, documentId: string): Promise<DocumentMember[]> {
  const rows = await sql.query<{ user_id: string; email: string; role: DocumentRole }>(
    `select m.user_id, u.email, m.role from document_members m
     join users u on u.tenant_id = m.tenant_id and u.id = m.user_id
     where m.tenant_id = $1 and m.document_id = $2 order by m.added_at, m.user_id`,
    [tenant, documentId],
  );
  return rows.map((row) => ({ userId: row.user_id, email: row.email, role: row.role }));
}

/** Marks links revoked and deletes their sealed keys (nothing is left to open with them). */
async function revokeLinks(sql: SqlExecutor, tenant: TenantId, linkIds: readonly string[]): Promise<void> {
  await sql.query('update links set revoked_at = now() where tenant_id = $1 and id = any($2::text[])', [
    tenant,
    TEXT_ARRAY(linkIds),
  ]);
  await sql.query('delete from link_keys where tenant_id = $1 and link_id = any($2::text[])', [
    tenant,
    TEXT_ARRAY(linkIds),
  ]);
}

/**
 * Users' public identities with their certified, not revoked devices: one
 * user by id or email, or every member of a document. Two statements.
 */
async function readUserKeys(sql: SqlExecutor, tenant: TenantId, filter: UserFilter): Promise<UserKeys[]> {
  const [condition, value] =
    'userId' in filter
      ? ['u.id = $2', filter.userId]
      : 'email' in filter
        ? ['u.email = $2', filter.email]
        : [
            'u.id in (select m.user_id from document_members m where m.tenant_id = $1 and m.document_id = $2)',
            filter.documentId,
          ];
  const users = await sql.query<{
    id: string;
    email: string;
    signing_public_key: Uint8Array;
    box_public_key: Uint8Array;
  }>(
    `select u.id, u.email, u.signing_public_key, u.box_public_key from users u
     where u.tenant_id = $1 and ${condition} order by u.created_at, u.id`,
    [tenant, value],
  );
  if (users.length === 0) return [];
  const devices = await sql.query<{
    id: string;
    user_id: string;
    signing_public_key: Uint8Array;
    box_public_key: Uint8Array;
    identity_signature: Uint8Array;
  }>(
    `select d.id, d.user_id, d.signing_public_key, d.box_public_key, d.identity_signature from devices d
     where d.tenant_id = $1 and d.user_id = any($2::text[])
       and d.revoked_at is null and d.identity_signature is not null
     order by d.created_at, d.id`,
    [tenant, TEXT_ARRAY(users.map((user) => user.id))],
  );
  return users.map((user) => ({
    userId: user.id,
    email: user.email,
    signingPublicKey: toBase64Url(user.signing_public_key),
    boxPublicKey: toBase64Url(user.box_public_key),
    devices: devices
      .filter((device) => device.user_id === user.id)
      .map((device) => ({
        deviceId: device.id,
        signingPublicKey: toBase64Url(device.signing_public_key),
        boxPublicKey: toBase64Url(device.box_public_key),
        identitySignature: toBase64Url(device.identity_signature),
      })),
  }));
}
