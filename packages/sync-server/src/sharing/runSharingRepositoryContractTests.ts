import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DocumentId, type TenantId, type UserId, documentId, tenantId, userId } from '@coffre/protocol';
import type { NewUser } from '../accounts/UserRepository.ts';
import { EnvelopeRepository } from '../storage/EnvelopeRepository.ts';
import {
  finishRepositoryContract,
  type RepositoryContractFixture,
  tenantIds,
} from '../storage/RepositoryContractFixture.ts';
import { TenantRepository } from '../storage/TenantRepository.ts';
import type { TenantScope } from '../storage/TenantScope.ts';
import { DocumentRepository } from './DocumentRepository.ts';
import type { NewGrant } from './GrantRepository.ts';
import { LinkRepository } from './LinkRepository.ts';
import { MemberRepository } from './MemberRepository.ts';
import { type SharingRepositories, sharingRepositories } from './sharingRepositories.ts';

const bytes = (length: number) => new Uint8Array(randomBytes(length));
const linkId = () => randomBytes(16).toString('hex');

function newUser(id: UserId, email: string): NewUser {
  return {
    id,
    email,
    role: 'member',
    authSalt: bytes(16),
    kdf: { opsLimit: 2, memLimit: 64 * 1024 * 1024 },
    authHash: bytes(32),
    authHashSalt: bytes(32),
    keyBundle: bytes(64),
    signingPublicKey: bytes(32),
    boxPublicKey: bytes(32),
  };
}

function grant(keyEpoch: number, granter: UserId, recipient: UserId, role: NewGrant['role']): NewGrant {
  return {
    keyEpoch,
    granterUserId: granter,
    recipientUserId: recipient,
    role,
    sealedKey: bytes(80),
    signature: bytes(64),
  };
}

const alice = userId('u_alice');
const bob = userId('u_bob');
const doc = documentId('shared');

/**
 * The rules the sharing repositories (documents, members, grants, links)
 * keep on an engine, as a vitest suite: run it once per engine on a
 * migrated database connected as the application role. Tests isolate
 * themselves with random tenant ids.
 */
