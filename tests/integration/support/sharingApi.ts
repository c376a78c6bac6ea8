import {
  type SigningKeyPair,
  fromBase64Url,
  generateBoxKeyPair,
  generateSymmetricKey,
  hash,
  randomBytes,
  seal,
  sealToPublicKey,
  sign,
  toBase64Url,
  toHex,
} from '@coffre/crypto';
import {
  DEVICE_SIGNATURE_DOMAIN,
  type DocumentRole,
  GRANT_SIGNATURE_DOMAIN,
  type GrantWire,
  type SessionResponse,
  documentId as toDocumentId,
  encodeDeviceStatement,
  encodeGrantStatement,
  sharingPaths,
  tenantId as toTenantId,
  userId as toUserId,
} from '@coffre/protocol';
import { type ApiClient, type TestAccount, deriveTestAccount, registerAccount } from './accountApi.ts';
import { MessageType, RawClient } from './rawClient.ts';
import { type RelayHarness, randomId } from './relayHarness.ts';

/** Someone who can sign grants: an account's identity and its user id. */
export interface Granter {
  userId: string;
  signing: SigningKeyPair;
}

export interface GrantInput {
  tenant: string;
  documentId: string;
  keyEpoch: number;
  granter: Granter;
  recipientUserId: string;
  recipientBoxPublicKey: Uint8Array;
  role: DocumentRole;
  documentKey: Uint8Array;
}

/**
 * A key grant made the way a client makes one: the document key sealed to
 * the recipient's identity box key, the statement signed by the granter's
 * identity key under the grant domain.
 */
export function signedGrant(input: GrantInput): GrantWire {
  const sealedKey = sealToPublicKey(input.recipientBoxPublicKey, input.documentKey);
  const statement = encodeGrantStatement({
    tenantId: toTenantId(input.tenant),
    documentId: toDocumentId(input.documentId),
    keyEpoch: input.keyEpoch,
    granter: toUserId(input.granter.userId),
    recipient: toUserId(input.recipientUserId),
    role: input.role,
    sealedKey,
  });
  return {
    keyEpoch: input.keyEpoch,
    granterUserId: input.granter.userId,
    recipientUserId: input.recipientUserId,
    role: input.role,
    sealedKey: toBase64Url(sealedKey),
    signature: toBase64Url(sign(input.granter.signing.secretKey, GRANT_SIGNATURE_DOMAIN, statement)),
  };
}

/** A signed-in test user: the account's secrets and its session. */
export interface TestUser {
  account: TestAccount;
  session: SessionResponse;
}

export function granterOf(user: TestUser): Granter {
  return { userId: user.session.userId, signing: user.account.signing };
}

/** A grant from `granter` to `recipient` (or to themself). */
export function grantFor(
  tenant: string,
  documentId: string,
  granter: TestUser,
  recipient: TestUser,
  keyEpoch: number,
  role: DocumentRole,
  documentKey: Uint8Array,
): GrantWire {
  return signedGrant({
    tenant,
    documentId,
    keyEpoch,
    granter: granterOf(granter),
    recipientUserId: recipient.session.userId,
    recipientBoxPublicKey: recipient.account.box.publicKey,
    role,
    documentKey,
  });
}

/** A document created through the API, with its keys by epoch. */
export interface TestDocument {
  id: string;
  keys: Uint8Array[];
}

/** Creates a document owned by `owner` with a fresh epoch-0 key; throws unless the relay answers 201. */
export async function createTestDocument(
  api: ApiClient,
  tenant: string,
  owner: TestUser,
  id = randomId('doc'),
): Promise<TestDocument> {
  const documentKey = generateSymmetricKey();
  const grant = grantFor(tenant, id, owner, owner, 0, 'owner', documentKey);
  await api.expectOk(sharingPaths.documents(tenant), { id, grant }, 201, owner.session.accessToken);
  return { id, keys: [documentKey] };
}

/** Adds `member` to the document with grants of every epoch the document has; throws unless 201. */
export async function addTestMember(
  api: ApiClient,
  tenant: string,
  document: TestDocument,
  owner: TestUser,
  member: TestUser,
  role: DocumentRole,
): Promise<void> {
  const grants = document.keys.map((key, epoch) => grantFor(tenant, document.id, owner, member, epoch, role, key));
  await api.expectOk(
    sharingPaths.documentMembers(tenant, document.id),
    { userId: member.session.userId, role, grants },
    201,
    owner.session.accessToken,
  );
}

