import { generateSymmetricKey } from '@coffre/crypto';
import {
  type DocumentAddress,
  type DocumentId,
  type DocumentInfo as WireDocumentInfo,
  type DocumentRole,
  type LinkId,
  type UserId,
  type UserKeys,
  DOCUMENT_ROLES,
  DocumentListResponseSchema,
  DocumentMemberListResponseSchema,
  DocumentResponseSchema,
  UserKeysSchema,
  documentId as parseDocumentId,
  isDocumentRole,
  sharingPaths,
  userId as parseUserId,
} from '@coffre/protocol';
import type { AccountClient } from '../account/AccountClient.ts';
import { AccountError } from '../account/AccountError.ts';
import type { Session } from '../account/Session.ts';
import { documentIdFromInput, linkIdFromInput } from '../idInput.ts';
import { Emitter } from '../Emitter.ts';
import { EncryptedDocument, type EncryptedDocumentOptions } from '../EncryptedDocument.ts';
import type { ContentEngine } from '../engines/ContentEngine.ts';
import { DriveClient, type DriveClientOptions } from '../files/DriveClient.ts';
import { DocumentKeyring } from '../keys.ts';
import { type OpenLocalDocumentOptions, type OpenedLocalDocument, LocalDocuments } from '../local/LocalDocuments.ts';
import { settle, trackedToken } from '../settle.ts';
import { syncUrlFor } from '../syncUrlFor.ts';
import { AccessReader } from './AccessReader.ts';
import { ContactTrust, contactRecord } from './ContactTrust.ts';
import type { AccessCache, CachedAccess, ContactChange, DocumentAccess } from './DocumentAccess.ts';
import {
  type CreateLinkOptions,
  type CreatedLink,
  type LinkSummary,
  type RotationResult,
  DocumentLinks,
} from './DocumentLinks.ts';
import { createGrant, grantToWire } from './grants.ts';
import { type ContactSummary, safetyNumber } from './KnownContacts.ts';
import { OpenDocuments, encryptedDocumentCopy } from './OpenDocuments.ts';
import { type SharingStore, SharingState } from './SharingState.ts';
import type { WorkspaceContext } from './WorkspaceContext.ts';

/*
 * One piece, though long: the façade the apps use. Each of its methods is a
 * few lines that combine the subsystems (`AccessReader`, `DocumentLinks`,
 * `ContactTrust`, `OpenDocuments`, `LocalDocuments`, `SharingState`, the
 * typed REST clients); their documentation is most of its length.
 */

export type { CreateLinkOptions, CreatedLink, LinkSummary, RotationResult } from './DocumentLinks.ts';

const DEFAULT_TIMEOUT_MS = 30_000;

export interface WorkspaceOptions {
  account: AccountClient;
  /** Contacts and link secrets from an earlier run (see {@link Workspace.open}); fresh when omitted. */
  state?: SharingState;
  /** Where the state is saved whenever it changes; kept in memory only when omitted. */
  store?: SharingStore;
  /** Relay WebSocket URL; by default the account's relay address with ws(s): and /sync. */
  syncUrl?: string;
  /** Milliseconds to wait for a document to load (default 30 s). */
  timeoutMs?: number;
  /**
   * Trust entries of share-link editors (throwaway devices whose id is their
   * public key, see `createLinkDevice`). Default true; without it, what
   * people write through edit links stays unread by members.
   */
  trustLinkEditors?: boolean;
  /** Keeps document keys on the device so documents open offline (sealed: see {@link AccessCache}). */
  accessCache?: AccessCache;
}

export interface OpenDocumentOptions<E extends ContentEngine> {
  /** Milliseconds to wait for the document to load (default: the workspace's). */
  timeoutMs?: number;
  /** Anything else EncryptedDocument takes (batching, compaction, a shared socket...). */
  extra?: Partial<EncryptedDocumentOptions<E>>;
}

export interface WorkspaceEvents extends Record<string, unknown> {
  /** A known contact's keys changed: show it, and compare safety numbers before accepting. */
  'contact-changed': ContactChange;
}

