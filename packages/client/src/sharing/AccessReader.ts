import { constantTimeEqual, fromBase64Url } from '@coffre/crypto';
import {
  type DeviceId,
  type DocumentAddress,
  type DocumentRole,
  type UserId,
  type UserKeys,
  GrantListResponseSchema,
  MembershipResponseSchema,
  UserKeysSchema,
  deviceId,
  isValidId,
  sharingPaths,
  userId as parseUserId,
} from '@coffre/protocol';
import { AccountError } from '../account/AccountError.ts';
import { DeviceDirectory, DocumentKeyring } from '../keys.ts';
import { contactRecord } from './ContactTrust.ts';
import { verifyDeviceCertificate } from './deviceCertificate.ts';
import type { AccessCache, ContactChange, DocumentAccess } from './DocumentAccess.ts';
import { GrantRejectedError, openGrant } from './grants.ts';
import { linkDevicePublicKey } from './linkDevice.ts';
import { type Membership, verifyMembership } from './membership.ts';
import type { WorkspaceContext } from './WorkspaceContext.ts';

/** The signed-in user's grants of a document, verified and opened. */
export interface OpenedGrants {
  keys: Map<number, Uint8Array>;
  currentEpoch: number;
  role: DocumentRole;
}

export interface AccessReaderOptions {
  /** Trust entries of share-link editors (see `WorkspaceOptions.trustLinkEditors`). */
  trustLinkEditors: boolean;
  accessCache?: AccessCache;
}

/**
 * Reads what it takes to open a document from the relay and checks all of
 * it: the user's grants (each granter's identity key checked as a known
 * contact, each grant's signature, then opened), the document's membership
 * (devices certified by their users, writer epochs from the signed grants)
 * and this device's own certificate.
 */
export class AccessReader {
  readonly #context: WorkspaceContext;
  readonly #trustLinkEditors: boolean;
  readonly #accessCache: AccessCache | undefined;
  #certified: Promise<void> | null = null;

  constructor(context: WorkspaceContext, options: AccessReaderOptions) {
    this.#context = context;
    this.#trustLinkEditors = options.trustLinkEditors;
    this.#accessCache = options.accessCache;
  }

