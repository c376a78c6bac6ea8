import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import {
  deriveKeyFromPassword,
  fromBase64Url,
  generatePasswordSalt,
  generateSymmetricKey,
  open,
  openSealedBox,
  ready,
  toBase64Url,
  toHex,
} from '@coffre/crypto';
import { DeviceDirectory, DocumentKeyring, type DeviceIdentity, EncryptedDocument, YjsEngine } from '@coffre/client';
import {
  DocumentListResponseSchema,
  DocumentMemberListResponseSchema,
  DocumentResponseSchema,
  GrantListResponseSchema,
  type GrantWire,
  LinkListResponseSchema,
  LinkSessionResponseSchema,
  type TenantId,
  UserKeysSchema,
  deviceId,
  documentId as toDocumentId,
  parseAccessClaims,
  sharingPaths,
} from '@coffre/protocol';
import { TENANT_TABLES } from '@coffre/sync-server';
import { ApiClient, TEST_KDF, createTestTenant, errorCodeOf, loginAccount } from './support/accountApi.ts';
import { accountRowsSnapshot } from './support/accountRows.ts';
import { dumpTenant, dumpPostgres } from './support/databaseDump.ts';
import { MessageType } from './support/rawClient.ts';
import {
  type RelayHarness,
  randomId,
  readAllFiles,
  startRelay,
  storageEngine,
  waitFor,
} from './support/relayHarness.ts';
import {
  type TestDocument,
  type TestLink,
  type TestUser,
  addTestMember,
  certifyCurrentDevice,
  closeReason,
  createTestDocument,
  deviceCertificate,
  grantFor,
  newTestLink,
  registerTestUser,
  sealForLink,
  signedGrant,
  tryOpen,
} from './support/sharingApi.ts';

const LINK_PASSWORD = 'Quartz-Pelican-link-password-4417';