/** A document as the relay lists it (its id branded). */
export type DocumentInfo = Omit<WireDocumentInfo, 'id'> & { id: DocumentId };

export interface DocumentMemberInfo {
  userId: UserId;
  email: string;
  role: DocumentRole;
  /** The safety number of the keys trusted for this member, when known here. */
  safetyNumber?: string;
  /** True while the relay serves other keys for this member than the trusted ones. */
  keyChanged: boolean;
  /** The signed-in user. */
  self: boolean;
}

export interface ShareResult {
  userId: UserId;
  email: string;
  role: DocumentRole;
  safetyNumber: string;
  /** True when this is the first time this client sees the person: compare safety numbers once. */
  newContact: boolean;
  /** The key epochs granted (all the sharer holds, so history is readable). */
  epochs: number[];
}

function invalid(detail: string): AccountError {
  return new AccountError('VALIDATION_FAILED', { detail });
}

/** The relay's document (its id passed IdSchema) with its id branded. */
function documentInfo(info: WireDocumentInfo): DocumentInfo {
  return { ...info, id: parseDocumentId(info.id) };
}

/**
 * Documents shared between members of an organisation, end to end
 * encrypted: the web app, the desktop app and the `coffre` CLI go through
 * this class.
 *
 * Each document has a random key per epoch. Members receive it as key
 * grants, sealed to their identity box key and signed by the granter's
 * identity key; the relay stores grants and never holds a key. Removing a
 * member rotates to a new epoch granted to the others only. Identity keys
 * come from the relay, so they are checked through known contacts (trust on
 * first use, safety numbers): a changed key is reported and blocks sharing
 * with that person, or trusting what they sign, until accepted. A member's
 * device is trusted only when its certificate verifies against the member's
 * identity key.
 *
 * Every method rejects with an {@link AccountError}.
 *
 * @example
 * const workspace = await Workspace.open({ account, store });
 * const plans = documentId('plans');
 * await workspace.createDocument(plans);
 * await workspace.share(plans, 'bob@acme.test', 'editor');
 * const document = await workspace.openDocument(plans, new YjsEngine());
 */
export class Workspace extends Emitter<WorkspaceEvents> {
  readonly account: AccountClient;
  readonly state: SharingState;
  readonly #store: SharingStore | undefined;
  readonly #syncUrl: string;
  readonly #timeoutMs: number;
  readonly #accessCache: AccessCache | undefined;
  readonly #contacts: ContactTrust;
  readonly #access: AccessReader;
  readonly #links: DocumentLinks;
  readonly #open = new OpenDocuments((documentId) => this.refresh(documentId));
  readonly #local: LocalDocuments;
  #saved: string;

