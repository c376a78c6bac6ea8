import { ready } from '@coffre/crypto';
import { DriveClient, RelayApi } from '@coffre/client';
import { type TenantId, documentId } from '@coffre/protocol';
import { ApiClient, createTestTenant } from './accountApi.ts';
import { type RelayHarness, randomId, startRelay } from './relayHarness.ts';
import { type TestDocument, type TestUser, addTestMember, createTestDocument, registerTestUser } from './sharingApi.ts';

/** Who the Drive's relay tests play with: one space of tenant A, its members by role, and people outside it. */
export interface DriveCast {
  harness: RelayHarness;
  api: ApiClient;
  tenantA: TenantId;
  tenantB: TenantId;
  owner: TestUser;
  editor: TestUser;
  viewer: TestUser;
  /** A member of tenant A who is not in the space. */
  stranger: TestUser;
  /** A member of tenant B. */
  outsider: TestUser;
  space: TestDocument;
}

/** Starts a relay and signs the cast up: two tenants, a space of tenant A with an owner, an editor and a viewer. */
export async function startDriveCast(): Promise<DriveCast> {
  await ready();
  const harness = await startRelay();
  const api = new ApiClient(harness.httpUrl);
  const tenantA = await createTestTenant(harness, randomId('tenant-a'));
  const tenantB = await createTestTenant(harness, randomId('tenant-b'));
  const owner = await registerTestUser(api, tenantA, 'olive');
  const editor = await registerTestUser(api, tenantA, 'eddie');
  const viewer = await registerTestUser(api, tenantA, 'vera');
  const stranger = await registerTestUser(api, tenantA, 'sam');
  const outsider = await registerTestUser(api, tenantB, 'otto');
  const space = await createTestDocument(api, tenantA, owner);
  await addTestMember(api, tenantA, space, owner, editor, 'editor');
  await addTestMember(api, tenantA, space, owner, viewer, 'viewer');
  return { harness, api, tenantA, tenantB, owner, editor, viewer, stranger, outsider, space };
}

/** A `DriveClient` of one user for one space, over plain `fetch`. */
export function driveClientOf(harness: RelayHarness, user: TestUser, tenant: TenantId, space: string): DriveClient {
  return new DriveClient({
    api: new RelayApi({ baseUrl: harness.httpUrl }),
    token: () => Promise.resolve(user.session.accessToken),
    tenant,
    space: documentId(space),
  });
}
