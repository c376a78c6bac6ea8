import type { DeviceId, DocumentId, DocumentRole, TenantId, UserId } from '@coffre/protocol';
import { DeviceRepository } from '../accounts/DeviceRepository.ts';
import type { SqlDatabase } from '../storage/SqlDatabase.ts';
import { TenantScope } from '../storage/TenantScope.ts';
import { LinkRepository } from './LinkRepository.ts';
import { MemberRepository } from './MemberRepository.ts';

/**
 * The sync side's access checks, one statement each: whether a user is a
 * member of a document (and as what), and whether a share link is live.
 * Used when a document connection authenticates.
 */
export class DocumentGuard {
  readonly #scope: TenantScope<{ members: MemberRepository; links: LinkRepository; devices: DeviceRepository }>;

  constructor(database: SqlDatabase) {
    this.#scope = new TenantScope(database, (sql, tenant) => ({
      members: new MemberRepository(sql, tenant),
      links: new LinkRepository(sql, tenant),
      devices: new DeviceRepository(sql, tenant),
    }));
  }

  /** The user's role in the document, or null when they are not a member (or it does not exist). */
  async memberRole(tenant: TenantId, documentId: DocumentId, userId: UserId): Promise<DocumentRole | null> {
    return this.#scope.run(tenant, ({ members }) => members.roleOf(documentId, userId));
  }

  /** Whether the link exists, belongs to the document and is not revoked. */
  async isLinkLive(tenant: TenantId, linkId: string, documentId: DocumentId): Promise<boolean> {
    return this.#scope.run(tenant, ({ links }) => links.isLive(linkId, documentId));
  }

  /** A device's signing key (revoked devices too), to verify an entry relayed on its behalf; null when none. */
  async signingKey(tenant: TenantId, device: DeviceId): Promise<Uint8Array | null> {
    return this.#scope.run(tenant, ({ devices }) => devices.signingKey(device));
  }
}
