import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSymmetricKey, ready, toBase64Url } from '@coffre/crypto';
import { LinkSessionResponseSchema, type TenantId, sharingPaths } from '@coffre/protocol';
import { TENANT_TABLES } from '@coffre/sync-server';
import { ApiClient, createTestTenant, errorCodeOf } from './support/accountApi.ts';
import { accountRowsSnapshot } from './support/accountRows.ts';
import { type RelayHarness, randomId, startRelay, storageEngine } from './support/relayHarness.ts';
import {
  type TestDocument,
  type TestLink,
  type TestUser,
  addTestMember,
  certifyCurrentDevice,
  createTestDocument,
  grantFor,
  newTestLink,
  registerTestUser,
  sealForLink,
  tryOpen,
} from './support/sharingApi.ts';

describe(`sharing API tenant isolation (${storageEngine})`, () => {
  let harness: RelayHarness;
  let api: ApiClient;
  let tenantA: TenantId;
  let tenantB: TenantId;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let documentA: TestDocument;
  let documentB: TestDocument;
  let linkA: TestLink;
  let linkB: TestLink;
  const snapshots = async () => ({
    a: await accountRowsSnapshot(harness, tenantA, TENANT_TABLES),
    b: await accountRowsSnapshot(harness, tenantB, TENANT_TABLES),
  });

  const createLink = async (tenant: TenantId, document: TestDocument, owner: TestUser): Promise<TestLink> => {
    const link = newTestLink();
    const answer = await api.request('POST', sharingPaths.links(tenant, document.id), {
      token: owner.session.accessToken,
      json: linkBody(document, link),
    });
    if (answer.status !== 201) throw new Error(`link answered ${answer.status}`);
    return link;
  };
  const linkBody = (document: TestDocument, link: TestLink) => ({
    linkId: link.linkId,
    role: 'viewer',
    verifier: toBase64Url(link.verifier),
    sealedKeys: [{ keyEpoch: 0, sealedKey: sealForLink(link, document.id, 0, document.keys[0] ?? new Uint8Array()) }],
  });
  /** Every sharing route with a body that would be valid for `document` of `tenant`, owned by `owner`. */
  const routes = (
    tenant: TenantId,
    document: TestDocument,
    owner: TestUser,
    member: TestUser,
    link: TestLink,
  ): [string, string, unknown?][] => {
    const key = document.keys[0] ?? new Uint8Array();
    const newKey = generateSymmetricKey();
    const newId = randomId('doc');
    return [
      ['POST', sharingPaths.deviceCertificate(tenant, owner.session.deviceId), { identitySignature: 'A'.repeat(86) }],
      ['GET', `${sharingPaths.userLookup(tenant)}?email=${encodeURIComponent(owner.account.email)}`],
      ['GET', sharingPaths.userKeys(tenant, owner.session.userId)],
      ['GET', sharingPaths.documents(tenant)],
      [
        'POST',
        sharingPaths.documents(tenant),
        { id: newId, grant: grantFor(tenant, newId, owner, owner, 0, 'owner', key) },
      ],
      ['DELETE', sharingPaths.document(tenant, document.id)],
      ['GET', sharingPaths.documentMembers(tenant, document.id)],
      [
        'POST',
        sharingPaths.documentMembers(tenant, document.id),
        {
          userId: member.session.userId,
          role: 'viewer',
          grants: [grantFor(tenant, document.id, owner, member, 0, 'viewer', key)],
        },
      ],
      [
        'POST',
        sharingPaths.rotations(tenant, document.id),
        { removeUserIds: [], newEpoch: 1, grants: [grantFor(tenant, document.id, owner, owner, 1, 'owner', newKey)] },
      ],
      ['GET', sharingPaths.grants(tenant, document.id)],
      ['GET', sharingPaths.links(tenant, document.id)],
      ['POST', sharingPaths.links(tenant, document.id), linkBody(document, newTestLink())],
      ['DELETE', sharingPaths.link(tenant, document.id, link.linkId)],
    ];
  };

  beforeAll(async () => {
    await ready();
    harness = await startRelay();
    api = new ApiClient(harness.httpUrl);
    tenantA = await createTestTenant(harness, randomId('tenant-a'));
    tenantB = await createTestTenant(harness, randomId('tenant-b'));
    alice = await registerTestUser(api, tenantA, 'alice');
    bob = await registerTestUser(api, tenantB, 'bob');
    carol = await registerTestUser(api, tenantB, 'carol');
    for (const [tenant, user] of [
      [tenantA, alice],
      [tenantB, bob],
    ] as const) {
      await certifyCurrentDevice(api, tenant, user);
    }
    documentA = await createTestDocument(api, tenantA, alice);
    documentB = await createTestDocument(api, tenantB, bob);
    await addTestMember(api, tenantB, documentB, bob, carol, 'editor');
    linkA = await createLink(tenantA, documentA, alice);
    linkB = await createLink(tenantB, documentB, bob);
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('refuses a tenant-A token on every tenant-B sharing route with 403, changing nothing', async () => {
    const before = await snapshots();
    for (const [method, path, json] of routes(tenantB, documentB, bob, carol, linkB)) {
      const answer = await api.request(method, path, { token: alice.session.accessToken, json });
      expect([answer.status, errorCodeOf(answer)], `${method} ${path}`).toEqual([403, 'FORBIDDEN']);
    }
    expect(await snapshots()).toEqual(before);
  });

  it("answers 404 at tenant B for tenant A's document, user, device and link ids, changing nothing", async () => {
    const before = await snapshots();
    // Bob at B, with A's ids in B's paths (the document list and creation name no id: left out).
    const attempts = routes(tenantB, documentA, alice, alice, linkA).filter(
      ([, path]) => path !== sharingPaths.documents(tenantB),
    );
    for (const [method, path, json] of attempts) {
      const answer = await api.request(method, path, { token: bob.session.accessToken, json });
      expect([answer.status, errorCodeOf(answer)], `${method} ${path}`).toEqual([404, 'NOT_FOUND']);
    }
    const session = await api.request('POST', sharingPaths.linkSession(tenantB, linkA.linkId), {
      json: { accessProof: toBase64Url(linkA.accessProof) },
    });
    expect([session.status, errorCodeOf(session)]).toEqual([404, 'NOT_FOUND']);
    expect(await snapshots()).toEqual(before);
    // A's documents are not in B's list.
    const listed = await api.request('GET', sharingPaths.documents(tenantB), { token: bob.session.accessToken });
    expect((listed.body as { documents: { id: string }[] }).documents.map((entry) => entry.id)).toEqual([documentB.id]);
  });

  it("creates a document of the same id at tenant B as another document, leaving A's alone", async () => {
    const before = await accountRowsSnapshot(harness, tenantA, TENANT_TABLES);
    const twin = await createTestDocument(api, tenantB, bob, documentA.id);
    expect(twin.id).toBe(documentA.id);
    expect(await accountRowsSnapshot(harness, tenantA, TENANT_TABLES)).toEqual(before);
    const grants = await api.request('GET', sharingPaths.grants(tenantA, documentA.id), {
      token: alice.session.accessToken,
    });
    expect((grants.body as { grants: unknown[] }).grants).toHaveLength(1);
  });

  it('opens no tenant-B document with a tenant-A account or link token', async () => {
    const linkSession = LinkSessionResponseSchema.parse(
      (
        await api.request('POST', sharingPaths.linkSession(tenantA, linkA.linkId), {
          json: { accessProof: toBase64Url(linkA.accessProof) },
        })
      ).body,
    );
    const attempts = await Promise.all([
      tryOpen(harness, `${tenantB}/${documentB.id}`, alice.session.accessToken),
      tryOpen(harness, `${tenantB}/${documentB.id}`, linkSession.accessToken),
      tryOpen(harness, `${tenantB}/${documentA.id}`, linkSession.accessToken),
      tryOpen(harness, `${tenantA}/${documentA.id}`, bob.session.accessToken),
    ]);
    expect(attempts.map((attempt) => attempt.detail)).toEqual([
      'denied:FORBIDDEN',
      'denied:FORBIDDEN',
      'denied:FORBIDDEN',
      'denied:FORBIDDEN',
    ]);
    // And each opens its own.
    const own = await Promise.all([
      tryOpen(harness, `${tenantA}/${documentA.id}`, linkSession.accessToken),
      tryOpen(harness, `${tenantB}/${documentB.id}`, carol.session.accessToken),
    ]);
    expect(own.map((attempt) => attempt.detail)).toEqual(['authenticated:readonly', 'authenticated:read-write']);
    for (const attempt of [...attempts, ...own]) attempt.client.close();
  });
});
