import type { DocumentId, UserId } from '@coffre/protocol';
import { ScopedRepository } from '../storage/TenantScope.ts';

/** A garbage-collection sweep of a space (`drive_sweeps`). */
export interface Sweep {
  id: string;
  space: DocumentId;
  userId: string;
  startedAt: Date;
  /** Only chunks last claimed before this can be released through the sweep. */
  claimedBefore: Date;
  expiresAt: Date;
}

interface SweepRow {
  id: string;
  space_id: string;
  user_id: string;
  started_at: Date | string;
  claimed_before: Date | string;
  expires_at: Date | string;
}

const COLUMNS = 'id, space_id, user_id, started_at, claimed_before, expires_at';

/** The `drive_sweeps` table: sweeps started by a space's owners, until they expire. */
export class SweepRepository extends ScopedRepository {
  /**
   * Starts a sweep now (the database's clock, the one `claimed_at` is set
   * by): it may release chunks last claimed more than `graceMs` before.
   */
  async create(space: DocumentId, id: string, user: UserId, graceMs: number, lifetimeMs: number): Promise<Sweep> {
    const [row] = await this.sql.query<SweepRow>(
      `insert into drive_sweeps (tenant_id, space_id, id, user_id, claimed_before, expires_at)
       values ($1, $2, $3, $4, now() - make_interval(secs => $5::double precision / 1000),
               now() + make_interval(secs => $6::double precision / 1000))
       returning ${COLUMNS}`,
      [this.tenant, space, id, user, graceMs, lifetimeMs],
    );
    return toSweep(row as SweepRow);
  }

  /** The sweep `id` of `space` started by `user`, if it has not expired. */
  async find(space: DocumentId, id: string, user: UserId): Promise<Sweep | null> {
    const [row] = await this.sql.query<SweepRow>(
      `select ${COLUMNS} from drive_sweeps
       where tenant_id = $1 and space_id = $2 and id = $3 and user_id = $4 and expires_at > now()`,
      [this.tenant, space, id, user],
    );
    return row ? toSweep(row) : null;
  }

  /** Forgets the tenant's expired sweeps. */
  async deleteExpired(): Promise<void> {
    await this.sql.query('delete from drive_sweeps where tenant_id = $1 and expires_at <= now()', [this.tenant]);
  }
}

function toSweep(row: SweepRow): Sweep {
  return {
    id: row.id,
    space: row.space_id as DocumentId,
    userId: row.user_id,
    startedAt: new Date(row.started_at),
    claimedBefore: new Date(row.claimed_before),
    expiresAt: new Date(row.expires_at),
  };
}
