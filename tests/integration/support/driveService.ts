import type { TenantId } from '@coffre/protocol';
import type { AccountSession, BlobStore } from '@coffre/sync-server';
import type { TestUser } from './sharingApi.ts';

/** The session `DriveService` gets for a signed-in test user, for tests that call the service directly. */
export function sessionOf(tenant: TenantId, user: TestUser): AccountSession {
  return {
    tenant,
    userId: user.session.userId,
    deviceId: user.session.deviceId,
    sessionId: 'test',
    role: 'member',
  } as AccountSession;
}

/** `store`, with some of its methods replaced (to hold, fail or count them). */
export function blobStoreWith(store: BlobStore, replaced: Partial<BlobStore>): BlobStore {
  return {
    put: (...args) => store.put(...args),
    get: (...args) => store.get(...args),
    has: (...args) => store.has(...args),
    delete: (...args) => store.delete(...args),
    deleteSpace: (...args) => store.deleteSpace(...args),
    usage: (tenant) => store.usage(tenant),
    ...replaced,
  };
}