/** Registers a new account in `tenant` (cheap test KDF). */
export async function registerTestUser(api: ApiClient, tenant: string, name: string): Promise<TestUser> {
  const account = deriveTestAccount(`${name}@example.com`, `${name}'s passphrase, long enough`);
  return { account, session: await registerAccount(api, tenant, account) };
}

/** The identity signature over one of a user's devices, as `POST /me/devices/{id}/certificate` takes it. */
export function deviceCertificate(
  tenant: string,
  user: TestUser,
  device: { id: string; signingPublicKey: string; boxPublicKey: string },
  signer: SigningKeyPair = user.account.signing,
): string {
  const statement = encodeDeviceStatement({
    tenantId: tenant,
    userId: user.session.userId,
    deviceId: device.id,
    signingPublicKey: fromBase64Url(device.signingPublicKey),
    boxPublicKey: fromBase64Url(device.boxPublicKey),
  });
  return toBase64Url(sign(signer.secretKey, DEVICE_SIGNATURE_DOMAIN, statement));
}

/** Certifies the user's current device through the API; throws unless 204. */
export async function certifyCurrentDevice(api: ApiClient, tenant: string, user: TestUser): Promise<void> {
  const listed = await api.request('GET', `/v1/tenants/${tenant}/me/devices`, { token: user.session.accessToken });
  const devices = (listed.body as { devices: { id: string; signingPublicKey: string; boxPublicKey: string }[] })
    .devices;
  const device = devices.find((entry) => entry.id === user.session.deviceId);
  if (!device) throw new Error('the current device is not listed');
  const answer = await api.request('POST', sharingPaths.deviceCertificate(tenant, device.id), {
    token: user.session.accessToken,
    json: { identitySignature: deviceCertificate(tenant, user, device) },
  });
  if (answer.status !== 204) throw new Error(`certificate answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

/** A raw sync connection that tried to open `document` (tenant/id) with `token`; `detail` is the auth answer. */
export async function tryOpen(
  harness: RelayHarness,
  document: string,
  token: string,
): Promise<{ client: RawClient; detail: string }> {
  const client = new RawClient(harness.url);
  await client.opened();
  client.authenticate(document, token);
  const reply = await client.waitFor((r) => r.type === MessageType.Auth && r.document === document);
  return { client, detail: typeof reply?.detail === 'string' ? reply.detail : `no answer (${client.closed?.code})` };
}

/** The reason of the Close message the relay sends for `document`, or undefined if the socket closed first. */
export async function closeReason(client: RawClient, document: string, timeoutMs = 5000): Promise<string | undefined> {
  const reply = await client.waitFor((r) => r.type === MessageType.Close && r.document === document, timeoutMs);
  return typeof reply?.detail === 'string' ? reply.detail : undefined;
}

/**
 * A share link's secrets as a client derives them (the relay sees only the
 * link id, the verifier hash(accessProof), and keys sealed with `sealingKey`).
 */
export interface TestLink {
  secret: Uint8Array;
  linkId: string;
  accessProof: Uint8Array;
  sealingKey: Uint8Array;
  verifier: Uint8Array;
}

export function newTestLink(): TestLink {
  const secret = randomBytes(32);
  const part = (label: string, length = 32) =>
    hash(new Uint8Array([...new TextEncoder().encode(label), ...secret]), length);
  const accessProof = part('proof');
  return {
    secret,
    linkId: toHex(part('id', 16)),
    accessProof,
    sealingKey: part('seal'),
    verifier: hash(accessProof, 32),
  };
}

/** The document key of one epoch sealed for a link: 24 + 32 + 16 = 72 bytes, opaque to the relay. */
export function sealForLink(link: TestLink, documentId: string, keyEpoch: number, documentKey: Uint8Array): string {
  return toBase64Url(
    seal(link.sealingKey, documentKey, new TextEncoder().encode(`test-link|${link.linkId}|${documentId}|${keyEpoch}`)),
  );
}

/** A box public key nobody holds the secret of (for grants to a stranger's key). */
export function strayBoxPublicKey(): Uint8Array {
  return generateBoxKeyPair().publicKey;
}