  /** A document's access from the relay (see `Workspace.documentAccess`), kept in the access cache. */
  async fetch(address: DocumentAddress): Promise<DocumentAccess> {
    await this.ensureCertified();
    const grants = await this.openGrants(address);
    const { devices, untrusted, membership } = await this.#memberDevices(address);
    await this.#context.persist();
    const access: DocumentAccess = {
      address,
      role: grants.role,
      currentEpoch: grants.currentEpoch,
      keyring: new DocumentKeyring(grants.keys),
      devices,
      untrusted,
      ...(membership.problem ? { membershipProblem: membership.problem } : {}),
    };
    await this.#accessCache?.save({
      documentId: address.documentId,
      role: access.role,
      currentEpoch: access.currentEpoch,
      keys: access.keyring.entries(),
      devices: access.devices.entries(),
      writers: access.devices.writerEntries(),
    });
    return access;
  }
  /** The user's grants of a document, verified and opened; the current epoch's key is required. */
  async openGrants(address: DocumentAddress): Promise<OpenedGrants> {
    const session = this.#context.session();
    const response = await this.#context.account
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
    const cache = new Map<UserId, Promise<UserKeys>>();
    const keys = new Map<number, Uint8Array>();
    let role: DocumentRole | null = null;
    let failure: AccountError | null = null;
    for (const grant of response.grants) {
      if (keys.has(grant.keyEpoch) || grant.recipientUserId !== session.userId) continue;
      const granter = await this.#trustedSigningKey(parseUserId(grant.granterUserId), cache);
      if ('changed' in granter) {
        failure ??= this.#context.contacts.changedError(granter.changed);
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
  async userKeys(userId: UserId): Promise<UserKeys> {
    const keys = await this.#context.account.request({
      method: 'GET',
      path: sharingPaths.userKeys(this.#context.session().tenant, userId),
      schema: UserKeysSchema,
    });
    if (keys.userId !== userId) throw new AccountError('INVALID_RESPONSE', { detail: 'keys of another user' });
    return keys;
  }
  /** Publishes this device's certificate once per workspace when the relay does not list it as certified. */
  ensureCertified(): Promise<void> {
    this.#certified ??= (async () => {
      const session = this.#context.session();
      const own = await this.userKeys(session.userId);
      const listed = own.devices.some(
        (device) =>
          device.deviceId === session.deviceId &&
          constantTimeEqual(fromBase64Url(device.signingPublicKey), session.device.signing.publicKey) &&
          verifyDeviceCertificate(session.tenant, session.userId, session.identity.signing.publicKey, device),
      );
      if (!listed) await this.#context.account.certifyDevice();
    })().catch((error: unknown) => {
      this.#certified = null;
      throw error;
    });
    return this.#certified;
  }
  /** Devices in `keys` whose certificate verifies against `identitySigningPublicKey`. */
  verifiedDevices(keys: UserKeys, identitySigningPublicKey: Uint8Array): [DeviceId, Uint8Array][] {
    const tenant = this.#context.session().tenant;
    const out: [DeviceId, Uint8Array][] = [];
    const user = parseUserId(keys.userId);
    for (const device of keys.devices) {
      if (!isValidId(device.deviceId)) continue;
      if (!verifyDeviceCertificate(tenant, user, identitySigningPublicKey, device)) continue;
      const signingPublicKey = fromBase64Url(device.signingPublicKey);
      const id = deviceId(device.deviceId);
      this.#context.state.contacts.rememberDevice(user, id, signingPublicKey);
      out.push([id, signingPublicKey]);
    }
    return out;
  }
  /** The identity signing key to verify `userId`'s signatures with, or why there is none. */
  async #trustedSigningKey(
    userId: UserId,
    cache: Map<UserId, Promise<UserKeys>>,
  ): Promise<{ key: Uint8Array; keys: UserKeys | null } | { changed: ContactChange }> {
    const session = this.#context.session();
    if (userId === session.userId) return { key: session.identity.signing.publicKey, keys: null };
    let pending = cache.get(userId);
    if (!pending) {
      pending = this.userKeys(userId);
      cache.set(userId, pending);
    }
    const keys = await pending;
    const record = contactRecord(keys);
    const check = this.#context.contacts.check(record);
    if (check.status === 'changed') return { changed: this.#context.contacts.change(record, check) };
    return { key: record.signingPublicKey, keys };
  }
  /**
   * The devices whose entries a document's readers trust, and the key epochs
   * each may write in, from the document's membership (its grant log, see
   * `verifyMembership`): the certified devices, revoked ones included, of
   * everyone the log names, present and past members, each checked against
   * the user's identity key (as a known contact); the certified devices
   * remembered from before; share-link editors when allowed. A device
   * writes only in the epochs its user held a verified owner or editor grant.
   */
  async #memberDevices(
    address: DocumentAddress,
  ): Promise<{ devices: DeviceDirectory; untrusted: ContactChange[]; membership: Membership }> {
    const session = this.#context.session();
    const response = await this.#context.account.request({
      method: 'GET',
      path: sharingPaths.membership(session.tenant, address.documentId),
      schema: MembershipResponseSchema,
    });
    const directory = this.directory([]);
    const untrusted: ContactChange[] = [];
    const signingKeys = new Map<UserId, Uint8Array>([[session.userId, session.identity.signing.publicKey]]);
    const userOfDevice = new Map<DeviceId, UserId>();
    for (const user of response.users) {
      if (!isValidId(user.userId)) continue;
      const id = parseUserId(user.userId);
      let key = session.identity.signing.publicKey;
      if (id !== session.userId) {
        const record = contactRecord(user);
        const check = this.#context.contacts.check(record);
        if (check.status === 'changed') {
          untrusted.push(this.#context.contacts.change(record, check));
          continue;
        }
        key = record.signingPublicKey;
        signingKeys.set(id, key);
      }
      for (const [device, publicKey] of this.verifiedDevices(user, key)) {
        directory.set(device, publicKey);
        userOfDevice.set(device, id);
      }
    }
    const untrustedIds = new Set(untrusted.map((change) => change.userId));
    for (const [id, key, userId] of this.#context.state.contacts.devicesExcept(untrustedIds)) {
      if (directory.has(id)) continue;
      directory.set(id, key);
      userOfDevice.set(id, userId);
    }
    directory.set(session.deviceId, session.device.signing.publicKey);
    userOfDevice.set(session.deviceId, session.userId);

    const membership = verifyMembership({
      address,
      grants: response.grants,
      signingKeyOf: (userId) => signingKeys.get(userId),
      knownCreator: this.#context.state.creators.get(address.documentId),
    });
    if (membership.creator !== null) this.#context.state.creators.set(address.documentId, membership.creator);
    directory.restrictWriters(
      [...userOfDevice].map(([id, userId]) => [id, membership.writers.get(userId) ?? []] as const),
    );
    return { devices: directory, untrusted, membership };
  }
  directory(devices: [DeviceId, Uint8Array][], writers?: [DeviceId, number[]][]): DeviceDirectory {
    return new DeviceDirectory(devices, {
      resolve: this.#trustLinkEditors ? (id) => linkDevicePublicKey(id) : undefined,
      writers,
    });
  }
}
