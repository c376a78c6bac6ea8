import { DeviceRepository } from '../accounts/DeviceRepository.ts';
import { UserRepository } from '../accounts/UserRepository.ts';
import type { SqlDatabase } from '../storage/SqlDatabase.ts';
import { TenantScope } from '../storage/TenantScope.ts';
import { DocumentRepository } from './DocumentRepository.ts';
import { GrantRepository } from './GrantRepository.ts';
import { LinkRepository } from './LinkRepository.ts';
import { MemberRepository } from './MemberRepository.ts';

/** The sharing area's tables, and the accounts tables it reads keys from, bound to one tenant transaction. */
export interface SharingRepositories {
  users: UserRepository;
  devices: DeviceRepository;
  documents: DocumentRepository;
  members: MemberRepository;
  grants: GrantRepository;
  links: LinkRepository;
}

/** Tenant transactions over the sharing repositories. */
export function sharingRepositories(database: SqlDatabase): TenantScope<SharingRepositories> {
  return new TenantScope(database, (sql, tenant) => ({
    users: new UserRepository(sql, tenant),
    devices: new DeviceRepository(sql, tenant),
    documents: new DocumentRepository(sql, tenant),
    members: new MemberRepository(sql, tenant),
    grants: new GrantRepository(sql, tenant),
    links: new LinkRepository(sql, tenant),
  }));
}