describe(`sharing API over HTTP and sync (${storageEngine})`, () => {
  let harness: RelayHarness;
  let api: ApiClient;
  let tenant: TenantId;
  let owner: TestUser;
  let editor: TestUser;
  let viewer: TestUser;
  let stranger: TestUser;
  /** Every secret a client held during the tests: none may reach the relay's storage or logs. */
  const secrets: [string, Uint8Array][] = [];
  const documents: EncryptedDocument<YjsEngine>[] = [];
  /** One directory for every test device, so every client trusts every other's entries. */
  const directory = new DeviceDirectory();

  const name = (document: TestDocument) => `${tenant}/${document.id}`;
  const keep = (label: string, bytes: Uint8Array) => secrets.push([label, bytes]);
  const tables = () => accountRowsSnapshot(harness, tenant, TENANT_TABLES);

  const newDocument = async (): Promise<TestDocument> => {
    const document = await createTestDocument(api, tenant, owner);
    keep(`${document.id} key 0`, document.keys[0] ?? new Uint8Array());
    return document;
  };
  /** A document with the editor and the viewer as members. */
  const sharedDocument = async (): Promise<TestDocument> => {
    const document = await newDocument();
    await addTestMember(api, tenant, document, owner, editor, 'editor');
    await addTestMember(api, tenant, document, owner, viewer, 'viewer');
    return document;
  };
  /** The user's signed-in device: the relay takes a member's entries only as the device of its token. */
  const device = (user: TestUser): DeviceIdentity => {
    const identity = { id: deviceId(user.session.deviceId), signingKeyPair: user.account.lastDeviceSigning() };
    directory.set(identity.id, identity.signingKeyPair.publicKey);
    return identity;
  };
  /** A real sync client (Yjs) on the document with `token` and the document keys it knows. */
  const openSynced = (document: TestDocument, token: string, identity: DeviceIdentity, keys = document.keys) => {
    const client = new EncryptedDocument({
      address: { tenantId: tenant, documentId: toDocumentId(document.id) },
      engine: new YjsEngine(),
      device: identity,
      keyring: new DocumentKeyring(keys.map((key, epoch) => [epoch, key] as const)),
      devices: directory,
      url: harness.url,
      token,
      batchWindowMs: 5,
    });
    documents.push(client);
    return client;
  };
  const text = (client: EncryptedDocument<YjsEngine>) => client.engine.doc.getText('body').toString();
  const rotate = (document: TestDocument, body: unknown, token = owner.session.accessToken) =>
    api.request('POST', sharingPaths.rotations(tenant, document.id), { token, json: body });
  /** Rotation to the next epoch removing `removed`, with a fresh key granted to `remaining`. */
  const rotationBody = (
    document: TestDocument,
    removed: TestUser[],
    remaining: [TestUser, 'owner' | 'editor' | 'viewer'][],
    newKey: Uint8Array,
    links: { linkId: string; keyEpoch: number; sealedKey: string }[] = [],
  ) => {
    const newEpoch = document.keys.length;
    return {
      removeUserIds: removed.map((user) => user.session.userId),
      newEpoch,
      grants: remaining.map(([user, role]) => grantFor(tenant, document.id, owner, user, newEpoch, role, newKey)),
      links,
    };
  };
  const createLink = async (document: TestDocument, role: 'viewer' | 'editor', password?: Uint8Array) => {
    const link = newTestLink();
    keep(`link secret ${link.linkId}`, link.secret);
    keep(`link access proof ${link.linkId}`, link.accessProof);
    keep(`link sealing key ${link.linkId}`, link.sealingKey);
    const answer = await api.request('POST', sharingPaths.links(tenant, document.id), {
      token: owner.session.accessToken,
      json: {
        linkId: link.linkId,
        role,
        verifier: toBase64Url(link.verifier),
        sealedKeys: document.keys.map((key, epoch) => ({
          keyEpoch: epoch,
          sealedKey: sealForLink(link, document.id, epoch, key),
        })),
        ...(password ? { password: { salt: toBase64Url(password), kdf: TEST_KDF } } : {}),
      },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return link;
  };
  const linkSession = (link: TestLink, proof = link.accessProof) =>
    api.request('POST', sharingPaths.linkSession(tenant, link.linkId), { json: { accessProof: toBase64Url(proof) } });

  beforeAll(async () => {
    await ready();
    harness = await startRelay();
    api = new ApiClient(harness.httpUrl);
    tenant = await createTestTenant(harness, randomId('share'));
    owner = await registerTestUser(api, tenant, 'owner');
    editor = await registerTestUser(api, tenant, 'editor');
    viewer = await registerTestUser(api, tenant, 'viewer');
    stranger = await registerTestUser(api, tenant, 'stranger');
    for (const user of [owner, editor, viewer]) await certifyCurrentDevice(api, tenant, user);
  });
  afterAll(async () => {
    for (const document of documents) document.destroy();
    await harness.teardown();
  });

  it("certifies a device with the identity key's signature, refuses a forged one, and lists only certified, live devices", async () => {
    const keys = UserKeysSchema.parse(
      (
        await api.request('GET', `${sharingPaths.userLookup(tenant)}?email=OWNER@example.com`, {
          token: stranger.session.accessToken,
        })
      ).body,
    );
    expect(keys).toMatchObject({
      userId: owner.session.userId,
      email: 'owner@example.com',
      signingPublicKey: toBase64Url(owner.account.signing.publicKey),
      boxPublicKey: toBase64Url(owner.account.box.publicKey),
    });
    expect(keys.devices.map((entry) => entry.deviceId)).toEqual([owner.session.deviceId]);
    const byId = await api.request('GET', sharingPaths.userKeys(tenant, owner.session.userId), {
      token: viewer.session.accessToken,
    });
    expect(byId.body).toEqual(keys);
    // The stranger never certified a device: its identity is listed, no device.
    const strangerKeys = await api.request('GET', sharingPaths.userKeys(tenant, stranger.session.userId), {
      token: owner.session.accessToken,
    });
    expect((strangerKeys.body as { devices: unknown[] }).devices).toEqual([]);

    // A second device of the owner's, certified with a key that is not the owner's identity: refused.
    const phone = await loginAccount(api, tenant, owner.account);
    const phoneUser: TestUser = { account: owner.account, session: phone };
    const listed = await api.request('GET', `/v1/tenants/${tenant}/me/devices`, { token: phone.accessToken });
    const phoneDevice = (
      listed.body as { devices: { id: string; signingPublicKey: string; boxPublicKey: string }[] }
    ).devices.find((entry) => entry.id === phone.deviceId);
    if (!phoneDevice) throw new Error('the phone is not listed');
    const before = await tables();
    const forged = await api.request('POST', sharingPaths.deviceCertificate(tenant, phone.deviceId), {
      token: phone.accessToken,
      json: { identitySignature: deviceCertificate(tenant, phoneUser, phoneDevice, stranger.account.signing) },
    });
    expect([forged.status, errorCodeOf(forged)]).toEqual([400, 'VALIDATION_FAILED']);
    // Another user's device is not the caller's to certify.
    const foreign = await api.request('POST', sharingPaths.deviceCertificate(tenant, phone.deviceId), {
      token: stranger.session.accessToken,
      json: { identitySignature: deviceCertificate(tenant, phoneUser, phoneDevice) },
    });
    expect([foreign.status, errorCodeOf(foreign)]).toEqual([404, 'NOT_FOUND']);
    expect(await tables()).toEqual(before);
    // The laptop certifies the phone (any device of the user may), then revokes it: it is no longer listed.
    const certified = await api.request('POST', sharingPaths.deviceCertificate(tenant, phone.deviceId), {
      token: owner.session.accessToken,
      json: { identitySignature: deviceCertificate(tenant, phoneUser, phoneDevice) },
    });
    expect(certified.status).toBe(204);
    const withPhone = UserKeysSchema.parse(
      (
        await api.request('GET', sharingPaths.userKeys(tenant, owner.session.userId), {
          token: owner.session.accessToken,
        })
      ).body,
    );
    expect(withPhone.devices.map((entry) => entry.deviceId)).toEqual([owner.session.deviceId, phone.deviceId]);
    await api.request('DELETE', `/v1/tenants/${tenant}/me/devices/${phone.deviceId}`, {
      token: owner.session.accessToken,
    });
    const afterRevoke = UserKeysSchema.parse(
      (
        await api.request('GET', sharingPaths.userKeys(tenant, owner.session.userId), {
          token: owner.session.accessToken,
        })
      ).body,
    );
    expect(afterRevoke.devices.map((entry) => entry.deviceId)).toEqual([owner.session.deviceId]);

    const unknownEmail = await api.request('GET', `${sharingPaths.userLookup(tenant)}?email=nobody@example.com`, {
      token: owner.session.accessToken,
    });
    expect([unknownEmail.status, errorCodeOf(unknownEmail)]).toEqual([404, 'NOT_FOUND']);
    const unknownId = await api.request('GET', sharingPaths.userKeys(tenant, 'u_nobody'), {
      token: owner.session.accessToken,
    });
    expect([unknownId.status, errorCodeOf(unknownId)]).toEqual([404, 'NOT_FOUND']);
  });

  it('creates a document owned by its creator with an epoch-0 grant that opens to the key, and lists it', async () => {
    const document = await newDocument();
    const listed = DocumentListResponseSchema.parse(
      (await api.request('GET', sharingPaths.documents(tenant), { token: owner.session.accessToken })).body,
    );
    expect(listed.documents.find((entry) => entry.id === document.id)).toMatchObject({
      role: 'owner',
      currentEpoch: 0,
      sizeBytes: 0,
    });
    const grants = GrantListResponseSchema.parse(
      (await api.request('GET', sharingPaths.grants(tenant, document.id), { token: owner.session.accessToken })).body,
    );
    expect(grants.currentEpoch).toBe(0);
    expect(grants.grants).toHaveLength(1);
    const sealedKey = fromBase64Url(grants.grants[0]?.sealedKey ?? '');
    expect(openSealedBox(owner.account.box, sealedKey)).toEqual(document.keys[0]);

    const before = await tables();
    const key = generateSymmetricKey();
    const again = await api.request('POST', sharingPaths.documents(tenant), {
      token: owner.session.accessToken,
      json: { id: document.id, grant: grantFor(tenant, document.id, owner, owner, 0, 'owner', key) },
    });
    expect([again.status, errorCodeOf(again)]).toEqual([409, 'DOCUMENT_EXISTS']);
    const id = randomId('doc');
    const refused: [string, GrantWire][] = [
      ['epoch 1', grantFor(tenant, id, owner, owner, 1, 'owner', key)],
      ['as editor', grantFor(tenant, id, owner, owner, 0, 'editor', key)],
      ['to someone else', grantFor(tenant, id, owner, editor, 0, 'owner', key)],
      ['for another document', grantFor(tenant, randomId('doc'), owner, owner, 0, 'owner', key)],
      [
        'signed by another identity',
        {
          ...grantFor(tenant, id, owner, owner, 0, 'owner', key),
          signature: grantFor(tenant, id, stranger, owner, 0, 'owner', key).signature,
        },
      ],
    ];
    for (const [label, grant] of refused) {
      const answer = await api.request('POST', sharingPaths.documents(tenant), {
        token: owner.session.accessToken,
        json: { id, grant },
      });
      expect([answer.status, errorCodeOf(answer)], label).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect(await tables()).toEqual(before);
  });

  it('adds a member with a valid grant, refuses a forged one, and only the owner may add', async () => {
    const document = await newDocument();
    const added = await api.request('POST', sharingPaths.documentMembers(tenant, document.id), {
      token: owner.session.accessToken,
      json: {
        userId: editor.session.userId,
        role: 'editor',
        grants: [grantFor(tenant, document.id, owner, editor, 0, 'editor', document.keys[0] ?? new Uint8Array())],
      },
    });
    expect(added.status).toBe(201);
    expect(DocumentMemberListResponseSchema.parse(added.body).members).toEqual([
      { userId: owner.session.userId, email: 'owner@example.com', role: 'owner' },
      { userId: editor.session.userId, email: 'editor@example.com', role: 'editor' },
    ]);
    const editorGrants = GrantListResponseSchema.parse(
      (await api.request('GET', sharingPaths.grants(tenant, document.id), { token: editor.session.accessToken })).body,
    );
    expect(editorGrants.grants.map((grant) => [grant.keyEpoch, grant.granterUserId, grant.role])).toEqual([
      [0, owner.session.userId, 'editor'],
    ]);
    expect(openSealedBox(editor.account.box, fromBase64Url(editorGrants.grants[0]?.sealedKey ?? ''))).toEqual(
      document.keys[0],
    );

    const before = await tables();
    const addViewer = (grant: GrantWire, token = owner.session.accessToken, userId = viewer.session.userId) =>
      api.request('POST', sharingPaths.documentMembers(tenant, document.id), {
        token,
        json: { userId, role: 'viewer', grants: [grant] },
      });
    const valid = grantFor(tenant, document.id, owner, viewer, 0, 'viewer', document.keys[0] ?? new Uint8Array());
    // The relay swapped in a key of its own choosing, or a relay-made signature: refused.
    const forgedKey = signedGrant({
      tenant,
      documentId: document.id,
      keyEpoch: 0,
      granter: { userId: owner.session.userId, signing: stranger.account.signing },
      recipientUserId: viewer.session.userId,
      recipientBoxPublicKey: viewer.account.box.publicKey,
      role: 'viewer',
      documentKey: generateSymmetricKey(),
    });
    const forged = await addViewer(forgedKey);
    expect([forged.status, errorCodeOf(forged)]).toEqual([400, 'VALIDATION_FAILED']);
    const tampered = await addViewer({ ...valid, sealedKey: forgedKey.sealedKey });
    expect([tampered.status, errorCodeOf(tampered)]).toEqual([400, 'VALIDATION_FAILED']);
    const promoted = await addViewer({ ...valid, role: 'editor' });
    expect([promoted.status, errorCodeOf(promoted)]).toEqual([400, 'VALIDATION_FAILED']);
    const byEditor = await addViewer(
      grantFor(tenant, document.id, editor, viewer, 0, 'viewer', new Uint8Array(32)),
      editor.session.accessToken,
    );
    expect([byEditor.status, errorCodeOf(byEditor)]).toEqual([403, 'FORBIDDEN']);
    const byStranger = await addViewer(valid, stranger.session.accessToken);
    expect([byStranger.status, errorCodeOf(byStranger)]).toEqual([403, 'FORBIDDEN']);
    const twice = await api.request('POST', sharingPaths.documentMembers(tenant, document.id), {
      token: owner.session.accessToken,
      json: {
        userId: editor.session.userId,
        role: 'editor',
        grants: [grantFor(tenant, document.id, owner, editor, 0, 'editor', document.keys[0] ?? new Uint8Array())],
      },
    });
    expect([twice.status, errorCodeOf(twice)]).toEqual([409, 'MEMBER_EXISTS']);
    expect(await tables()).toEqual(before);

    expect((await addViewer(valid)).status).toBe(201);
    const members = await api.request('GET', sharingPaths.documentMembers(tenant, document.id), {
      token: viewer.session.accessToken,
    });
    expect(DocumentMemberListResponseSchema.parse(members.body).members.map((member) => member.role)).toEqual([
      'owner',
      'editor',
      'viewer',
    ]);
    for (const path of [sharingPaths.documentMembers(tenant, document.id), sharingPaths.grants(tenant, document.id)]) {
      const answer = await api.request('GET', path, { token: stranger.session.accessToken });
      expect([answer.status, errorCodeOf(answer)], path).toEqual([403, 'FORBIDDEN']);
    }
    const links = await api.request('GET', sharingPaths.links(tenant, document.id), {
      token: editor.session.accessToken,
    });
    expect([links.status, errorCodeOf(links)]).toEqual([403, 'FORBIDDEN']);
  });

  it('members open the document over sync, viewers read-only, and non-members are refused', async () => {
    const document = await sharedDocument();
    const opened = await Promise.all(
      [owner, editor, viewer, stranger].map((user) => tryOpen(harness, name(document), user.session.accessToken)),
    );
    expect(opened.map((attempt) => attempt.detail)).toEqual([
      'authenticated:read-write',
      'authenticated:read-write',
      'authenticated:readonly',
      'denied:FORBIDDEN',
    ]);
    for (const attempt of opened) attempt.client.close();

    const ownerCopy = openSynced(document, owner.session.accessToken, device(owner));
    const editorCopy = openSynced(document, editor.session.accessToken, device(editor));
    const viewerCopy = openSynced(document, viewer.session.accessToken, device(viewer));
    await Promise.all([ownerCopy.whenSynced(), editorCopy.whenSynced(), viewerCopy.whenSynced()]);
    ownerCopy.engine.doc.getText('body').insert(0, 'Agenda: budget. ');
    await waitFor(() => text(editorCopy) === 'Agenda: budget. ', 10_000, 'the editor reads the owner');
    editorCopy.engine.doc.getText('body').insert(text(editorCopy).length, 'Hiring.');
    await waitFor(() => text(viewerCopy) === 'Agenda: budget. Hiring.', 10_000, 'the viewer reads both');
    viewerCopy.engine.doc.getText('body').insert(0, 'vandalism ');
    viewerCopy.envelope.flush();
    await Promise.all([ownerCopy.whenSaved(), editorCopy.whenSaved()]);
    const fresh = openSynced(document, owner.session.accessToken, device(owner));
    await fresh.whenSynced();
    await waitFor(() => text(fresh) === 'Agenda: budget. Hiring.', 10_000, 'a fresh copy');
    expect(text(ownerCopy)).toBe('Agenda: budget. Hiring.');
    const listed = DocumentListResponseSchema.parse(
      (await api.request('GET', sharingPaths.documents(tenant), { token: viewer.session.accessToken })).body,
    );
    expect(listed.documents.find((entry) => entry.id === document.id)?.sizeBytes).toBeGreaterThan(0);
    for (const copy of [ownerCopy, editorCopy, viewerCopy, fresh]) copy.destroy();
  });

  it('rotation removes a member: their open connection closes, a new one is refused, and the rest get the new epoch', async () => {
    const document = await sharedDocument();
    const editorSocket = await tryOpen(harness, name(document), editor.session.accessToken);
    const ownerSocket = await tryOpen(harness, name(document), owner.session.accessToken);
    expect(editorSocket.detail).toBe('authenticated:read-write');
    const editorCopy = openSynced(document, editor.session.accessToken, device(editor));
    await editorCopy.whenSynced();
    const editorError = new Promise<string>((resolve) => editorCopy.on('error', (error) => resolve(error.code)));

    const newKey = generateSymmetricKey();
    keep(`${document.id} key 1`, newKey);
    // Grants must cover every remaining member, once, with their role: refused otherwise, and nothing changes.
    const before = await tables();
    const incomplete = await rotate(document, rotationBody(document, [editor], [[owner, 'owner']], newKey));
    expect([incomplete.status, errorCodeOf(incomplete)]).toEqual([400, 'VALIDATION_FAILED']);
    const wrongRole = await rotate(
      document,
      rotationBody(
        document,
        [editor],
        [
          [owner, 'owner'],
          [viewer, 'editor'],
        ],
        newKey,
      ),
    );
    expect([wrongRole.status, errorCodeOf(wrongRole)]).toEqual([400, 'VALIDATION_FAILED']);
    const removedKeepsGrant = await rotate(
      document,
      rotationBody(
        document,
        [editor],
        [
          [owner, 'owner'],
          [viewer, 'viewer'],
          [editor, 'editor'],
        ],
        newKey,
      ),
    );
    expect([removedKeepsGrant.status, errorCodeOf(removedKeepsGrant)]).toEqual([400, 'VALIDATION_FAILED']);
    const byEditor = await rotate(
      document,
      rotationBody(
        document,
        [viewer],
        [
          [owner, 'owner'],
          [editor, 'editor'],
        ],
        newKey,
      ),
      editor.session.accessToken,
    );
    expect([byEditor.status, errorCodeOf(byEditor)]).toEqual([403, 'FORBIDDEN']);
    const stale = await rotate(document, {
      ...rotationBody(
        document,
        [editor],
        [
          [owner, 'owner'],
          [viewer, 'viewer'],
        ],
        newKey,
      ),
      newEpoch: 0,
    });
    expect([stale.status, errorCodeOf(stale)]).toEqual([409, 'EPOCH_CONFLICT']);
    expect(await tables()).toEqual(before);

    const rotated = await rotate(
      document,
      rotationBody(
        document,
        [editor],
        [
          [owner, 'owner'],
          [viewer, 'viewer'],
        ],
        newKey,
      ),
    );
    expect([rotated.status, rotated.body]).toEqual([200, { currentEpoch: 1 }]);
    document.keys.push(newKey);
    expect(await closeReason(editorSocket.client, name(document))).toBe('FORBIDDEN');
    expect(await editorError).toBe('FORBIDDEN');
    const again = await tryOpen(harness, name(document), editor.session.accessToken);
    expect(again.detail).toBe('denied:FORBIDDEN');
    expect(ownerSocket.client.replies.some((reply) => reply.type === MessageType.Close)).toBe(false);
    const editorGrants = await api.request('GET', sharingPaths.grants(tenant, document.id), {
      token: editor.session.accessToken,
    });
    expect([editorGrants.status, errorCodeOf(editorGrants)]).toEqual([403, 'FORBIDDEN']);
    const viewerGrants = GrantListResponseSchema.parse(
      (await api.request('GET', sharingPaths.grants(tenant, document.id), { token: viewer.session.accessToken })).body,
    );
    expect(viewerGrants.currentEpoch).toBe(1);
    expect(viewerGrants.grants.map((grant) => grant.keyEpoch)).toEqual([0, 1]);
    expect(openSealedBox(viewer.account.box, fromBase64Url(viewerGrants.grants[1]?.sealedKey ?? ''))).toEqual(newKey);
    const leftover = await harness.relay.database.withTenant(tenant, (sql) =>
      sql.query('select 1 from key_grants where document_id = $1 and recipient_user_id = $2', [
        document.id,
        editor.session.userId,
      ]),
    );
    expect(leftover).toEqual([]);
    // The same epoch again is a conflict: someone rotated in between.
    const conflict = await rotate(document, {
      ...rotationBody(
        document,
        [],
        [
          [owner, 'owner'],
          [viewer, 'viewer'],
        ],
        generateSymmetricKey(),
      ),
      newEpoch: 1,
    });
    expect([conflict.status, errorCodeOf(conflict)]).toEqual([409, 'EPOCH_CONFLICT']);

    // Added back (with both epochs), the editor opens the document again at once.
    await addTestMember(api, tenant, document, owner, editor, 'editor');
    const readmitted = await tryOpen(harness, name(document), editor.session.accessToken);
    expect(readmitted.detail).toBe('authenticated:read-write');
    for (const socket of [editorSocket, ownerSocket, again, readmitted]) socket.client.close();
    editorCopy.destroy();
  });

  it('a share link opens its document read-only; revoking it closes the connection and later sessions get 404', async () => {
    const document = await sharedDocument();
    const writer = openSynced(document, owner.session.accessToken, device(owner));
    await writer.whenSynced();
    writer.engine.doc.getText('body').insert(0, 'Published minutes.');
    await writer.whenSaved();

    const salt = generatePasswordSalt();
    keep('link password key', deriveKeyFromPassword(LINK_PASSWORD, salt, TEST_KDF));
    const link = await createLink(document, 'viewer', salt);
    const listedLinks = LinkListResponseSchema.parse(
      (await api.request('GET', sharingPaths.links(tenant, document.id), { token: owner.session.accessToken })).body,
    );
    expect(listedLinks.links).toEqual([
      { linkId: link.linkId, role: 'viewer', passwordProtected: true, createdAt: expect.any(String) as string },
    ]);

    const answer = await linkSession(link);
    expect(answer.status).toBe(200);
    const session = LinkSessionResponseSchema.parse(answer.body);
    expect(session).toMatchObject({
      documentId: document.id,
      role: 'viewer',
      expiresIn: 300,
      currentEpoch: 0,
      password: { salt: toBase64Url(salt), kdf: TEST_KDF },
    });
    // The certified devices of everyone ever granted the document, revoked ones too (to verify every entry
    // with, as members do), and nothing that says who they are.
    const granted = [owner, editor, viewer].map((user) => user.session.userId);
    const devicesEver = await harness.relay.database.withTenant(tenant, (sql) =>
      sql.query<{ id: string }>(
        'select id from devices where user_id in ($1, $2, $3) and identity_signature is not null',
        granted,
      ),
    );
    expect(new Set(session.authors.map((author) => author.deviceId))).toEqual(
      new Set(devicesEver.map((row) => row.id)),
    );
    for (const user of [owner, editor, viewer]) {
      expect(session.authors.map((author) => author.deviceId)).toContain(user.session.deviceId);
    }
    expect(Object.keys(session.authors[0] ?? {}).sort()).toEqual(['deviceId', 'signingPublicKey']);
    const answerText = JSON.stringify(answer.body);
    for (const user of [owner, editor, viewer]) {
      expect(answerText).not.toContain(user.session.userId);
      expect(answerText).not.toContain(toBase64Url(user.account.signing.publicKey));
    }
    expect(answerText).not.toContain('@example.com');
    const sealed = fromBase64Url(session.sealedKeys[0]?.sealedKey ?? '');
    const aad = new TextEncoder().encode(`test-link|${link.linkId}|${document.id}|0`);
    expect(open(link.sealingKey, sealed, aad)).toEqual(document.keys[0]);
    expect(parseAccessClaims(decodeJwt(session.accessToken))).toEqual({
      sub: `link-${link.linkId.slice(0, 16)}`,
      tenant,
      role: 'viewer',
      sid: `l_${link.linkId}`,
      doc: document.id,
      access: 'read',
    });

    const reader = await tryOpen(harness, name(document), session.accessToken);
    expect(reader.detail).toBe('authenticated:readonly');
    const elsewhere = await tryOpen(harness, name(await newDocument()), session.accessToken);
    expect(elsewhere.detail).toBe('denied:FORBIDDEN');
    const onTheApi = await api.request('GET', sharingPaths.documents(tenant), { token: session.accessToken });
    expect([onTheApi.status, errorCodeOf(onTheApi)]).toEqual([401, 'UNAUTHENTICATED']);
    const readerCopy = openSynced(document, session.accessToken, device(stranger));
    await readerCopy.whenSynced();
    await waitFor(() => text(readerCopy) === 'Published minutes.', 10_000, 'the link reader reads');

    const wrongProof = await linkSession(link, new Uint8Array(32));
    const unknown = await linkSession(newTestLink());
    expect([wrongProof.status, errorCodeOf(wrongProof)]).toEqual([404, 'NOT_FOUND']);
    expect(unknown.body).toEqual(wrongProof.body);

    const editLink = await createLink(document, 'editor');
    const editSession = LinkSessionResponseSchema.parse((await linkSession(editLink)).body);
    expect(editSession).toMatchObject({ role: 'editor' });
    expect(editSession.password).toBeUndefined();
    const editing = await tryOpen(harness, name(document), editSession.accessToken);
    expect(editing.detail).toBe('authenticated:read-write');

    const byEditor = await api.request('DELETE', sharingPaths.link(tenant, document.id, link.linkId), {
      token: editor.session.accessToken,
    });
    expect([byEditor.status, errorCodeOf(byEditor)]).toEqual([403, 'FORBIDDEN']);
    const revoked = await api.request('DELETE', sharingPaths.link(tenant, document.id, link.linkId), {
      token: owner.session.accessToken,
    });
    expect(revoked.status).toBe(204);
    expect(await closeReason(reader.client, name(document))).toBe('FORBIDDEN');
    const afterRevoke = await linkSession(link);
    expect([afterRevoke.status, afterRevoke.body]).toEqual([404, unknown.body]);
    expect((await tryOpen(harness, name(document), session.accessToken)).detail).toBe('denied:FORBIDDEN');
    const revokedTwice = await api.request('DELETE', sharingPaths.link(tenant, document.id, link.linkId), {
      token: owner.session.accessToken,
    });
    expect([revokedTwice.status, errorCodeOf(revokedTwice)]).toEqual([404, 'NOT_FOUND']);
    // The edit link is untouched.
    expect(editing.client.replies.some((reply) => reply.type === MessageType.Close)).toBe(false);
    for (const socket of [reader, elsewhere, editing]) socket.client.close();
    writer.destroy();
    readerCopy.destroy();
  });

  it('rotation re-seals the links it lists and revokes the others, closing their connections', async () => {
    const document = await sharedDocument();
    const kept = await createLink(document, 'viewer');
    const dropped = await createLink(document, 'viewer');
    const droppedSession = LinkSessionResponseSchema.parse((await linkSession(dropped)).body);
    const droppedSocket = await tryOpen(harness, name(document), droppedSession.accessToken);
    expect(droppedSocket.detail).toBe('authenticated:readonly');

    const newKey = generateSymmetricKey();
    keep(`${document.id} key 1`, newKey);
    const resealed = { linkId: kept.linkId, keyEpoch: 1, sealedKey: sealForLink(kept, document.id, 1, newKey) };
    const unknownLink = { ...resealed, linkId: newTestLink().linkId };
    const refused = await rotate(
      document,
      rotationBody(
        document,
        [viewer],
        [
          [owner, 'owner'],
          [editor, 'editor'],
        ],
        newKey,
        [resealed, unknownLink],
      ),
    );
    expect([refused.status, errorCodeOf(refused)]).toEqual([400, 'VALIDATION_FAILED']);
    const rotated = await rotate(
      document,
      rotationBody(
        document,
        [viewer],
        [
          [owner, 'owner'],
          [editor, 'editor'],
        ],
        newKey,
        [resealed],
      ),
    );
    expect(rotated.status).toBe(200);
    expect(await closeReason(droppedSocket.client, name(document))).toBe('FORBIDDEN');
    expect((await linkSession(dropped)).status).toBe(404);
    const keptSession = LinkSessionResponseSchema.parse((await linkSession(kept)).body);
    expect(keptSession.currentEpoch).toBe(1);
    expect(keptSession.sealedKeys.map((entry) => entry.keyEpoch)).toEqual([0, 1]);
    // The removed viewer's device stays among the authors: what a member wrote before leaving still verifies.
    expect(keptSession.authors.map((author) => author.deviceId)).toContain(viewer.session.deviceId);
    // A link must carry the key of every epoch.
    const partial = newTestLink();
    const answer = await api.request('POST', sharingPaths.links(tenant, document.id), {
      token: owner.session.accessToken,
      json: {
        linkId: partial.linkId,
        role: 'viewer',
        verifier: toBase64Url(partial.verifier),
        sealedKeys: [{ keyEpoch: 1, sealedKey: sealForLink(partial, document.id, 1, newKey) }],
      },
    });
    expect([answer.status, errorCodeOf(answer)]).toEqual([400, 'VALIDATION_FAILED']);
    droppedSocket.client.close();
  });

  it('deleting a document removes every row of it, closes its connections, and frees its id', async () => {
    const document = await sharedDocument();
    const writer = openSynced(document, owner.session.accessToken, device(owner));
    await writer.whenSynced();
    writer.engine.doc.getText('body').insert(0, 'Soon gone.');
    await writer.whenSaved();
    await createLink(document, 'viewer');
    const viewerSocket = await tryOpen(harness, name(document), viewer.session.accessToken);

    const byEditor = await api.request('DELETE', sharingPaths.document(tenant, document.id), {
      token: editor.session.accessToken,
    });
    expect([byEditor.status, errorCodeOf(byEditor)]).toEqual([403, 'FORBIDDEN']);
    const deleted = await api.request('DELETE', sharingPaths.document(tenant, document.id), {
      token: owner.session.accessToken,
    });
    expect(deleted.status).toBe(204);
    expect(await closeReason(viewerSocket.client, name(document))).toBe('NOT_FOUND');
    await waitFor(() => !harness.relay.hocuspocus.documents.has(name(document)), 5000, 'the envelope to leave memory');
    const rows = await harness.relay.database.withTenant(tenant, (sql) =>
      sql.query<{ table_name: string; n: bigint }>(
        `select 'documents' as table_name, count(*) as n from documents where id = $1
         union all select 'document_updates', count(*) from document_updates where document_id = $1
         union all select 'document_states', count(*) from document_states where document_id = $1
         union all select 'document_members', count(*) from document_members where document_id = $1
         union all select 'key_grants', count(*) from key_grants where document_id = $1
         union all select 'links', count(*) from links where document_id = $1`,
        [document.id],
      ),
    );
    for (const row of rows) expect(row.n, row.table_name).toBe(0n);
    const grants = await api.request('GET', sharingPaths.grants(tenant, document.id), {
      token: owner.session.accessToken,
    });
    expect([grants.status, errorCodeOf(grants)]).toEqual([404, 'NOT_FOUND']);
    const reopened = await tryOpen(harness, name(document), viewer.session.accessToken);
    expect(reopened.detail).toBe('denied:FORBIDDEN');
    writer.destroy();

    // The id is free again, and its new owner opens it at once.
    const key = generateSymmetricKey();
    keep(`${document.id} recreated key`, key);
    const recreated = await api.request('POST', sharingPaths.documents(tenant), {
      token: editor.session.accessToken,
      json: { id: document.id, grant: grantFor(tenant, document.id, editor, editor, 0, 'owner', key) },
    });
    expect(recreated.status).toBe(201);
    expect(DocumentResponseSchema.parse(recreated.body).document).toMatchObject({ role: 'owner', sizeBytes: 0 });
    const fresh = await tryOpen(harness, name(document), editor.session.accessToken);
    expect(fresh.detail).toBe('authenticated:read-write');
    const newCopy = openSynced({ id: document.id, keys: [key] }, editor.session.accessToken, device(editor));
    await newCopy.whenSynced();
    expect(newCopy.envelope.size.entries).toBe(0);
    for (const socket of [viewerSocket, reopened, fresh]) socket.client.close();
    newCopy.destroy();
  });

  it('stores and logs no document key of any epoch, no link secret and no link password', async () => {
    expect(secrets.length).toBeGreaterThan(10);
    const needles: [string, string][] = [['link password', LINK_PASSWORD]];
    for (const [label, bytes] of secrets) {
      needles.push([`${label} (raw)`, Buffer.from(bytes).toString('latin1')]);
      needles.push([`${label} (base64url)`, toBase64Url(bytes)]);
      needles.push([`${label} (base64)`, Buffer.from(bytes).toString('base64')]);
      needles.push([`${label} (hex)`, toHex(bytes)]);
    }
    const haystacks: { where: string; text: string }[] = [
      { where: 'relay log', text: harness.logs() },
      { where: 'tables (application role)', text: await dumpTenant(harness, tenant) },
    ];
    if (process.env.DATABASE_URL) {
      haystacks.push({ where: 'postgres (admin)', text: await dumpPostgres(process.env.DATABASE_URL) });
    }
    // Sanity: the dump holds grants, links and sealed keys (metadata and ciphertext the relay may keep).
    const dump = haystacks[1]?.text ?? '';
    expect(dump).toContain(owner.session.userId);
    const [counts] = await harness.relay.database.withTenant(tenant, (sql) =>
      sql.query<{ grants: bigint; links: bigint; link_keys: bigint }>(
        `select (select count(*) from key_grants) as grants, (select count(*) from links) as links,
                (select count(*) from link_keys) as link_keys`,
      ),
    );
    expect(counts?.grants).toBeGreaterThan(5n);
    expect(counts?.links).toBeGreaterThan(2n);
    expect(counts?.link_keys).toBeGreaterThan(2n);
    await harness.stop();
    for (const file of await readAllFiles(harness.dataDir)) {
      haystacks.push({ where: file.path, text: file.bytes.toString('latin1') });
    }
    for (const { where, text: haystack } of haystacks) {
      for (const [label, needle] of needles)
        expect(haystack.includes(needle), `${label} found in ${where}`).toBe(false);
    }
  });
});
