import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready, toBase64Url } from '@coffre/crypto';
import { type TenantId, sharingPaths } from '@coffre/protocol';
import { ApiClient, createTestTenant, errorCodeOf, expectRateLimited } from './support/accountApi.ts';
import { type RelayHarness, randomId, startRelay, storageEngine } from './support/relayHarness.ts';
import {
  type TestDocument,
  type TestLink,
  type TestUser,
  createTestDocument,
  newTestLink,
  registerTestUser,
  sealForLink,
} from './support/sharingApi.ts';

describe(`sharing API rate limits (${storageEngine})`, () => {
  let harness: RelayHarness;
  let api: ApiClient;
  let tenant: TenantId;
  let owner: TestUser;
  let document: TestDocument;

  const createLink = async (): Promise<TestLink> => {
    const link = newTestLink();
    const answer = await api.request('POST', sharingPaths.links(tenant, document.id), {
      token: owner.session.accessToken,
      json: {
        linkId: link.linkId,
        role: 'viewer',
        verifier: toBase64Url(link.verifier),
        sealedKeys: [
          { keyEpoch: 0, sealedKey: sealForLink(link, document.id, 0, document.keys[0] ?? new Uint8Array()) },
        ],
      },
    });
    expect(answer.status).toBe(201);
    return link;
  };
  const session = (link: TestLink, proof = link.accessProof) =>
    api.request('POST', sharingPaths.linkSession(tenant, link.linkId), { json: { accessProof: toBase64Url(proof) } });

  beforeAll(async () => {
    await ready();
    harness = await startRelay({
      accounts: {
        rateLimits: {
          linkSessionPerLink: { points: 3, durationSeconds: 900 },
          linkSessionPerIp: { points: 10, durationSeconds: 60 },
        },
      },
    });
    api = new ApiClient(harness.httpUrl);
    tenant = await createTestTenant(harness, randomId('link-limits'));
    owner = await registerTestUser(api, tenant, 'owner');
    document = await createTestDocument(api, tenant, owner);
  });
  afterAll(async () => {
    await harness.teardown();
  });

  it('limits link sessions per link and per address, issuing no token over a limit', async () => {
    const guessed = await createLink();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(errorCodeOf(await session(guessed, new Uint8Array(32).fill(attempt)))).toBe('NOT_FOUND');
    }
    // Three wrong proofs: even the right one is refused for now.
    const refused = await session(guessed);
    expectRateLimited(refused, 900);
    expect(JSON.stringify(refused.body)).not.toContain('accessToken');

    // Another link is counted on its own, and a successful session starts its count again.
    const shared = await createLink();
    for (let attempt = 0; attempt < 6; attempt += 1) expect((await session(shared)).status).toBe(200);
    // 4 + 6 requests from this address: the 11th is over the per-address limit.
    expectRateLimited(await session(shared), 60);
  });
});
