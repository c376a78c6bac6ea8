import { fromBase64Url, hash, toBase64Url, verify } from '@coffre/crypto';
import {
  AddMemberRequestSchema,
  CertifyDeviceRequestSchema,
  CreateDocumentRequestSchema,
  CreateLinkRequestSchema,
  DEVICE_SIGNATURE_DOMAIN,
  type DocumentRole,
  type GrantWire,
  LinkSessionRequestSchema,
  RotateRequestSchema,
  type UserKeys,
  encodeDeviceStatement,
} from '@coffre/protocol';
import { error, json } from './fakeResponses.ts';
import type { FakeAccounts, FakeUser, Grant as AccessGrant, RecordedRequest } from './fakeRelayRecords.ts';

export interface FakeLink {
  linkId: string;
  role: 'viewer' | 'editor';
  verifier: string;
  sealedKeys: Map<number, string>;
  password?: { salt: string; kdf: { opsLimit: number; memLimit: number } };
  revoked: boolean;
}

export interface FakeDocument {
  tenant: string;
  id: string;
  currentEpoch: number;
  members: Map<string, DocumentRole>;
  grants: GrantWire[];
  /** Every grant ever stored, removed members' included (the relay's grant log). */
  grantLog: GrantWire[];
  links: Map<string, FakeLink>;
}

const CREATED_AT = '2026-11-21T08:00:00.000Z';

/**
 * The sharing API of {@link FakeRelay}: documents, members, grants,
 * rotations, links and device certificates, in memory, with the relay's
 * rules (owners only for changes, one grant per remaining member on
 * rotation, every epoch sealed for a link). Signatures of grants are not
 * checked here: the client's checks are what the tests exercise.
 */
export class FakeSharing {
  readonly documents = new Map<string, FakeDocument>();
  readonly #relay: FakeAccounts;

  constructor(relay: FakeAccounts) {
    this.#relay = relay;
  }

  document(tenant: string, id: string): FakeDocument | undefined {
    return this.documents.get(`${tenant}/${id}`);
  }

  /** A user's public identity and certified devices, as the relay serves it. */
  /** Keys served instead of a user's own (a relay swapping someone's identity), by user id. */
  readonly forgedKeys = new Map<string, UserKeys>();

