import type { SqlDatabase } from '../storage/SqlDatabase.ts';
import { TenantRepository } from '../storage/TenantRepository.ts';
import { TenantScope } from '../storage/TenantScope.ts';
import { DeviceRepository } from './DeviceRepository.ts';
import { SecondFactorRepository } from './SecondFactorRepository.ts';
import { SessionRepository } from './SessionRepository.ts';
import { UserRepository } from './UserRepository.ts';

/** The accounts area's tables, bound to one tenant transaction. */
export interface AccountRepositories {
  tenants: TenantRepository;
  users: UserRepository;
  devices: DeviceRepository;
  sessions: SessionRepository;
  secondFactors: SecondFactorRepository;
}

/** Tenant transactions over the accounts repositories. */
export function accountRepositories(database: SqlDatabase): TenantScope<AccountRepositories> {
  return new TenantScope(database, (sql, tenant) => ({
    tenants: new TenantRepository(sql, tenant),
    users: new UserRepository(sql, tenant),
    devices: new DeviceRepository(sql, tenant),
    sessions: new SessionRepository(sql, tenant),
    secondFactors: new SecondFactorRepository(sql, tenant),
  }));
}
