import {
  fromBase64Url,
  generatePasswordSalt,
  generateSymmetricKey,
  toBase64Url,
  constantTimeEqual,
} from '@coffre/crypto';
import {
  type DeviceId,
  type DocumentAddress,
  type DocumentInfo,
  type DocumentRole,
  type GrantWire,
  type UserKeys,
  DOCUMENT_ROLES,
  DocumentListResponseSchema,
  DocumentMemberListResponseSchema,
  DocumentResponseSchema,
  GrantListResponseSchema,
  LinkListResponseSchema,
  RotateResponseSchema,
  UserKeysSchema,
  deviceId,
  documentId as parseDocumentId,
  isValidId,
  sharingPaths,
  userId as parseUserId,
} from '@coffre/protocol';
import type { AccountClient } from '../account/AccountClient.ts';
import { AccountError } from '../account/AccountError.ts';
import type { Session } from '../account/Session.ts';
import { Emitter } from '../Emitter.ts';
import { EncryptedDocument, type EncryptedDocumentOptions } from '../EncryptedDocument.ts';
import type { ContentEngine } from '../engines/ContentEngine.ts';
import { DeviceDirectory, DocumentKeyring } from '../keys.ts';
import { type OpenLocalDocumentOptions, type OpenedLocalDocument, LocalDocuments } from '../local/LocalDocuments.ts';
import { settle, trackedToken } from '../settle.ts';
import { syncUrlFor } from '../syncUrlFor.ts';
import { verifyDeviceCertificate } from './deviceCertificate.ts';
import { type SignedGrant, GrantRejectedError, createGrant, openGrant } from './grants.ts';
import { type ContactRecord, type ContactSummary, safetyNumber } from './KnownContacts.ts';
import { linkDevicePublicKey } from './linkDevice.ts';
import {
  createLinkSecrets,
  deriveLinkKey,
  formatLinkFragment,
  formatShareUrl,
  linkVerifier,
  parseLinkFragment,
  sealKeyWithLinkKey,
} from './links.ts';
import type { AccessCache, ContactChange, DocumentAccess } from './DocumentAccess.ts';
import { OpenDocuments, encryptedDocumentCopy } from './OpenDocuments.ts';
import { type SharingStore, SharingState } from './SharingState.ts';

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

export interface DocumentMemberInfo {
  userId: string;
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
  userId: string;
  email: string;
  role: DocumentRole;
  safetyNumber: string;
  /** True when this is the first time this client sees the person: compare safety numbers once. */
  newContact: boolean;
  /** The key epochs granted (all the sharer holds, so history is readable). */
  epochs: number[];
}

/** What a key rotation did (removing a member, revoking a link). */
export interface RotationResult {
  currentEpoch: number;
  /** Links re-sealed for the new epoch (their secrets are kept here). */
  resealedLinks: string[];
  /** Links the rotation revoked (created elsewhere, so their secrets are unknown here). */
  revokedLinks: string[];
}

export interface CreateLinkOptions {
  role?: 'viewer' | 'editor';
  /** Also needed to open the link; stretched with Argon2id (the account's parameters, a fresh salt). */
  password?: string;
}

export interface CreatedLink {
  linkId: string;
  role: 'viewer' | 'editor';
  /** The link's secret: what goes after `#`. */
  fragment: string;
  /** `<relay>/#/link/<tenant>/<fragment>`: the address to send. */
  url: string;
  passwordProtected: boolean;
}

export interface LinkSummary {
  linkId: string;
  role: 'viewer' | 'editor';
  passwordProtected: boolean;
  createdAt: string;
  /** The share URL, when this client created the link and still holds its secret. */
  url?: string;
}

interface OpenedGrants {
  keys: Map<number, Uint8Array>;
  currentEpoch: number;
  role: DocumentRole;
}

function invalid(detail: string): AccountError {
  return new AccountError('VALIDATION_FAILED', { detail });
}

function isDocumentRole(value: unknown): value is DocumentRole {
  return typeof value === 'string' && (DOCUMENT_ROLES as readonly string[]).includes(value);
}

function contactRecord(keys: UserKeys): ContactRecord {
  return {
    userId: keys.userId,
    email: keys.email,
    signingPublicKey: fromBase64Url(keys.signingPublicKey),
    boxPublicKey: fromBase64Url(keys.boxPublicKey),
  };
}

