/** A user's role in a tenant, as stored. */
export type AccountRole = 'tenant-admin' | 'member';
