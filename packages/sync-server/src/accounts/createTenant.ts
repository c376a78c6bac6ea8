import { type TenantId, tenantId } from '@coffre/protocol';
import type { SqlDatabase } from '../storage/SqlDatabase.ts';
import { TenantRepository } from '../storage/TenantRepository.ts';

/** A tenant with this slug exists already. */
export class TenantExistsError extends Error {
  readonly code = 'TENANT_EXISTS';
  readonly tenantId: string;
  constructor(slug: string) {
    super(`tenant ${JSON.stringify(slug)} already exists`);
    this.name = 'TenantExistsError';
    this.tenantId = slug;
  }
}

/** The display name is not 1-200 characters. */
export class InvalidTenantNameError extends Error {
  readonly code = 'INVALID_TENANT_NAME';
  constructor() {
    super('a tenant name is 1 to 200 characters');
    this.name = 'InvalidTenantNameError';
  }
}

/**
 * Creates a tenant (an organisation). Its id is the slug that appears in
 * URLs and document names; `name` is what people read. Rejects with
 * `InvalidIdError` for a bad slug and {@link TenantExistsError} when taken.
 *
 * @example
 * await createTenant(database, 'acme', 'Acme Corp');
 */
export async function createTenant(database: SqlDatabase, slug: string, name: string): Promise<TenantId> {
  const id = tenantId(slug);
  const displayName = name.trim();
  if (displayName.length < 1 || displayName.length > 200) throw new InvalidTenantNameError();
  const created = await database.withTenant(id, (sql) => new TenantRepository(sql, id).create(displayName));
  if (!created) throw new TenantExistsError(slug);
  return id;
}

/**
 * Creates the tenant unless it exists; resolves true when it was created.
 * `coffre-relay serve` uses it for the default organisation new people sign
 * up into, so a fresh relay is usable without any other command.
 */
export async function ensureTenant(database: SqlDatabase, slug: string, name: string): Promise<boolean> {
  try {
    await createTenant(database, slug, name);
    return true;
  } catch (error) {
    if (error instanceof TenantExistsError) return false;
    throw error;
  }
}