function grantToWire(grant: SignedGrant): GrantWire {
  return {
    keyEpoch: grant.keyEpoch,
    granterUserId: grant.granter,
    recipientUserId: grant.recipient,
    role: grant.role as DocumentRole,
    sealedKey: toBase64Url(grant.sealedKey),
    signature: toBase64Url(grant.signature),
  };
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
 * await workspace.createDocument('plans');
 * await workspace.share('plans', 'bob@acme.test', 'editor');
 * const document = await workspace.openDocument('plans', new YjsEngine());
 */
export class Workspace extends Emitter<WorkspaceEvents> {
  readonly account: AccountClient;
  readonly state: SharingState;
  readonly #store: SharingStore | undefined;
  readonly #syncUrl: string;
  readonly #timeoutMs: number;
  readonly #trustLinkEditors: boolean;
  readonly #accessCache: AccessCache | undefined;
  readonly #open = new OpenDocuments((documentId) => this.refresh(documentId));
  readonly #local: LocalDocuments;
  #saved: string;
  #certified: Promise<void> | null = null;

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
    this.#trustLinkEditors = options.trustLinkEditors ?? true;
    this.#accessCache = options.accessCache;
    this.#saved = JSON.stringify(this.state.toJSON());
    this.#local = new LocalDocuments({
      access: (documentId) => this.documentAccess(documentId),
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
  async createDocument(documentId: string): Promise<DocumentInfo> {
    const session = this.#session();
    const address = this.#address(documentId);
    await this.#ensureCertified();
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
    return document;
  }

  /** The documents the signed-in user is a member of, with their role. */
  async listDocuments(): Promise<DocumentInfo[]> {
    const { documents } = await this.account.request({
      method: 'GET',
      path: sharingPaths.documents(this.#session().tenant),
      schema: DocumentListResponseSchema,
    });
    return documents;
  }

  /** Deletes a document (owners only); the relay closes its connections. */
  async deleteDocument(documentId: string): Promise<void> {
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
  async documentAccess(documentId: string): Promise<DocumentAccess> {
    const address = this.#address(documentId);
    try {
      return await this.#fetchAccess(address);
    } catch (error) {
      if (isAccessLost(error)) await this.#accessCache?.forget(address.documentId);
      // Offline: what this device kept from the last time it asked.
      const cached = isUnreachable(error) ? await this.#accessCache?.load(address.documentId) : null;
      if (!cached) throw error;
      return {
        address,
        role: cached.role,
        currentEpoch: cached.currentEpoch,
        keyring: new DocumentKeyring(cached.keys),
        devices: this.#directory(cached.devices),
        untrusted: [],
      };
    }
  }

  /**
   * Opens a document and waits until it has loaded. New entries are sealed
   * with the newest key; when another member rotates the key or a new member
   * writes, the workspace fetches the new grant or certificate by itself.
   */
  async openDocument<E extends ContentEngine>(
    documentId: string,
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
   * Opens a local-first document (see `LocalDocument`) without waiting for
   * the network: its keys from the relay, or this device's sealed cache
   * offline; its content from IndexedDB first. Like {@link openDocument},
   * the workspace keeps it current (rotated keys, new members' devices).
   *
   * @example
   * const { document, access } = await workspace.openLocalDocument('plans', new YjsEngine());
   * await document.whenLoaded(); // from the device, even offline
   */
  openLocalDocument<E extends ContentEngine>(
    documentId: string,
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
  async refresh(documentId: string): Promise<void> {
    const address = this.#address(documentId);
    if (this.#open.live(address.documentId).length === 0) return;
    const access = await this.#fetchAccess(address);
    this.#open.update(address.documentId, access.keyring.entries(), access.devices.entries());
  }

  /**
   * Shares a document with a member of the organisation: looks them up by
   * email, checks their keys against known contacts (refusing with
   * `CONTACT_KEY_CHANGED` when they changed), and grants them the key of
   * every epoch this user holds, so they can read the history too.
   */
  async share(documentId: string, email: string, role: DocumentRole): Promise<ShareResult> {
    const session = this.#session();
    const address = this.#address(documentId);
    if (!isDocumentRole(role)) throw invalid(`the role is one of ${DOCUMENT_ROLES.join(', ')}`);
    const target = await this.lookup(email);
    if (target.userId === session.userId) throw invalid('this document is already yours');
    const record = contactRecord(target);
    const check = this.#checkContact(record);
    await this.#persist();
    if (check.status === 'changed') throw this.#changedError(this.#change(record, check));
    const { keys } = await this.#openGrants(address);
    const grants = [...keys].map(([keyEpoch, documentKey]) =>
      grantToWire(
        createGrant({
          tenantId: address.tenantId,
          documentId: address.documentId,
          keyEpoch,
          granter: session.userId,
          recipient: parseUserId(target.userId),
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
      body: { userId: target.userId, role, grants },
    });
    // Open copies trust the new member's devices at once.
    this.#open.update(address.documentId, [], this.#verifiedDevices(target, record.signingPublicKey));
    await this.#persist();
    return {
      userId: target.userId,
      email: target.email,
      role,
      safetyNumber: check.safetyNumber,
      newContact: check.status === 'new',
      epochs: [...keys.keys()].sort((a, b) => a - b),
    };
  }

  /** A document's members, with the safety numbers known here. */
  async members(documentId: string): Promise<DocumentMemberInfo[]> {
    const session = this.#session();
    const address = this.#address(documentId);
    const { members } = await this.account.request({
      method: 'GET',
      path: sharingPaths.documentMembers(session.tenant, address.documentId),
      schema: DocumentMemberListResponseSchema,
    });
    const contacts = this.state.contacts;
    return members.map((member) => {
      const self = member.userId === session.userId;
      const known = self
        ? { signingPublicKey: session.identity.signing.publicKey, boxPublicKey: session.identity.box.publicKey }
        : contacts.get(member.userId);
      return {
        ...member,
        ...(known ? { safetyNumber: safetyNumber(known) } : {}),
        keyChanged: !self && contacts.changed(member.userId) !== undefined,
        self,
      };
    });
  }

  /**
   * Removes a member and rotates the document key (see {@link #rotate}).
   * The removed member keeps what they had and gets nothing written from
   * now on.
   */
  async removeMember(documentId: string, userId: string): Promise<RotationResult> {
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
  async revokeLink(documentId: string, linkId: string): Promise<RotationResult> {
    const address = this.#address(documentId);
    if (!/^[0-9a-f]{32}$/.test(linkId)) throw invalid('a link id is 32 hexadecimal characters');
    const members = await this.members(address.documentId);
    return this.#rotate(address, members, { revokeLinkId: linkId });
  }

  /**
   * Moves the document to a new random key for epoch current + 1, granted
   * to every remaining member (this user included), the links whose secrets
   * this client holds re-sealed, except the one revoked (the relay revokes
   * every link not re-sealed). Open copies here switch to the new epoch at
   * once, other members' copies and open links when they meet it.
   */
  async #rotate(
    address: DocumentAddress,
    members: readonly DocumentMemberInfo[],
    change: { removeUserId?: string; revokeLinkId?: string },
  ): Promise<RotationResult> {
    const session = this.#session();
    const { currentEpoch } = await this.#openGrants(address);
    const newEpoch = currentEpoch + 1;
    const newKey = generateSymmetricKey();
    const grants: GrantWire[] = [];
    for (const member of members) {
      if (member.userId === change.removeUserId) continue;
      let recipientBoxPublicKey: Uint8Array;
      if (member.userId === session.userId) {
        recipientBoxPublicKey = session.identity.box.publicKey;
      } else {
        const record = contactRecord(await this.#userKeys(member.userId));
        const check = this.#checkContact(record);
        if (check.status === 'changed') {
          await this.#persist();
          throw this.#changedError(this.#change(record, check));
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
            recipient: parseUserId(member.userId),
            role,
            documentKey: newKey,
            recipientBoxPublicKey,
            granterSigningSecretKey: session.identity.signing.secretKey,
          }),
        ),
      );
    }
    const { links: relayLinks } = await this.account.request({
      method: 'GET',
      path: sharingPaths.links(session.tenant, address.documentId),
      schema: LinkListResponseSchema,
    });
    if (change.revokeLinkId !== undefined && !relayLinks.some((link) => link.linkId === change.revokeLinkId)) {
      throw new AccountError('NOT_FOUND', { detail: 'this link is not a live link of the document' });
    }
    const links: { linkId: string; keyEpoch: number; sealedKey: string }[] = [];
    const revokedLinks: string[] = [];
    for (const link of relayLinks) {
      const stored = this.state.links.get(link.linkId);
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
    const rotated = await this.account.request({
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
    for (const stored of [...this.state.links.values()]) {
      if (stored.documentId === address.documentId && !kept.has(stored.linkId)) this.state.links.delete(stored.linkId);
    }
    await this.#persist();
    this.#open.update(address.documentId, [[newEpoch, newKey]], []);
    return { currentEpoch: rotated.currentEpoch, resealedLinks: [...kept], revokedLinks };
  }

  /**
   * Creates a share link: a random secret for the URL fragment (never sent
   * to the relay), the key of every epoch sealed for it, optionally a
   * password (Argon2id with the account's parameters and a fresh salt).
   * The secret is kept here so the link survives key rotations.
   */
  async createLink(documentId: string, options: CreateLinkOptions = {}): Promise<CreatedLink> {
    const session = this.#session();
    const address = this.#address(documentId);
    const role = options.role ?? 'viewer';
    if (role !== 'viewer' && role !== 'editor') throw invalid('a link gives the viewer or editor role');
    if (options.password !== undefined && options.password.length === 0) {
      throw invalid('the link password must not be empty');
    }
    const { keys } = await this.#openGrants(address);
    const secrets = createLinkSecrets();
    const parameters = this.account.kdfParameters;
    const salt = generatePasswordSalt();
    const linkKey =
      options.password === undefined
        ? deriveLinkKey(secrets)
        : deriveLinkKey(secrets, { password: options.password, salt, parameters });
    const sealedKeys = [...keys].map(([keyEpoch, documentKey]) => ({
      keyEpoch,
      sealedKey: toBase64Url(sealKeyWithLinkKey(linkKey, secrets.linkId, address.documentId, keyEpoch, documentKey)),
    }));
    await this.account.request({
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
    this.state.links.set(secrets.linkId, {
      linkId: secrets.linkId,
      documentId: address.documentId,
      role,
      secret: formatLinkFragment(secrets),
      linkKey: toBase64Url(linkKey),
      passwordProtected: options.password !== undefined,
      createdAt: new Date().toISOString(),
    });
    await this.#persist();
    return {
      linkId: secrets.linkId,
      role,
      fragment: formatLinkFragment(secrets),
      url: formatShareUrl(this.account.api.baseUrl, session.tenant, secrets),
      passwordProtected: options.password !== undefined,
    };
  }

  /** A document's links; the URL of those this client created. */
  async listLinks(documentId: string): Promise<LinkSummary[]> {
    const session = this.#session();
    const address = this.#address(documentId);
    const { links } = await this.account.request({
      method: 'GET',
      path: sharingPaths.links(session.tenant, address.documentId),
      schema: LinkListResponseSchema,
    });
    return links.map((link) => {
      const stored = this.state.links.get(link.linkId);
      const url =
        stored && stored.documentId === address.documentId
          ? formatShareUrl(this.account.api.baseUrl, session.tenant, parseLinkFragment(stored.secret))
          : undefined;
      return { ...link, ...(url === undefined ? {} : { url }) };
    });
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
    const check = this.#checkContact(record);
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
      const check = this.#checkContact(fresh);
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

  /** A document's access from the relay (see {@link documentAccess}), kept in the access cache. */
  async #fetchAccess(address: DocumentAddress): Promise<DocumentAccess> {
    await this.#ensureCertified();
    const grants = await this.#openGrants(address);
    const { devices, untrusted } = await this.#memberDevices(address);
    await this.#persist();
    const access: DocumentAccess = {
      address,
      role: grants.role,
      currentEpoch: grants.currentEpoch,
      keyring: new DocumentKeyring(grants.keys),
      devices,
      untrusted,
    };
    await this.#accessCache?.save({
      documentId: address.documentId,
      role: access.role,
      currentEpoch: access.currentEpoch,
      keys: access.keyring.entries(),
      devices: access.devices.entries(),
    });
    return access;
  }

  #address(documentId: string): DocumentAddress {
    const session = this.#session();
    if (!isValidId(documentId)) {
      throw new AccountError('INVALID_DOCUMENT_NAME', { detail: "use 1-64 letters, digits, '-' or '_'" });
    }
    return { tenantId: session.tenant, documentId: parseDocumentId(documentId) };
  }

  async #userKeys(userId: string): Promise<UserKeys> {
    const keys = await this.account.request({
      method: 'GET',
      path: sharingPaths.userKeys(this.#session().tenant, userId),
      schema: UserKeysSchema,
    });
    if (keys.userId !== userId) throw new AccountError('INVALID_RESPONSE', { detail: 'keys of another user' });
    return keys;
  }

  /** Publishes this device's certificate once per workspace when the relay does not list it as certified. */
  #ensureCertified(): Promise<void> {
    this.#certified ??= (async () => {
      const session = this.#session();
      const own = await this.#userKeys(session.userId);
      const listed = own.devices.some(
        (device) =>
          device.deviceId === session.deviceId &&
          constantTimeEqual(fromBase64Url(device.signingPublicKey), session.device.signing.publicKey) &&
          verifyDeviceCertificate(session.tenant, session.userId, session.identity.signing.publicKey, device),
      );
      if (!listed) await this.account.certifyDevice();
    })().catch((error: unknown) => {
      this.#certified = null;
      throw error;
    });
    return this.#certified;
  }

  /** Checks a contact's keys and reports a change. */
  #checkContact(record: ContactRecord): ReturnType<SharingState['contacts']['check']> {
    const check = this.state.contacts.check(record);
    if (check.status === 'changed') this.emit('contact-changed', this.#change(record, check));
    return check;
  }

  #changedError(change: ContactChange): AccountError {
    return new AccountError('CONTACT_KEY_CHANGED', {
      detail:
        `${change.email}: safety number was ${change.previousSafetyNumber}, the relay now serves ` +
        `${change.safetyNumber}. Compare it with them, then accept the new keys (coffre contacts accept).`,
    });
  }

  #change(record: ContactRecord, check: { previousSafetyNumber: string; safetyNumber: string }): ContactChange {
    return {
      userId: record.userId,
      email: record.email ?? record.userId,
      previousSafetyNumber: check.previousSafetyNumber,
      safetyNumber: check.safetyNumber,
    };
  }

  /** Devices in `keys` whose certificate verifies against `identitySigningPublicKey`. */
  #verifiedDevices(keys: UserKeys, identitySigningPublicKey: Uint8Array): [DeviceId, Uint8Array][] {
    const tenant = this.#session().tenant;
    const out: [DeviceId, Uint8Array][] = [];
    for (const device of keys.devices) {
      if (!isValidId(device.deviceId)) continue;
      if (!verifyDeviceCertificate(tenant, keys.userId, identitySigningPublicKey, device)) continue;
      const signingPublicKey = fromBase64Url(device.signingPublicKey);
      this.state.contacts.rememberDevice(keys.userId, device.deviceId, signingPublicKey);
      out.push([deviceId(device.deviceId), signingPublicKey]);
    }
    return out;
  }

  /** The identity signing key to verify `userId`'s signatures with, or why there is none. */
  async #trustedSigningKey(
    userId: string,
    cache: Map<string, Promise<UserKeys>>,
  ): Promise<{ key: Uint8Array; keys: UserKeys | null } | { changed: ContactChange }> {
    const session = this.#session();
    if (userId === session.userId) return { key: session.identity.signing.publicKey, keys: null };
    let pending = cache.get(userId);
    if (!pending) {
      pending = this.#userKeys(userId);
      cache.set(userId, pending);
    }
    const keys = await pending;
    const record = contactRecord(keys);
    const check = this.#checkContact(record);
    if (check.status === 'changed') return { changed: this.#change(record, check) };
    return { key: record.signingPublicKey, keys };
  }

  /** The user's grants of a document, verified and opened; the current epoch's key is required. */
  async #openGrants(address: DocumentAddress): Promise<OpenedGrants> {
    const session = this.#session();
    const response = await this.account
      .request({
        method: 'GET',
        path: sharingPaths.grants(session.tenant, address.documentId),
        schema: GrantListResponseSchema,
      })
      .catch((error: unknown) => {
        if (error instanceof AccountError && error.code === 'NOT_FOUND' && error.detail === undefined) {
          throw new AccountError('NOT_FOUND', {
            status: error.status,
            detail: `no document ${address.documentId} in this organisation`,
            cause: error,
          });
        }
        throw error;
      });
    const cache = new Map<string, Promise<UserKeys>>();
    const keys = new Map<number, Uint8Array>();
    let role: DocumentRole | null = null;
    let failure: AccountError | null = null;
    for (const grant of response.grants) {
      if (keys.has(grant.keyEpoch) || grant.recipientUserId !== session.userId) continue;
      const granter = await this.#trustedSigningKey(grant.granterUserId, cache);
      if ('changed' in granter) {
        failure ??= this.#changedError(granter.changed);
        continue;
      }
      try {
        const documentKey = openGrant({
          grant: {
            tenantId: address.tenantId,
            documentId: address.documentId,
            keyEpoch: grant.keyEpoch,
            granter: parseUserId(grant.granterUserId),
            recipient: parseUserId(grant.recipientUserId),
            role: grant.role,
            sealedKey: fromBase64Url(grant.sealedKey),
            signature: fromBase64Url(grant.signature),
          },
          granterSigningPublicKey: granter.key,
          recipientBoxKeyPair: session.identity.box,
          expected: { tenantId: address.tenantId, documentId: address.documentId, recipient: session.userId },
        });
        if (documentKey.length !== 32) throw new GrantRejectedError('the granted key is not a document key');
        keys.set(grant.keyEpoch, documentKey);
        if (grant.keyEpoch === response.currentEpoch) role = grant.role;
      } catch (error) {
        failure ??= new AccountError('GRANT_REJECTED', {
          detail: `epoch ${grant.keyEpoch}: ${error instanceof Error ? error.message : String(error)}`,
          cause: error,
        });
      }
    }
    if (!keys.has(response.currentEpoch) || role === null) {
      throw failure ?? new AccountError('NO_DOCUMENT_KEY', { detail: `no grant for epoch ${response.currentEpoch}` });
    }
    return { keys, currentEpoch: response.currentEpoch, role };
  }

  /**
   * The devices whose entries a document's readers trust: every member's
   * devices whose certificate verifies against the member's identity key
   * (checked as a known contact), the certified devices remembered from
   * before (former members, revoked devices: what they wrote stays
   * readable), and share-link editors when allowed.
   */
  async #memberDevices(address: DocumentAddress): Promise<{ devices: DeviceDirectory; untrusted: ContactChange[] }> {
    const session = this.#session();
    const { members } = await this.account.request({
      method: 'GET',
      path: sharingPaths.documentMembers(session.tenant, address.documentId),
      schema: DocumentMemberListResponseSchema,
    });
    const directory = this.#directory([]);
    const untrusted: ContactChange[] = [];
    const userIds = new Set(members.map((member) => member.userId));
    userIds.add(session.userId);
    const cache = new Map<string, Promise<UserKeys>>();
    await Promise.all(
      [...userIds].map(async (userId) => {
        if (userId === session.userId) {
          const own = await this.#userKeys(userId);
          for (const [id, key] of this.#verifiedDevices(own, session.identity.signing.publicKey)) {
            directory.set(id, key);
          }
          return;
        }
        const trusted = await this.#trustedSigningKey(userId, cache);
        if ('changed' in trusted) {
          untrusted.push(trusted.changed);
          return;
        }
        if (!trusted.keys) return;
        for (const [id, key] of this.#verifiedDevices(trusted.keys, trusted.key)) directory.set(id, key);
      }),
    );
    const untrustedIds = new Set(untrusted.map((change) => change.userId));
    for (const [id, key] of this.state.contacts.devicesExcept(untrustedIds)) {
      if (isValidId(id) && !directory.has(deviceId(id))) directory.set(deviceId(id), key);
    }
    directory.set(session.deviceId, session.device.signing.publicKey);
    return { devices: directory, untrusted };
  }

  #directory(devices: [DeviceId, Uint8Array][]): DeviceDirectory {
    return new DeviceDirectory(devices, {
      resolve: this.#trustLinkEditors ? (id) => linkDevicePublicKey(id) : undefined,
    });
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