export function runSharingRepositoryContractTests(name: string, setup: () => Promise<RepositoryContractFixture>): void {
  describe(`Sharing repositories contract: ${name}`, () => {
    const prefix = `rs${randomBytes(5).toString('hex')}-`;
    const newTenantId = tenantIds(prefix, tenantId);
    let fixture: RepositoryContractFixture | undefined;
    let scope: TenantScope<SharingRepositories>;

    const ctx = (): RepositoryContractFixture => {
      if (!fixture) throw new Error('contract fixture was not set up');
      return fixture;
    };
    /** A tenant with users u_alice and u_bob, and document `shared` owned by alice with her epoch-0 grant. */
    const seededTenant = async (label: string): Promise<TenantId> => {
      const tenant = newTenantId(label);
      await ctx().db.withTenant(tenant, (sql) => new TenantRepository(sql, tenant).create(null));
      await scope.run(tenant, async ({ users, documents, members, grants }) => {
        await users.insert(newUser(alice, 'alice@example.com'));
        await users.insert(newUser(bob, 'bob@example.com'));
        await documents.insert(doc, alice);
        await members.insert(doc, alice, 'owner');
        await grants.insert(doc, [grant(0, alice, alice, 'owner')]);
      });
      return tenant;
    };
    const countIn = async (tenant: TenantId, table: string): Promise<number> => {
      const [row] = await ctx().db.withTenant(tenant, (sql) =>
        sql.query<{ n: bigint }>(`select count(*) as n from ${table}`),
      );
      return Number(row?.n);
    };
    const newLink = (id: string, documentIdValue: DocumentId = doc) => ({
      id,
      documentId: documentIdValue,
      role: 'viewer' as const,
      verifier: bytes(32),
      password: null,
      createdBy: alice,
    });

    beforeAll(async () => {
      fixture = await setup();
      scope = sharingRepositories(fixture.db);
    });
    afterAll(async () => {
      if (fixture) await finishRepositoryContract(fixture, prefix);
    });

    it('creates a document id once per tenant, at key epoch 0', async () => {
      const tenant = await seededTenant('create');
      await expect(scope.run(tenant, ({ documents }) => documents.insert(doc, bob))).resolves.toBeNull();
      await expect(scope.run(tenant, ({ documents }) => documents.access(doc, alice))).resolves.toEqual({
        current_epoch: 0,
        role: 'owner',
      });
    });

    it("reports a document's epoch with the caller's role, null for a non-member, nothing for an unknown document", async () => {
      const tenant = await seededTenant('access');
      await expect(scope.run(tenant, ({ documents }) => documents.access(doc, bob))).resolves.toEqual({
        current_epoch: 0,
        role: null,
      });
      await expect(
        scope.run(tenant, ({ documents }) => documents.access(documentId('missing'), alice, { lock: true })),
      ).resolves.toBeUndefined();
      await scope.run(tenant, ({ documents }) => documents.setEpoch(doc, 3));
      await expect(scope.run(tenant, ({ documents }) => documents.access(doc, alice, { lock: true }))).resolves.toEqual(
        {
          current_epoch: 3,
          role: 'owner',
        },
      );
    });

    it("lists a member's documents oldest first with the bytes of their stored envelope", async () => {
      const tenant = await seededTenant('list');
      await ctx().db.withTenant(tenant, async (sql) => {
        const envelopes = new EnvelopeRepository(sql, tenant);
        await envelopes.appendUpdate(doc, bytes(10));
        await envelopes.appendUpdate(doc, bytes(5));
      });
      await scope.run(tenant, async ({ documents, members }) => {
        await documents.insert(documentId('second'), bob);
        await members.insert(documentId('second'), alice, 'viewer');
      });
      const listed = await scope.run(tenant, ({ documents }) => documents.listOfMember(alice));
      expect(listed.map((row) => [row.id, row.role, row.current_epoch, row.size_bytes])).toEqual([
        ['shared', 'owner', 0, 15n],
        ['second', 'viewer', 0, 0n],
      ]);
      await expect(scope.run(tenant, ({ documents }) => documents.listOfMember(bob))).resolves.toEqual([]);
    });

    it('lists members in the order they were added, with their emails, and removing a member takes their grants', async () => {
      const tenant = await seededTenant('members');
      await scope.run(tenant, async ({ members, grants }) => {
        await members.insert(doc, bob, 'editor');
        await grants.insert(doc, [grant(0, alice, bob, 'editor')]);
      });
      await expect(scope.run(tenant, ({ members }) => members.list(doc))).resolves.toEqual([
        { user_id: alice, email: 'alice@example.com', role: 'owner' },
        { user_id: bob, email: 'bob@example.com', role: 'editor' },
      ]);
      const roles = await scope.run(tenant, ({ members }) => members.roles(doc));
      expect([...roles.entries()].sort()).toEqual([
        [alice, 'owner'],
        [bob, 'editor'],
      ]);
      await expect(scope.run(tenant, ({ members }) => members.roleOf(doc, bob))).resolves.toBe('editor');
      await scope.run(tenant, ({ members }) => members.remove(doc, [bob]));
      await expect(scope.run(tenant, ({ members }) => members.roleOf(doc, bob))).resolves.toBeNull();
      await expect(scope.run(tenant, ({ grants }) => grants.listOfRecipient(doc, bob))).resolves.toEqual([]);
      await scope.run(tenant, ({ members }) => members.remove(doc, []));
      expect(await countIn(tenant, 'document_members')).toBe(1);
    });

    it("lists only the recipient's grants, oldest epoch first, and refuses a second grant of one epoch for one member", async () => {
      const tenant = await seededTenant('grants');
      const later = grant(1, alice, alice, 'owner');
      await scope.run(tenant, async ({ members, grants }) => {
        await members.insert(doc, bob, 'viewer');
        await grants.insert(doc, [later, grant(0, alice, bob, 'viewer')]);
      });
      const own = await scope.run(tenant, ({ grants }) => grants.listOfRecipient(doc, alice));
      expect(own.map((row) => [row.key_epoch, row.recipient_user_id])).toEqual([
        [0, alice],
        [1, alice],
      ]);
      expect(own[1]).toEqual({
        key_epoch: 1,
        granter_user_id: alice,
        recipient_user_id: alice,
        role: 'owner',
        sealed_key: later.sealedKey,
        signature: later.signature,
      });
      await expect(
        scope.run(tenant, ({ grants }) => grants.insert(doc, [grant(1, alice, alice, 'owner')])),
      ).rejects.toThrow();
    });

    it('stores a link with its sealed keys; revoking it deletes the keys and hides it from the live lists and sessions', async () => {
      const tenant = await seededTenant('links');
      const id = linkId();
      const createdAt = await scope.run(tenant, async ({ links }) => {
        const created = await links.insert({
          ...newLink(id),
          password: { salt: bytes(16), kdf: { opsLimit: 3, memLimit: 64 * 1024 * 1024 } },
        });
        await links.insertKeys(id, [{ keyEpoch: 0, sealedKey: bytes(72) }]);
        return created;
      });
      expect(createdAt).toBeInstanceOf(Date);
      await expect(scope.run(tenant, ({ links }) => links.insert(newLink(id)))).resolves.toBeNull();
      await expect(scope.run(tenant, ({ links }) => links.isLive(id, doc))).resolves.toBe(true);
      await expect(scope.run(tenant, ({ links }) => links.isLive(id, documentId('other')))).resolves.toBe(false);
      await expect(scope.run(tenant, ({ links }) => links.liveIds(doc))).resolves.toEqual([id]);
      const listed = await scope.run(tenant, ({ links }) => links.listLive(doc));
      expect(listed.map((row) => [row.id, row.role, row.password_salt?.byteLength])).toEqual([[id, 'viewer', 16]]);
      await expect(scope.run(tenant, ({ links }) => links.liveForSession(id))).resolves.toMatchObject({
        document_id: doc,
        role: 'viewer',
        kdf_ops: 3,
        current_epoch: 0,
      });
      await expect(scope.run(tenant, ({ links }) => links.keys(id))).resolves.toHaveLength(1);
      await scope.run(tenant, ({ links }) => links.revoke([id]));
      await expect(scope.run(tenant, ({ links }) => links.keys(id))).resolves.toEqual([]);
      await expect(scope.run(tenant, ({ links }) => links.isLive(id, doc))).resolves.toBe(false);
      await expect(scope.run(tenant, ({ links }) => links.liveIds(doc))).resolves.toEqual([]);
      await expect(scope.run(tenant, ({ links }) => links.liveForSession(id))).resolves.toBeUndefined();
    });

    it('deleting a document removes its members, grants, links and link keys', async () => {
      const tenant = await seededTenant('delete');
      const id = linkId();
      await scope.run(tenant, async ({ links }) => {
        await links.insert(newLink(id));
        await links.insertKeys(id, [{ keyEpoch: 0, sealedKey: bytes(72) }]);
      });
      await scope.run(tenant, ({ documents }) => documents.delete(doc));
      for (const table of ['documents', 'document_members', 'key_grants', 'links', 'link_keys']) {
        expect(await countIn(tenant, table)).toBe(0);
      }
      expect(await countIn(tenant, 'users')).toBe(2);
    });

    it("a tenant's repositories never see or change another tenant's document with the same id", async () => {
      const a = await seededTenant('isolation-a');
      const b = await seededTenant('isolation-b');
      const id = linkId();
      await scope.run(b, async ({ links }) => {
        await links.insert(newLink(id));
        await links.insertKeys(id, [{ keyEpoch: 0, sealedKey: bytes(72) }]);
      });
      await scope.run(a, async ({ documents, members, links }) => {
        await documents.setEpoch(doc, 5);
        await members.remove(doc, [alice]);
        await expect(links.isLive(id, doc)).resolves.toBe(false);
        await links.revoke([id]);
        await documents.delete(doc);
      });
      await expect(scope.run(b, ({ documents }) => documents.access(doc, alice))).resolves.toEqual({
        current_epoch: 0,
        role: 'owner',
      });
      await expect(scope.run(b, ({ links }) => links.isLive(id, doc))).resolves.toBe(true);
      await expect(scope.run(b, ({ links }) => links.keys(id))).resolves.toHaveLength(1);
    });

    it("under Row Level Security, a repository given another tenant's id inside a tenant's transaction sees and changes nothing", async () => {
      const a = await seededTenant('rls-a');
      const b = await seededTenant('rls-b');
      const id = linkId();
      await scope.run(b, ({ links }) => links.insert(newLink(id)));
      const seen = await ctx().db.withTenant(a, async (sql) => {
        const documents = new DocumentRepository(sql, b);
        const members = new MemberRepository(sql, b);
        const links = new LinkRepository(sql, b);
        const result = {
          access: await documents.access(doc, alice),
          listed: await documents.listOfMember(alice),
          role: await members.roleOf(doc, alice),
          live: await links.isLive(id, doc),
        };
        await documents.setEpoch(doc, 9);
        await members.remove(doc, [alice]);
        await links.revoke([id]);
        await documents.delete(doc);
        return result;
      });
      expect(seen).toEqual({ access: undefined, listed: [], role: null, live: false });
      await expect(scope.run(b, ({ documents }) => documents.access(doc, alice))).resolves.toEqual({
        current_epoch: 0,
        role: 'owner',
      });
      await expect(scope.run(b, ({ links }) => links.isLive(id, doc))).resolves.toBe(true);
      await expect(
        ctx().db.withTenant(a, (sql) => new DocumentRepository(sql, b).insert(documentId('intruder'), alice)),
      ).rejects.toThrow();
    });
  });
}