  /** The user's keys and certified devices (with `revoked`, revoked ones too, marked, as the membership has them). */
  userKeys(user: FakeUser, options: { revoked?: boolean } = {}): UserKeys {
    const forged = this.forgedKeys.get(user.id);
    if (forged) {
      return options.revoked
        ? { ...forged, devices: forged.devices.map((device) => ({ ...device, revoked: false })) }
        : forged;
    }
    return {
      userId: user.id,
      email: user.email,
      signingPublicKey: user.signingPublicKey,
      boxPublicKey: user.boxPublicKey,
      devices: [...this.#relay.devices.values()]
        .filter(
          (device) =>
            device.userId === user.id &&
            (options.revoked === true || !device.revoked) &&
            device.identitySignature !== undefined,
        )
        .map((device) => ({
          deviceId: device.id,
          signingPublicKey: device.signingPublicKey,
          boxPublicKey: device.boxPublicKey,
          identitySignature: device.identitySignature ?? '',
          ...(options.revoked ? { revoked: device.revoked } : {}),
        })),
    };
  }

  route(tenant: string, route: string, request: RecordedRequest, caller: AccessGrant): Response | undefined {
    const certificate = /^POST \/me\/devices\/([^/]+)\/certificate$/.exec(route);
    if (certificate) return this.#certify(tenant, decodeURIComponent(certificate[1] ?? ''), request.body, caller);
    if (route === 'GET /users/lookup') {
      const user = this.#relay.userByEmail(tenant, (request.query.get('email') ?? '').toLowerCase());
      return user ? json(200, this.userKeys(user)) : error(404, 'NOT_FOUND');
    }
    const keys = /^GET \/users\/([^/]+)\/keys$/.exec(route);
    if (keys) {
      const user = this.#relay.userById(decodeURIComponent(keys[1] ?? ''));
      return user && user.tenant === tenant ? json(200, this.userKeys(user)) : error(404, 'NOT_FOUND');
    }
    if (route === 'POST /documents') return this.#create(tenant, request.body, caller);
    if (route === 'GET /documents') {
      const documents = [...this.documents.values()]
        .filter((document) => document.tenant === tenant && document.members.has(caller.userId))
        .map((document) => this.#info(document, caller.userId));
      return json(200, { documents });
    }
    const match = /^(GET|POST|DELETE) \/documents\/([^/]+)(\/[a-z]+)?(\/[^/]+)?$/.exec(route);
    if (!match) return undefined;
    const [, method, rawId, sub = '', rawLink] = match;
    const document = this.document(tenant, decodeURIComponent(rawId ?? ''));
    if (!document) return error(404, 'NOT_FOUND');
    const role = document.members.get(caller.userId);
    if (!role) return error(403, 'FORBIDDEN');
    const owner = role === 'owner';
    const call = `${method} ${sub}${rawLink === undefined ? '' : '/:id'}`;
    if (call === 'DELETE ') {
      if (!owner) return error(403, 'FORBIDDEN');
      this.documents.delete(`${tenant}/${document.id}`);
      return new Response(null, { status: 204 });
    }
    if (call === 'GET /members') return json(200, { members: this.#members(document) });
    if (call === 'POST /members') return owner ? this.#addMember(document, request.body) : error(403, 'FORBIDDEN');
    if (call === 'GET /membership') {
      const named = new Set(document.grantLog.flatMap((grant) => [grant.recipientUserId, grant.granterUserId]));
      const users = [...named]
        .map((userId) => this.#relay.userById(userId))
        .filter((user): user is FakeUser => user !== undefined)
        .map((user) => this.userKeys(user, { revoked: true }));
      return json(200, { currentEpoch: document.currentEpoch, grants: document.grantLog, users });
    }
    if (call === 'GET /grants') {
      const grants = document.grants.filter((grant) => grant.recipientUserId === caller.userId);
      return json(200, { grants, currentEpoch: document.currentEpoch });
    }
    if (call === 'POST /rotations') {
      return owner ? this.#rotate(document, request.body, caller.userId) : error(403, 'FORBIDDEN');
    }
    if (!owner) return error(403, 'FORBIDDEN');
    if (call === 'GET /links') {
      const links = [...document.links.values()]
        .filter((link) => !link.revoked)
        .map((link) => ({
          linkId: link.linkId,
          role: link.role,
          passwordProtected: link.password !== undefined,
          createdAt: CREATED_AT,
        }));
      return json(200, { links });
    }
    if (call === 'POST /links') return this.#createLink(document, request.body);
    if (call === 'DELETE /links/:id') {
      const link = document.links.get(decodeURIComponent((rawLink ?? '').slice(1)));
      if (!link || link.revoked) return error(404, 'NOT_FOUND');
      link.revoked = true;
      link.sealedKeys.clear();
      return new Response(null, { status: 204 });
    }
    return undefined;
  }

  linkSession(tenant: string, linkId: string, body: unknown): Response {
    const parsed = LinkSessionRequestSchema.safeParse(body);
    if (!parsed.success) return error(400, 'VALIDATION_FAILED');
    for (const document of this.documents.values()) {
      const link = document.tenant === tenant ? document.links.get(linkId) : undefined;
      if (!link || link.revoked) continue;
      if (toBase64Url(hash(fromBase64Url(parsed.data.accessProof), 32)) !== link.verifier) break;
      const authors = [...document.members.keys()]
        .map((userId) => this.#relay.userById(userId))
        .filter((user): user is FakeUser => user !== undefined)
        .flatMap((user) => this.userKeys(user).devices)
        .map((device) => ({ deviceId: device.deviceId, signingPublicKey: device.signingPublicKey }));
      return json(200, {
        documentId: document.id,
        role: link.role,
        accessToken: `link.${linkId}`,
        expiresIn: 300,
        currentEpoch: document.currentEpoch,
        sealedKeys: [...link.sealedKeys].map(([keyEpoch, sealedKey]) => ({ keyEpoch, sealedKey })),
        ...(link.password ? { password: link.password } : {}),
        authors,
      });
    }
    return error(404, 'NOT_FOUND');
  }

  #certify(tenant: string, deviceId: string, body: unknown, caller: AccessGrant): Response {
    const parsed = CertifyDeviceRequestSchema.safeParse(body);
    if (!parsed.success) return error(400, 'VALIDATION_FAILED');
    const device = this.#relay.devices.get(deviceId);
    const user = this.#relay.userById(caller.userId);
    if (!device || device.userId !== caller.userId || device.revoked || !user) return error(404, 'NOT_FOUND');
    const statement = encodeDeviceStatement({
      tenantId: tenant,
      userId: user.id,
      deviceId,
      signingPublicKey: fromBase64Url(device.signingPublicKey),
      boxPublicKey: fromBase64Url(device.boxPublicKey),
    });
    const signature = fromBase64Url(parsed.data.identitySignature);
    if (!verify(fromBase64Url(user.signingPublicKey), DEVICE_SIGNATURE_DOMAIN, statement, signature)) {
      return error(422, 'VALIDATION_FAILED');
    }
    device.identitySignature = parsed.data.identitySignature;
    return new Response(null, { status: 204 });
  }

  #create(tenant: string, body: unknown, caller: AccessGrant): Response {
    const parsed = CreateDocumentRequestSchema.safeParse(body);
    if (!parsed.success) return error(400, 'VALIDATION_FAILED', parsed.error.message);
    const { id, grant } = parsed.data;
    if (grant.keyEpoch !== 0 || grant.granterUserId !== caller.userId || grant.recipientUserId !== caller.userId) {
      return error(400, 'VALIDATION_FAILED');
    }
    if (this.document(tenant, id)) return error(409, 'DOCUMENT_EXISTS');
    const document: FakeDocument = {
      tenant,
      id,
      currentEpoch: 0,
      members: new Map([[caller.userId, 'owner']]),
      grants: [grant],
      grantLog: [grant],
      links: new Map(),
    };
    this.documents.set(`${tenant}/${id}`, document);
    return json(201, { document: this.#info(document, caller.userId) });
  }

  #addMember(document: FakeDocument, body: unknown): Response {
    const parsed = AddMemberRequestSchema.safeParse(body);
    if (!parsed.success) return error(400, 'VALIDATION_FAILED', parsed.error.message);
    const { userId, role, grants } = parsed.data;
    if (document.members.has(userId)) return error(409, 'MEMBER_EXISTS');
    if (!grants.some((grant) => grant.keyEpoch === document.currentEpoch)) return error(400, 'VALIDATION_FAILED');
    if (grants.some((grant) => grant.recipientUserId !== userId || grant.role !== role)) {
      return error(400, 'VALIDATION_FAILED');
    }
    document.members.set(userId, role);
    document.grants.push(...grants);
    document.grantLog.push(...grants);
    return json(201, { members: this.#members(document) });
  }

  #rotate(document: FakeDocument, body: unknown, callerId: string): Response {
    const parsed = RotateRequestSchema.safeParse(body);
    if (!parsed.success) return error(400, 'VALIDATION_FAILED', parsed.error.message);
    const { removeUserIds, newEpoch, grants, links } = parsed.data;
    if (newEpoch !== document.currentEpoch + 1) return error(409, 'EPOCH_CONFLICT');
    if (removeUserIds.includes(callerId) || removeUserIds.some((id) => !document.members.has(id))) {
      return error(400, 'VALIDATION_FAILED');
    }
    const remaining = [...document.members].filter(([userId]) => !removeUserIds.includes(userId));
    const complete =
      grants.length === remaining.length &&
      remaining.every(([userId, role]) =>
        grants.some((grant) => grant.recipientUserId === userId && grant.role === role && grant.keyEpoch === newEpoch),
      );
    if (!complete) return error(400, 'VALIDATION_FAILED', 'every remaining member needs a grant of the new epoch');
    for (const userId of removeUserIds) document.members.delete(userId);
    document.grants = document.grants.filter((grant) => !removeUserIds.includes(grant.recipientUserId));
    document.grants.push(...grants);
    document.grantLog.push(...grants);
    document.currentEpoch = newEpoch;
    for (const link of document.links.values()) {
      const resealed = links.find((candidate) => candidate.linkId === link.linkId);
      if (resealed) link.sealedKeys.set(resealed.keyEpoch, resealed.sealedKey);
      else {
        link.revoked = true;
        link.sealedKeys.clear();
      }
    }
    return json(200, { currentEpoch: newEpoch });
  }

  #createLink(document: FakeDocument, body: unknown): Response {
    const parsed = CreateLinkRequestSchema.safeParse(body);
    if (!parsed.success) return error(400, 'VALIDATION_FAILED', parsed.error.message);
    const { linkId, role, verifier, sealedKeys, password } = parsed.data;
    if (sealedKeys.length !== document.currentEpoch + 1) return error(400, 'VALIDATION_FAILED');
    const link: FakeLink = {
      linkId,
      role,
      verifier,
      sealedKeys: new Map(sealedKeys.map((entry) => [entry.keyEpoch, entry.sealedKey])),
      ...(password ? { password } : {}),
      revoked: false,
    };
    document.links.set(linkId, link);
    return json(201, { link: { linkId, role, passwordProtected: password !== undefined, createdAt: CREATED_AT } });
  }

  #members(document: FakeDocument) {
    return [...document.members].map(([userId, role]) => ({
      userId,
      email: this.#relay.userById(userId)?.email ?? '',
      role,
    }));
  }

  #info(document: FakeDocument, userId: string) {
    return {
      id: document.id,
      role: document.members.get(userId) ?? 'viewer',
      currentEpoch: document.currentEpoch,
      createdAt: CREATED_AT,
      sizeBytes: 0,
    };
  }
}
