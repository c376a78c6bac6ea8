import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, generateKeyPair } from 'jose';
import { generateSymmetricKey, ready, toBase64Url } from '@coffre/crypto';
import {
  ERROR_MESSAGES,
  LinkSessionResponseSchema,
  TOKEN_AUDIENCE,
  type TenantId,
  isErrorCode,
  sharingPaths,
} from '@coffre/protocol';
import { DEFAULT_ISSUER, TENANT_TABLES } from '@coffre/sync-server';
import { ApiClient, type ApiAnswer, TEST_KDF, createTestTenant } from './support/accountApi.ts';
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
} from './support/sharingApi.ts';

/** One bad request: what is sent, and the status and code it must get. */
interface BadRequest {
  name: string;
  method: string;
  path: string;
  json?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** The bearer token: the owner's unless said otherwise; null sends none. */
  token?: string | null;
  expect: [number, string];
}

const OVERSIZED = JSON.stringify({ padding: 'x'.repeat(70 * 1024) });
/** Over the 1 MiB allowed to the members, rotations and links routes. */
const HUGE = JSON.stringify({ padding: 'x'.repeat(1100 * 1024) });

describe(`sharing API: bad input gets a 4xx JSON error and changes nothing (${storageEngine})`, () => {
  let harness: RelayHarness;
  let api: ApiClient;
  let tenant: TenantId;
  let owner: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let document: TestDocument;
  let link: TestLink;
  let foreignToken: string;
  let linkToken: string;

  beforeAll(async () => {
    await ready();
    harness = await startRelay();
    api = new ApiClient(harness.httpUrl);
    tenant = await createTestTenant(harness, randomId('bad-sharing'));
    owner = await registerTestUser(api, tenant, 'owner');
    member = await registerTestUser(api, tenant, 'member');
    outsider = await registerTestUser(api, tenant, 'outsider');
    await certifyCurrentDevice(api, tenant, owner);
    document = await createTestDocument(api, tenant, owner);
    await addTestMember(api, tenant, document, owner, member, 'viewer');
    link = newTestLink();
    const created = await api.request('POST', sharingPaths.links(tenant, document.id), {
      token: owner.session.accessToken,
      json: {
        linkId: link.linkId,
        role: 'viewer',
        verifier: toBase64Url(link.verifier),
        sealedKeys: [{ keyEpoch: 0, sealedKey: sealForLink(link, document.id, 0, key()) }],
      },
    });
    expect(created.status).toBe(201);
    linkToken = LinkSessionResponseSchema.parse(
      (
        await api.request('POST', sharingPaths.linkSession(tenant, link.linkId), {
          json: { accessProof: toBase64Url(link.accessProof) },
        })
      ).body,
    ).accessToken;
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    foreignToken = await new SignJWT({ tenant, role: 'member', device: owner.session.deviceId, sid: 's_x' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(owner.session.userId)
      .setIssuer(DEFAULT_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setExpirationTime('10m')
      .sign(privateKey);
  });
  afterAll(async () => {
    await harness.teardown();
  });

  const key = () => document.keys[0] ?? new Uint8Array();
  const ownerGrant = (keyEpoch = 0) => grantFor(tenant, document.id, owner, owner, keyEpoch, 'owner', key());
  const outsiderGrant = (overrides: Record<string, unknown> = {}) => ({
    ...grantFor(tenant, document.id, owner, outsider, 0, 'editor', key()),
    ...overrides,
  });
  const validLink = (overrides: Record<string, unknown> = {}) => {
    const fresh = newTestLink();
    return {
      linkId: fresh.linkId,
      role: 'viewer',
      verifier: toBase64Url(fresh.verifier),
      sealedKeys: [{ keyEpoch: 0, sealedKey: sealForLink(fresh, document.id, 0, key()) }],
      ...overrides,
    };
  };
  const validRotation = (overrides: Record<string, unknown> = {}) => {
    const newKey = generateSymmetricKey();
    return {
      removeUserIds: [],
      newEpoch: 1,
      grants: [
        grantFor(tenant, document.id, owner, owner, 1, 'owner', newKey),
        grantFor(tenant, document.id, owner, member, 1, 'viewer', newKey),
      ],
      ...overrides,
    };
  };

  /** The sharing routes that take a bearer token, each with a valid body. */
  function bearerRoutes(): [string, string, unknown?][] {
    const id = randomId('doc');
    return [
      ['POST', sharingPaths.deviceCertificate(tenant, owner.session.deviceId), { identitySignature: 'A'.repeat(86) }],
      ['GET', `${sharingPaths.userLookup(tenant)}?email=owner@example.com`],
      ['GET', sharingPaths.userKeys(tenant, owner.session.userId)],
      ['GET', sharingPaths.documents(tenant)],
      ['POST', sharingPaths.documents(tenant), { id, grant: grantFor(tenant, id, owner, owner, 0, 'owner', key()) }],
      ['DELETE', sharingPaths.document(tenant, document.id)],
      ['GET', sharingPaths.documentMembers(tenant, document.id)],
      [
        'POST',
        sharingPaths.documentMembers(tenant, document.id),
        { userId: outsider.session.userId, role: 'editor', grants: [outsiderGrant()] },
      ],
      ['POST', sharingPaths.rotations(tenant, document.id), validRotation()],
      ['GET', sharingPaths.grants(tenant, document.id)],
      ['GET', sharingPaths.links(tenant, document.id)],
      ['POST', sharingPaths.links(tenant, document.id), validLink()],
      ['DELETE', sharingPaths.link(tenant, document.id, link.linkId)],
    ];
  }

  function authenticationCases(): BadRequest[] {
    const cases: BadRequest[] = [];
    for (const [method, path, json] of bearerRoutes()) {
      const unauthenticated: [string, string | null, Record<string, string>?][] = [
        ['no token', null],
        ['garbage token', 'garbage'],
        ['token of another key', foreignToken],
        ["a share link's token", linkToken],
        ['Basic credentials', null, { authorization: 'Basic dXNlcjpwYXNz' }],
      ];
      for (const [name, token, headers] of unauthenticated) {
        cases.push({
          name: `${method} ${path}: ${name}`,
          method,
          path,
          json,
          token,
          headers,
          expect: [401, 'UNAUTHENTICATED'],
        });
      }
    }
    return cases;
  }

  function bodyCases(): BadRequest[] {
    const cases: BadRequest[] = [];
    const bodyRoutes = bearerRoutes().filter(([method]) => method === 'POST');
    bodyRoutes.push([
      'POST',
      sharingPaths.linkSession(tenant, link.linkId),
      { accessProof: toBase64Url(link.accessProof) },
    ]);
    for (const [method, path, valid] of bodyRoutes) {
      const large = /\/(members|rotations|links)$/.test(path);
      cases.push(
        { name: `${path}: empty object`, method, path, json: {}, expect: [400, 'VALIDATION_FAILED'] },
        { name: `${path}: array`, method, path, json: [valid], expect: [400, 'VALIDATION_FAILED'] },
        { name: `${path}: null`, method, path, raw: 'null', expect: [400, 'VALIDATION_FAILED'] },
        { name: `${path}: garbage JSON`, method, path, raw: '{"id": ', expect: [400, 'BAD_REQUEST'] },
        { name: `${path}: no body`, method, path, expect: [400, 'VALIDATION_FAILED'] },
        {
          name: `${path}: text/plain`,
          method,
          path,
          raw: JSON.stringify(valid),
          headers: { 'content-type': 'text/plain' },
          expect: [415, 'BAD_REQUEST'],
        },
        {
          name: `${path}: over the size limit`,
          method,
          path,
          raw: large ? HUGE : OVERSIZED,
          expect: [413, 'PAYLOAD_TOO_LARGE'],
        },
      );
      if (large) {
        cases.push({
          name: `${path}: over 64 KiB but within 1 MiB is read (and refused for its content)`,
          method,
          path,
          raw: OVERSIZED,
          expect: [400, 'VALIDATION_FAILED'],
        });
      }
    }
    return cases;
  }

  function fieldCases(): BadRequest[] {
    const documents = sharingPaths.documents(tenant);
    const members = sharingPaths.documentMembers(tenant, document.id);
    const rotations = sharingPaths.rotations(tenant, document.id);
    const links = sharingPaths.links(tenant, document.id);
    const certificate = sharingPaths.deviceCertificate(tenant, owner.session.deviceId);
    const session = sharingPaths.linkSession(tenant, link.linkId);
    const post = (
      name: string,
      path: string,
      json: unknown,
      expected: [number, string] = [400, 'VALIDATION_FAILED'],
    ): BadRequest => ({
      name,
      method: 'POST',
      path,
      json,
      expect: expected,
    });
    const get = (name: string, path: string, expected: [number, string]): BadRequest => ({
      name,
      method: 'GET',
      path,
      expect: expected,
    });
    const id = randomId('doc');
    const grant = grantFor(tenant, id, owner, owner, 0, 'owner', key());
    const manyGrants = Array.from({ length: 1001 }, () => outsiderGrant());
    return [
      post('certificate: signature of 63 bytes', certificate, { identitySignature: toBase64Url(new Uint8Array(63)) }),
      post('certificate: signature not base64url', certificate, { identitySignature: '+'.repeat(86) }),
      post('certificate: signature a number', certificate, { identitySignature: 12 }),
      post(
        'certificate: unknown device',
        sharingPaths.deviceCertificate(tenant, 'd_unknown'),
        { identitySignature: 'A'.repeat(86) },
        [404, 'NOT_FOUND'],
      ),
      post('certificate: invalid device id', sharingPaths.deviceCertificate(tenant, 'bad..id'), {
        identitySignature: 'A'.repeat(86),
      }),
      get('lookup: no email', sharingPaths.userLookup(tenant), [400, 'VALIDATION_FAILED']),
      get('lookup: not an email', `${sharingPaths.userLookup(tenant)}?email=nobody`, [400, 'VALIDATION_FAILED']),
      get('lookup: unknown email', `${sharingPaths.userLookup(tenant)}?email=ghost@example.com`, [404, 'NOT_FOUND']),
      get('keys: invalid user id', sharingPaths.userKeys(tenant, 'bad..id'), [400, 'VALIDATION_FAILED']),
      get('keys: user id too long', sharingPaths.userKeys(tenant, 'u'.repeat(65)), [400, 'VALIDATION_FAILED']),
      get('keys: unknown user', sharingPaths.userKeys(tenant, 'u_ghost'), [404, 'NOT_FOUND']),
      post('create: id a number', documents, { id: 42, grant }),
      post('create: invalid id', documents, { id: 'bad..id', grant }),
      post('create: id with a slash', documents, { id: 'a/b', grant }),
      post('create: no grant', documents, { id }),
      post('create: sealed key of 79 bytes', documents, {
        id,
        grant: { ...grant, sealedKey: toBase64Url(new Uint8Array(79)) },
      }),
      post('create: signature garbage', documents, { id, grant: { ...grant, signature: 'not a signature' } }),
      post('create: role admin', documents, { id, grant: { ...grant, role: 'admin' } }),
      post('create: epoch -1', documents, { id, grant: { ...grant, keyEpoch: -1 } }),
      post('create: epoch 2^32', documents, { id, grant: { ...grant, keyEpoch: 2 ** 32 } }),
      post('create: epoch a string', documents, { id, grant: { ...grant, keyEpoch: '0' } }),
      post('create: zero signature', documents, {
        id,
        grant: { ...grant, signature: toBase64Url(new Uint8Array(64)) },
      }),
      post('add member: no grants', members, { userId: outsider.session.userId, role: 'editor', grants: [] }),
      post('add member: 1001 grants', members, { userId: outsider.session.userId, role: 'editor', grants: manyGrants }),
      post('add member: role owner-ish', members, {
        userId: outsider.session.userId,
        role: 'Owner',
        grants: [outsiderGrant()],
      }),
      post('add member: invalid user id', members, { userId: '../x', role: 'editor', grants: [outsiderGrant()] }),
      post(
        'add member: unknown user',
        members,
        { userId: 'u_ghost', role: 'editor', grants: [outsiderGrant({ recipientUserId: 'u_ghost' })] },
        [404, 'NOT_FOUND'],
      ),
      post('add member: grant of a future epoch', members, {
        userId: outsider.session.userId,
        role: 'editor',
        grants: [outsiderGrant({ keyEpoch: 1 })],
      }),
      post('add member: the same epoch twice', members, {
        userId: outsider.session.userId,
        role: 'editor',
        grants: [outsiderGrant(), outsiderGrant()],
      }),
      post('add member: grant to someone else', members, {
        userId: outsider.session.userId,
        role: 'editor',
        grants: [outsiderGrant({ recipientUserId: member.session.userId })],
      }),
      post(
        'add member: unknown document',
        sharingPaths.documentMembers(tenant, 'doc-ghost'),
        { userId: outsider.session.userId, role: 'editor', grants: [outsiderGrant()] },
        [404, 'NOT_FOUND'],
      ),
      post('add member: invalid document id', sharingPaths.documentMembers(tenant, 'bad..doc'), {
        userId: outsider.session.userId,
        role: 'editor',
        grants: [outsiderGrant()],
      }),
      post('rotate: new epoch a string', rotations, validRotation({ newEpoch: '1' })),
      post('rotate: remove an invalid id', rotations, validRotation({ removeUserIds: ['../x'] })),
      post('rotate: remove a non-member', rotations, validRotation({ removeUserIds: [outsider.session.userId] })),
      post('rotate: remove oneself', rotations, validRotation({ removeUserIds: [owner.session.userId] })),
      post('rotate: no grants', rotations, validRotation({ grants: [] })),
      post('rotate: grants of the old epoch', rotations, validRotation({ grants: [ownerGrant(0)] })),
      post(
        'rotate: a link id not hex',
        rotations,
        validRotation({ links: [{ linkId: 'X'.repeat(32), keyEpoch: 1, sealedKey: 'A'.repeat(96) }] }),
      ),
      post(
        'rotate: a link key of 71 bytes',
        rotations,
        validRotation({ links: [{ linkId: link.linkId, keyEpoch: 1, sealedKey: toBase64Url(new Uint8Array(71)) }] }),
      ),
      post('rotate: epoch 5', rotations, validRotation({ newEpoch: 5 }), [409, 'EPOCH_CONFLICT']),
      post('rotate: unknown document', sharingPaths.rotations(tenant, 'doc-ghost'), validRotation(), [
        404,
        'NOT_FOUND',
      ]),
      post('link: id of 31 hex digits', links, validLink({ linkId: 'a'.repeat(31) })),
      post('link: id in capitals', links, validLink({ linkId: 'A'.repeat(32) })),
      post('link: role owner', links, validLink({ role: 'owner' })),
      post('link: verifier of 16 bytes', links, validLink({ verifier: toBase64Url(new Uint8Array(16)) })),
      post('link: no sealed keys', links, validLink({ sealedKeys: [] })),
      post(
        'link: a sealed key of 80 bytes',
        links,
        validLink({ sealedKeys: [{ keyEpoch: 0, sealedKey: toBase64Url(new Uint8Array(80)) }] }),
      ),
      post(
        'link: the key of epoch 1 only',
        links,
        validLink({ sealedKeys: [{ keyEpoch: 1, sealedKey: toBase64Url(new Uint8Array(72)) }] }),
      ),
      post(
        'link: password salt of 8 bytes',
        links,
        validLink({ password: { salt: toBase64Url(new Uint8Array(8)), kdf: TEST_KDF } }),
      ),
      post(
        'link: password kdf of 1 KiB',
        links,
        validLink({ password: { salt: toBase64Url(new Uint8Array(16)), kdf: { opsLimit: 1, memLimit: 1024 } } }),
      ),
      post('link: an id already used', links, validLink({ linkId: link.linkId })),
      {
        name: 'revoke link: not hex',
        method: 'DELETE',
        path: sharingPaths.link(tenant, document.id, 'z'.repeat(32)),
        expect: [400, 'VALIDATION_FAILED'],
      },
      {
        name: 'revoke link: unknown',
        method: 'DELETE',
        path: sharingPaths.link(tenant, document.id, newTestLink().linkId),
        expect: [404, 'NOT_FOUND'],
      },
      {
        name: 'delete: unknown document',
        method: 'DELETE',
        path: sharingPaths.document(tenant, 'doc-ghost'),
        expect: [404, 'NOT_FOUND'],
      },
      {
        name: 'delete: invalid id',
        method: 'DELETE',
        path: sharingPaths.document(tenant, 'bad..doc'),
        expect: [400, 'VALIDATION_FAILED'],
      },
      get('members: unknown document', sharingPaths.documentMembers(tenant, 'doc-ghost'), [404, 'NOT_FOUND']),
      get('grants: unknown document', sharingPaths.grants(tenant, 'doc-ghost'), [404, 'NOT_FOUND']),
      get('links: unknown document', sharingPaths.links(tenant, 'doc-ghost'), [404, 'NOT_FOUND']),
      { ...post('session: proof of 31 bytes', session, { accessProof: toBase64Url(new Uint8Array(31)) }), token: null },
      { ...post('session: proof a number', session, { accessProof: 7 }), token: null },
      {
        ...post('session: link id not hex', sharingPaths.linkSession(tenant, 'g'.repeat(32)), {
          accessProof: toBase64Url(link.accessProof),
        }),
        token: null,
      },
      {
        ...post('session: invalid tenant', sharingPaths.linkSession('bad..tenant', link.linkId), {
          accessProof: toBase64Url(link.accessProof),
        }),
        token: null,
      },
      {
        ...post(
          'session: unknown tenant',
          sharingPaths.linkSession(randomId('nowhere'), link.linkId),
          { accessProof: toBase64Url(link.accessProof) },
          [404, 'NOT_FOUND'],
        ),
        token: null,
      },
      {
        name: 'unknown sharing route',
        method: 'GET',
        path: `${sharingPaths.documents(tenant)}/${document.id}/everything`,
        expect: [404, 'NOT_FOUND'],
      },
      {
        name: 'PUT on a document',
        method: 'PUT',
        path: sharingPaths.document(tenant, document.id),
        json: {},
        expect: [404, 'NOT_FOUND'],
      },
    ];
  }

  function roleCases(): BadRequest[] {
    const asMember = (name: string, method: string, path: string, json?: unknown): BadRequest => ({
      name: `a viewer cannot ${name}`,
      method,
      path,
      json,
      token: member.session.accessToken,
      expect: [403, 'FORBIDDEN'],
    });
    const asOutsider = (name: string, method: string, path: string): BadRequest => ({
      name: `a non-member cannot ${name}`,
      method,
      path,
      token: outsider.session.accessToken,
      expect: [403, 'FORBIDDEN'],
    });
    return [
      asMember('delete', 'DELETE', sharingPaths.document(tenant, document.id)),
      asMember('add members', 'POST', sharingPaths.documentMembers(tenant, document.id), {
        userId: outsider.session.userId,
        role: 'editor',
        grants: [outsiderGrant()],
      }),
      asMember('rotate', 'POST', sharingPaths.rotations(tenant, document.id), validRotation()),
      asMember('list links', 'GET', sharingPaths.links(tenant, document.id)),
      asMember('create links', 'POST', sharingPaths.links(tenant, document.id), validLink()),
      asMember('revoke links', 'DELETE', sharingPaths.link(tenant, document.id, link.linkId)),
      asOutsider('list members', 'GET', sharingPaths.documentMembers(tenant, document.id)),
      asOutsider('read grants', 'GET', sharingPaths.grants(tenant, document.id)),
      asOutsider('delete', 'DELETE', sharingPaths.document(tenant, document.id)),
    ];
  }

  async function send(request: BadRequest): Promise<ApiAnswer> {
    const token = request.token === undefined ? owner.session.accessToken : (request.token ?? undefined);
    return api.request(request.method, request.path, {
      json: request.json,
      raw: request.raw,
      token,
      headers: request.headers,
    });
  }

  function expectErrorBody(request: BadRequest, answer: ApiAnswer): void {
    const label = `${request.name} -> ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
    expect([answer.status, (answer.body as { error?: { code?: string } }).error?.code], label).toEqual(request.expect);
    const error = (answer.body as { error: { code: string; message: unknown } }).error;
    expect(isErrorCode(error.code), label).toBe(true);
    expect(typeof error.message === 'string' && error.message.length > 0, label).toBe(true);
    expect(JSON.stringify(answer.body), label).not.toMatch(/\bat .*\.(ts|js):\d+|ZodError|"issues"/);
    expect(answer.headers.get('content-type'), label).toMatch(/^application\/json/);
  }

  const check = async (cases: BadRequest[]) => {
    const before = await accountRowsSnapshot(harness, tenant, TENANT_TABLES);
    for (const request of cases) expectErrorBody(request, await send(request));
    expect(await accountRowsSnapshot(harness, tenant, TENANT_TABLES)).toEqual(before);
  };

  it('refuses missing, garbage, foreign and link tokens on every bearer route', async () => {
    await check(authenticationCases());
  });

  it('refuses unreadable, empty, mistyped and oversized bodies on every route that takes one', async () => {
    await check(bodyCases());
  });

  it('refuses wrong fields, unknown ids and impossible epochs with the right code', async () => {
    await check(fieldCases());
  });

  it('refuses what the role does not allow with 403', async () => {
    await check(roleCases());
  });

  it('answers VALIDATION_FAILED with a sentence and the wrong fields', async () => {
    const answer = await send({
      name: 'fields',
      method: 'POST',
      path: sharingPaths.documents(tenant),
      json: { id: 42, grant: { ...ownerGrant(), role: 'admin' } },
      expect: [400, 'VALIDATION_FAILED'],
    });
    const error = (answer.body as { error: { message: string; fields?: { path: string }[] } }).error;
    expect(error.message).toBe(ERROR_MESSAGES.VALIDATION_FAILED);
    expect((error.fields ?? []).map((field) => field.path).sort()).toEqual(['grant.role', 'id']);
  });

  it('still serves the owner afterwards', async () => {
    const grants = await api.request('GET', sharingPaths.grants(tenant, document.id), {
      token: owner.session.accessToken,
    });
    expect(grants.status).toBe(200);
  });
});
