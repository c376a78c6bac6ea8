import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TenantId, documentId, tenantId } from '@coffre/protocol';
import { EnvelopeRepository } from './EnvelopeRepository.ts';
import { UnknownDocumentError, UnknownTenantError } from './errors.ts';
import { finishRepositoryContract, type RepositoryContractFixture, tenantIds } from './RepositoryContractFixture.ts';
import { TenantRepository } from './TenantRepository.ts';
import { TenantScope } from './TenantScope.ts';

const doc = documentId('envelope');
const bytes = (...values: number[]) => new Uint8Array(values);

/**
 * The rules the envelope repository (a document's merged state and the
 * updates after it) keeps on an engine, as a vitest suite; DocumentStore's
 * contract suite checks the store built on it. Run it once per engine.
 */
export function runEnvelopeRepositoryContractTests(
  name: string,
  setup: () => Promise<RepositoryContractFixture>,
): void {
  describe(`Envelope repository contract: ${name}`, () => {
    const prefix = `re${randomBytes(5).toString('hex')}-`;
    const newTenantId = tenantIds(prefix, tenantId);
    let fixture: RepositoryContractFixture | undefined;
    let scope: TenantScope<{ tenants: TenantRepository; envelopes: EnvelopeRepository }>;

    const ctx = (): RepositoryContractFixture => {
      if (!fixture) throw new Error('contract fixture was not set up');
      return fixture;
    };
    const tenantWithRow = async (label: string): Promise<TenantId> => {
      const tenant = newTenantId(label);
      await scope.run(tenant, ({ tenants }) => tenants.create(null));
      return tenant;
    };

    beforeAll(async () => {
      fixture = await setup();
      scope = new TenantScope(fixture.db, (sql, tenant) => ({
        tenants: new TenantRepository(sql, tenant),
        envelopes: new EnvelopeRepository(sql, tenant),
      }));
    });
    afterAll(async () => {
      if (fixture) await finishRepositoryContract(fixture, prefix);
    });

    it('reads updates in seq order, and after a state only the updates it does not cover', async () => {
      const tenant = await tenantWithRow('read');
      const seqs = await scope.run(tenant, async ({ envelopes }) => {
        await envelopes.lockForAppend(doc, true);
        return [await envelopes.appendUpdate(doc, bytes(1)), await envelopes.appendUpdate(doc, bytes(2))];
      });
      expect(seqs[1]).toBeGreaterThan(seqs[0] ?? 0n);
      const before = await scope.run(tenant, ({ envelopes }) => envelopes.read(doc));
      expect(before.state).toBeUndefined();
      expect(before.tail.map((part) => part.data)).toEqual([bytes(1), bytes(2)]);
      await scope.run(tenant, async ({ envelopes }) => {
        await expect(envelopes.lockForCompaction(doc)).resolves.toBe(true);
        await envelopes.replaceState(doc, bytes(9), seqs[0] ?? 0n);
      });
      const after = await scope.run(tenant, ({ envelopes }) => envelopes.read(doc));
      expect(after.state).toEqual({ part: 0, data: bytes(9), seq: seqs[0] });
      expect(after.tail.map((part) => part.data)).toEqual([bytes(2)]);
      await expect(scope.run(tenant, ({ envelopes }) => envelopes.stats(doc))).resolves.toEqual({
        exists: true,
        state_bytes: 1n,
        merged_through: seqs[0],
        update_count: 1n,
        update_bytes: 1n,
        max_seq: seqs[1],
      });
    });

    it('refuses an append to a missing document unless told to create it, and to a missing tenant', async () => {
      const tenant = await tenantWithRow('missing');
      await expect(scope.run(tenant, ({ envelopes }) => envelopes.lockForAppend(doc, false))).rejects.toBeInstanceOf(
        UnknownDocumentError,
      );
      await expect(
        scope.run(newTenantId('no-row'), ({ envelopes }) => envelopes.lockForAppend(doc, true)),
      ).rejects.toBeInstanceOf(UnknownTenantError);
      await expect(scope.run(tenant, ({ envelopes }) => envelopes.lockForCompaction(doc))).resolves.toBe(false);
      await expect(scope.run(tenant, ({ envelopes }) => envelopes.deleteDocument(doc))).resolves.toBe(false);
    });

    it("under Row Level Security, a repository given another tenant's id inside a tenant's transaction sees and changes nothing", async () => {
      const a = await tenantWithRow('rls-a');
      const b = await tenantWithRow('rls-b');
      await scope.run(b, async ({ envelopes }) => {
        await envelopes.lockForAppend(doc, true);
        await envelopes.appendUpdate(doc, bytes(7));
      });
      const seen = await ctx().db.withTenant(a, async (sql) => {
        const envelopes = new EnvelopeRepository(sql, b);
        return {
          read: await envelopes.read(doc),
          locked: await envelopes.lockForCompaction(doc),
          deleted: await envelopes.deleteDocument(doc),
        };
      });
      expect(seen).toEqual({ read: { state: undefined, tail: [] }, locked: false, deleted: false });
      const stillThere = await scope.run(b, ({ envelopes }) => envelopes.read(doc));
      expect(stillThere.tail.map((part) => part.data)).toEqual([bytes(7)]);
    });
  });
}