  constructor(options: WorkspaceOptions) {
    super();
    const session = options.account.session;
    if (!session) throw new AccountError('UNAUTHENTICATED');
    this.account = options.account;
    this.state = options.state ?? new SharingState(session.tenant, session.userId);
    if (this.state.tenant !== session.tenant || this.state.userId !== session.userId) {
      throw new Error('the sharing state belongs to another user');
    }
    this.#store = options.store;
    this.#syncUrl = options.syncUrl ?? syncUrlFor(options.account.api.baseUrl);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#accessCache = options.accessCache;
    this.#contacts = new ContactTrust(this.state.contacts, (change) => this.emit('contact-changed', change));
    const context: WorkspaceContext = {
      account: this.account,
      state: this.state,
      contacts: this.#contacts,
      session: () => this.#session(),
      persist: () => this.#persist(),
    };
    this.#access = new AccessReader(context, {
      trustLinkEditors: options.trustLinkEditors ?? true,
      accessCache: options.accessCache,
    });
    this.#links = new DocumentLinks(context, this.#access);
    this.#saved = JSON.stringify(this.state.toJSON());
    this.#local = new LocalDocuments({
      access: (documentId) => this.documentAccess(documentId),
      cachedAccess: async (documentId) => {
        const address = this.#address(documentId);
        const cached = await this.#accessCache?.load(address.documentId);
        return cached ? this.#fromCache(address, cached) : null;
      },
      refresh: (documentId) => {
        this.refresh(documentId).catch(async (error: unknown) => {
          // Removed, or the document is gone: the relay refuses the copy's connection too; forget the keys.
          if (isAccessLost(error)) await this.#accessCache?.forget(documentId);
        });
      },
      device: () => {
        const current = this.#session();
        return { id: current.deviceId, signingKeyPair: current.device.signing };
      },
      url: this.#syncUrl,
      token: () => this.account.getAccessToken(),
      open: this.#open,
    });
  }

  /** A workspace for the signed-in account, with the state `store` saved earlier for this user. */
  static async open(options: Omit<WorkspaceOptions, 'state'>): Promise<Workspace> {
    const session = options.account.session;
    if (!session) throw new AccountError('UNAUTHENTICATED');
    const saved = (await options.store?.load()) ?? null;
    const owner = { tenant: session.tenant, userId: session.userId };
    const state = saved === null ? new SharingState(owner.tenant, owner.userId) : SharingState.fromJSON(saved, owner);
    return new Workspace({ ...options, state });
  }

  /**
   * Creates a document owned by the signed-in user: a random key for epoch
   * 0, granted to the user themself, registered with the relay.
   */
  async createDocument(documentId: DocumentId): Promise<DocumentInfo> {
    const session = this.#session();
    const address = this.#address(documentId);
    await this.#access.ensureCertified();
    const documentKey = generateSymmetricKey();
    const grant = createGrant({
      tenantId: address.tenantId,
      documentId: address.documentId,
      keyEpoch: 0,
      granter: session.userId,
      recipient: session.userId,
      role: 'owner',
      documentKey,
      recipientBoxPublicKey: session.identity.box.publicKey,
      granterSigningSecretKey: session.identity.signing.secretKey,
    });
    const { document } = await this.account.request({
      method: 'POST',
      path: sharingPaths.documents(session.tenant),
      body: { id: address.documentId, grant: grantToWire(grant) },
      schema: DocumentResponseSchema,
    });
    return documentInfo(document);
  }

  /** The documents the signed-in user is a member of, with their role. */
  async listDocuments(): Promise<DocumentInfo[]> {
    const { documents } = await this.account.request({
      method: 'GET',
      path: sharingPaths.documents(this.#session().tenant),
      schema: DocumentListResponseSchema,
    });
    return documents.map(documentInfo);
  }

  /** Deletes a document (owners only); the relay closes its connections. */
  async deleteDocument(documentId: DocumentId): Promise<void> {
    const session = this.#session();
    const address = this.#address(documentId);
    await this.account.request({ method: 'DELETE', path: sharingPaths.document(session.tenant, address.documentId) });
    for (const link of [...this.state.links.values()]) {
      if (link.documentId === address.documentId) this.state.links.delete(link.linkId);
    }
    await this.#persist();
  }

  /**
   * The keys and trusted devices of a document, as {@link openDocument}
   * uses them: the user's grants, each verified against its granter's
   * identity key and opened, and the members' certified devices. Useful on
   * its own to open an envelope kept offline.
   */
  async documentAccess(documentId: DocumentId): Promise<DocumentAccess> {
    const address = this.#address(documentId);
    try {
      return await this.#access.fetch(address);
    } catch (error) {
      if (isAccessLost(error)) await this.#accessCache?.forget(address.documentId);
      // Offline: what this device kept from the last time it asked.
      const cached = isUnreachable(error) ? await this.#accessCache?.load(address.documentId) : null;
      if (!cached) throw error;
      return this.#fromCache(address, cached);
    }
  }

  /** A document's access as this device kept it (no contact checked since: `untrusted` is empty). */
  #fromCache(address: DocumentAddress, cached: CachedAccess): DocumentAccess {
    return {
      address,
      role: cached.role,
      currentEpoch: cached.currentEpoch,
      keyring: new DocumentKeyring(cached.keys),
      devices: this.#access.directory(cached.devices, cached.writers),
      untrusted: [],
    };
  }

  /**
   * Opens a document and waits until it has loaded. New entries are sealed
   * with the newest key; when another member rotates the key or a new member
   * writes, the workspace fetches the new grant or certificate by itself.
   */
  async openDocument<E extends ContentEngine>(
    documentId: DocumentId,
    engine: E,
    options: OpenDocumentOptions<E> = {},
  ): Promise<EncryptedDocument<E>> {
    const session = this.#session();
    const access = await this.documentAccess(documentId);
    const document: EncryptedDocument<E> = new EncryptedDocument({
      address: access.address,
      engine,
      device: { id: session.deviceId, signingKeyPair: session.device.signing },
      keyring: access.keyring,
      devices: access.devices,
      url: this.#syncUrl,
      token: trackedToken(
        () => document,
        () => this.account.getAccessToken(),
      ),
      ...options.extra,
    });
    const copy = encryptedDocumentCopy(document, access.keyring, access.devices);
    this.#open.add(access.address.documentId, copy);
    try {
      await settle(document, document.whenSynced(), options.timeoutMs ?? this.#timeoutMs);
    } catch (error) {
      document.destroy();
      this.#open.remove(access.address.documentId, copy);
      throw error;
    }
    return document;
  }

  /**
   * The Drive's chunks of a space (a document whose content is a
   * `DriveSpace`), with this account's tokens: open the document, then
   * `new DriveSpace(document.engine.doc).upload(workspace.driveClient(id), ...)`.
   */
  driveClient(documentId: DocumentId, options: Pick<DriveClientOptions, 'cache' | 'sealWorkers'> = {}): DriveClient {
    return new DriveClient({
      api: this.account.api,
      token: () => this.account.getAccessToken(),
      tenant: this.#session().tenant,
      space: documentId,
      ...options,
    });
  }

  /**
   * Opens a local-first document (see `LocalDocument`) without waiting for
   * the network: its keys from the relay, or this device's sealed cache
   * offline; its content from IndexedDB first. Like {@link openDocument},
   * the workspace keeps it current (rotated keys, new members' devices).
   *
   * @example
   * const { document, access } = await workspace.openLocalDocument(documentId('plans'), new YjsEngine());
   * await document.whenLoaded(); // from the device, even offline
   */
  openLocalDocument<E extends ContentEngine>(
    documentId: DocumentId,
    engine: E,
    options: OpenLocalDocumentOptions<E> = {},
  ): Promise<OpenedLocalDocument<E>> {
    return this.#local.open(documentId, engine, options);
  }

  /**
   * Fetches a document's grants and members again and gives every open copy
   * of it the keys and devices it lacks (entries waiting for them are read
   * then). Open documents do this by themselves when they meet an unknown
   * epoch or device.
   */
  async refresh(documentId: DocumentId): Promise<void> {
    const address = this.#address(documentId);
    if (this.#open.live(address.documentId).length === 0) return;
    const access = await this.#access.fetch(address);
    this.#open.update(address.documentId, access.keyring.entries(), access.devices);
  }

  /**
   * Shares a document with a member of the organisation: looks them up by
   * email, checks their keys against known contacts (refusing with
   * `CONTACT_KEY_CHANGED` when they changed), and grants them the key of
   * every epoch this user holds, so they can read the history too.
   */
  async share(documentId: DocumentId, email: string, role: DocumentRole): Promise<ShareResult> {
    const session = this.#session();
    const address = this.#address(documentId);
    if (!isDocumentRole(role)) throw invalid(`the role is one of ${DOCUMENT_ROLES.join(', ')}`);
    const target = await this.lookup(email);
    if (target.userId === session.userId) throw invalid('this document is already yours');
    const record = contactRecord(target);
    const recipient = record.userId;
    const check = this.#contacts.check(record);
    await this.#persist();
    if (check.status === 'changed') throw this.#contacts.changedError(this.#contacts.change(record, check));
    const { keys } = await this.#access.openGrants(address);
    const grants = [...keys].map(([keyEpoch, documentKey]) =>
      grantToWire(
        createGrant({
          tenantId: address.tenantId,
          documentId: address.documentId,
          keyEpoch,
          granter: session.userId,
          recipient,
          role,
          documentKey,
          recipientBoxPublicKey: record.boxPublicKey,
          granterSigningSecretKey: session.identity.signing.secretKey,
        }),
      ),
    );
    await this.account.request({
      method: 'POST',
      path: sharingPaths.documentMembers(session.tenant, address.documentId),
      body: { userId: recipient, role, grants },
    });
    this.#access.verifiedDevices(target, record.signingPublicKey);
    await this.#persist();
    // Open copies trust the new member's devices, and their writer epochs, at once.
    await this.refresh(address.documentId).catch(() => undefined);
    return {
      userId: recipient,
      email: target.email,
      role,
      safetyNumber: check.safetyNumber,
      newContact: check.status === 'new',
      epochs: [...keys.keys()].sort((a, b) => a - b),
    };
  }

  /** A document's members, with the safety numbers known here. */
  async members(documentId: DocumentId): Promise<DocumentMemberInfo[]> {
    const session = this.#session();
    const address = this.#address(documentId);
    const { members } = await this.account.request({
      method: 'GET',
      path: sharingPaths.documentMembers(session.tenant, address.documentId),
      schema: DocumentMemberListResponseSchema,
    });
    const contacts = this.state.contacts;
    return members.map((member) => {
      // DocumentMemberSchema checked it is an id.
      const userId = parseUserId(member.userId);
      const self = userId === session.userId;
      const known = self
        ? { signingPublicKey: session.identity.signing.publicKey, boxPublicKey: session.identity.box.publicKey }
        : contacts.get(userId);
      return {
        ...member,
        userId,
        ...(known ? { safetyNumber: safetyNumber(known) } : {}),
        keyChanged: !self && contacts.changed(userId) !== undefined,
        self,
      };
    });
  }

  /**
   * Removes a member and rotates the document key (see {@link #rotate}).
   * The removed member keeps what they had and gets nothing written from
   * now on.
   */
  async removeMember(documentId: DocumentId, userId: UserId): Promise<RotationResult> {
    const session = this.#session();
    const address = this.#address(documentId);
    if (userId === session.userId) throw invalid('you cannot remove yourself from a document you own');
    const members = await this.members(address.documentId);
    if (!members.some((member) => member.userId === userId)) {
      throw new AccountError('NOT_FOUND', { detail: 'this person is not a member of the document' });
    }
    return this.#rotate(address, members, { removeUserId: userId });
  }

  /**
   * Revokes a link and rotates the document key (see {@link #rotate}): the
   * relay refuses the link from now on and closes its connections, and its
   * secret opens nothing written after this, even if a relay kept serving
   * it the keys it held.
   */
  async revokeLink(documentId: DocumentId, linkId: LinkId): Promise<RotationResult> {
    const address = this.#address(documentId);
    // Typed, yet checked again for callers in plain JavaScript (`VALIDATION_FAILED`).
    const link = linkIdFromInput(linkId);
    const members = await this.members(address.documentId);
    return this.#rotate(address, members, { revokeLinkId: link });
  }

  /**
   * Creates a share link: a random secret for the URL fragment (never sent
   * to the relay), the key of every epoch sealed for it, optionally a
   * password (Argon2id with the account's parameters and a fresh salt).
   * The secret is kept here so the link survives key rotations.
   */
  async createLink(documentId: DocumentId, options: CreateLinkOptions = {}): Promise<CreatedLink> {
    return this.#links.createLink(this.#address(documentId), options);
  }

  /** A document's links; the URL of those this client created. */
  async listLinks(documentId: DocumentId): Promise<LinkSummary[]> {
    return this.#links.listLinks(this.#address(documentId));
  }

  /** A member of the organisation by email, as the relay serves them (keys not yet checked). */
  async lookup(email: string): Promise<UserKeys> {
    const session = this.#session();
    const address = email.trim().toLowerCase();
    if (address.length === 0) throw invalid('the email address is empty');
    try {
      return await this.account.request({
        method: 'GET',
        path: `${sharingPaths.userLookup(session.tenant)}?email=${encodeURIComponent(address)}`,
        schema: UserKeysSchema,
      });
    } catch (error) {
      if (error instanceof AccountError && error.code === 'NOT_FOUND') {
        throw new AccountError('UNKNOWN_CONTACT', { status: error.status, detail: address });
      }
      throw error;
    }
  }

  /** Known contacts with safety numbers; those whose keys changed come first. */
  contacts(): ContactSummary[] {
    return this.state.contacts.summaries();
  }

  /**
   * Checks a person's keys as the relay serves them now and remembers them
   * if they are new. Use it to show a safety number before sharing.
   */
  async checkContact(email: string): Promise<ContactSummary & { status: 'new' | 'unchanged' | 'changed' }> {
    const keys = await this.lookup(email);
    const record = contactRecord(keys);
    const check = this.#contacts.check(record);
    await this.#persist();
    const summary = this.state.contacts.summaries().find((contact) => contact.userId === record.userId);
    return {
      userId: record.userId,
      email: keys.email,
      safetyNumber: summary?.safetyNumber ?? check.safetyNumber,
      ...(check.status === 'changed' ? { changedSafetyNumber: check.safetyNumber } : {}),
      status: check.status,
    };
  }

  /**
   * Trusts a contact's new keys, after the two people compared the safety
   * number: the keys seen when the change was reported (shown by
   * {@link contacts}), not whatever the relay serves at this moment. When
   * `expectedSafetyNumber` is given, it must match them.
   */
  async acceptContact(email: string, expectedSafetyNumber?: string): Promise<ContactSummary> {
    const wanted = email.trim().toLowerCase();
    const known = this.state.contacts.findByEmail(wanted);
    let changed = known ? this.state.contacts.changed(known.userId) : undefined;
    if (!changed) {
      const fresh = contactRecord(await this.lookup(wanted));
      const check = this.#contacts.check(fresh);
      if (check.status === 'changed') changed = this.state.contacts.changed(fresh.userId);
    }
    if (!changed) {
      await this.#persist();
      throw new AccountError('NOT_FOUND', { detail: `the keys of ${wanted} have not changed: nothing to accept` });
    }
    const number = safetyNumber(changed);
    if (expectedSafetyNumber !== undefined && expectedSafetyNumber.replace(/\s+/g, '') !== number.replace(/\s+/g, '')) {
      throw invalid(`the safety number of the new keys is ${number}, not the one given`);
    }
    this.state.contacts.accept(changed);
    await this.#persist();
    return { userId: changed.userId, email: changed.email, safetyNumber: number };
  }

  /** A key rotation (see `DocumentLinks.rotate`); the copies open here seal with the new key at once. */
  async #rotate(
    address: DocumentAddress,
    members: readonly DocumentMemberInfo[],
    change: { removeUserId?: UserId; revokeLinkId?: LinkId },
  ): Promise<RotationResult> {
    const { result, epoch, key } = await this.#links.rotate(address, members, change);
    this.#open.update(address.documentId, [[epoch, key]]);
    // The writers of the new epoch (the relay announces the rotation too, but this copy seals with it now).
    await this.refresh(address.documentId).catch(() => undefined);
    return result;
  }

  /** Forgets every open document (they stay open; call their destroy()). */
  close(): void {
    this.#open.clear();
  }

  #session(): Session {
    const session = this.account.session;
    if (!session) throw new AccountError('UNAUTHENTICATED');
    if (session.userId !== this.state.userId || session.tenant !== this.state.tenant) {
      throw new AccountError('UNAUTHENTICATED', { detail: 'the account signed in as someone else' });
    }
    return session;
  }

  /** The document's address; the id is checked again for callers in plain JavaScript (`INVALID_DOCUMENT_NAME`). */
  #address(documentId: DocumentId): DocumentAddress {
    const session = this.#session();
    return { tenantId: session.tenant, documentId: documentIdFromInput(documentId) };
  }

  async #persist(): Promise<void> {
    const json = this.state.toJSON();
    const text = JSON.stringify(json);
    if (text === this.#saved) return;
    this.#saved = text;
    await this.#store?.save(json);
  }
}

function isUnreachable(error: unknown): boolean {
  return error instanceof AccountError && error.code === 'RELAY_UNREACHABLE';
}

/** The relay answered that this user may no longer open the document (not merely that it could not be asked). */
function isAccessLost(error: unknown): boolean {
  return error instanceof AccountError && (error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND');
}
