import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocumentId, type TenantId, documentId, tenantId } from '@coffre/protocol';
import { type BlobStore, InvalidBlobIdError } from './BlobStore.ts';

/** What an implementation's test file hands the contract suite. */
export interface BlobStoreContractFixture {
  store: BlobStore;
  /** Everything the store wrote, as bytes (a folder's files, a bucket's objects): for plaintext checks. */
  dump: () => Promise<Uint8Array[]>;
  teardown: () => Promise<void>;
}

const address = () => randomBytes(32).toString('hex');
const bytesOf = (size: number) => new Uint8Array(randomBytes(size));

/**
 * The rules every {@link BlobStore} keeps, as one vitest suite: run it once
 * per implementation. Tenants and spaces are random, so the suite can run
 * again and again against one bucket.
 */
export function runBlobStoreContractTests(name: string, setup: () => Promise<BlobStoreContractFixture>): void {
  describe(`blob store contract: ${name}`, () => {
    let fixture: BlobStoreContractFixture;
    let store: BlobStore;
    let tenant: TenantId;
    let otherTenant: TenantId;
    let space: DocumentId;
    let otherSpace: DocumentId;

    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
      const suffix = randomBytes(4).toString('hex');
      tenant = tenantId(`blobs-a-${suffix}`);
      otherTenant = tenantId(`blobs-b-${suffix}`);
      space = documentId(`space-1-${suffix}`);
      otherSpace = documentId(`space-2-${suffix}`);
    });
    afterAll(async () => {
      await fixture.teardown();
    });

    it('stores a chunk once: a second put of the same address is not new and changes nothing', async () => {
      const id = address();
      const bytes = bytesOf(70_000);
      expect(await store.put(tenant, space, id, bytes)).toBe(true);
      expect(await store.put(tenant, space, id, bytesOf(10))).toBe(false);
      expect(await store.get(tenant, space, id)).toEqual(bytes);
    });

    it('answers "which of these do you have" within one tenant and one space only', async () => {
      const held = address();
      const missing = address();
      await store.put(tenant, space, held, bytesOf(100));
      expect(await store.has(tenant, space, [held, missing])).toEqual(new Set([held]));
      expect(await store.has(tenant, otherSpace, [held])).toEqual(new Set());
      expect(await store.has(otherTenant, space, [held])).toEqual(new Set());
      expect(await store.get(otherTenant, space, held)).toBeNull();
      expect(await store.get(tenant, otherSpace, held)).toBeNull();
    });

    it('keeps the same address in two tenants apart: neither overwrites nor reads the other', async () => {
      const id = address();
      const mine = bytesOf(500);
      const theirs = bytesOf(600);
      expect(await store.put(tenant, space, id, mine)).toBe(true);
      expect(await store.put(otherTenant, space, id, theirs)).toBe(true);
      expect(await store.get(tenant, space, id)).toEqual(mine);
      expect(await store.get(otherTenant, space, id)).toEqual(theirs);
      await store.delete(otherTenant, space, id);
      expect(await store.get(tenant, space, id)).toEqual(mine);
    });

    it('deletes a whole space, and nothing of another space or tenant', async () => {
      const gone = documentId(`space-gone-${randomBytes(4).toString('hex')}`);
      const ids = [address(), address(), address()];
      for (const id of ids) await store.put(tenant, gone, id, bytesOf(300));
      const kept = address();
      await store.put(tenant, space, kept, bytesOf(300));
      await store.put(otherTenant, gone, kept, bytesOf(300));
      await store.deleteSpace(tenant, gone);
      expect(await store.has(tenant, gone, ids)).toEqual(new Set());
      expect(await store.has(tenant, space, [kept])).toEqual(new Set([kept]));
      expect(await store.has(otherTenant, gone, [kept])).toEqual(new Set([kept]));
      await store.deleteSpace(tenant, gone);
    });

    it('returns null for an unknown chunk and deletes without error when absent', async () => {
      const id = address();
      expect(await store.get(tenant, space, id)).toBeNull();
      await store.delete(tenant, space, id);
      await store.put(tenant, space, id, bytesOf(10));
      await store.delete(tenant, space, id);
      expect(await store.get(tenant, space, id)).toBeNull();
      expect(await store.has(tenant, space, [id])).toEqual(new Set());
    });

    it('refuses addresses and ids that are not what they should be, touching nothing', async () => {
      for (const id of ['', '../../etc/passwd', 'A'.repeat(64), `${'a'.repeat(63)}/`, 'a'.repeat(65)]) {
        await expect(store.put(tenant, space, id, bytesOf(1))).rejects.toThrow(InvalidBlobIdError);
        await expect(store.get(tenant, space, id)).rejects.toThrow(InvalidBlobIdError);
      }
      await expect(store.put('../x' as TenantId, space, address(), bytesOf(1))).rejects.toThrow();
      await expect(store.put(tenant, '..' as DocumentId, address(), bytesOf(1))).rejects.toThrow();
    });

    it('takes concurrent puts of one address as one chunk, whole', async () => {
      const id = address();
      const bytes = bytesOf(300_000);
      const results = await Promise.all(Array.from({ length: 8 }, () => store.put(tenant, space, id, bytes)));
      expect(results.filter(Boolean).length).toBeGreaterThanOrEqual(1);
      expect(await store.get(tenant, space, id)).toEqual(bytes);
    });

    it('counts a tenant’s usage once per stored chunk, and nothing of another tenant', async () => {
      const fresh = tenantId(`blobs-u-${randomBytes(4).toString('hex')}`);
      expect(await store.usage(fresh)).toBe(0);
      const id = address();
      await store.put(fresh, space, id, bytesOf(1000));
      await store.put(fresh, space, id, bytesOf(1000));
      await store.put(fresh, otherSpace, address(), bytesOf(250));
      expect(await store.usage(fresh)).toBe(1250);
    });

    it('writes only what it was given (ciphertext in, ciphertext stored)', async () => {
      const marker = new TextEncoder().encode(`marker-${randomBytes(6).toString('hex')}`);
      const dumped = await fixture.dump();
      expect(dumped.some((bytes) => Buffer.from(bytes).includes(Buffer.from(marker)))).toBe(false);
      await store.put(tenant, space, address(), marker);
      const after = await fixture.dump();
      expect(after.some((bytes) => Buffer.from(bytes).includes(Buffer.from(marker)))).toBe(true);
    });
  });
}
