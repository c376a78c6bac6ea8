import { UnsafeDatabaseRoleError } from './errors.ts';
import type { SqlDatabase } from './SqlDatabase.ts';

interface RoleFacts {
  current_user: string;
  session_user: string;
  rolsuper: boolean | null;
  rolbypassrls: boolean | null;
  session_unsafe: boolean;
  member_of_unsafe: string[] | null;
  owned_relations: string[] | null;
  owns_schema: boolean;
}

/**
 * Refuses to run on a connection that could read or write across tenants
 * despite Row Level Security. Throws {@link UnsafeDatabaseRoleError} when
 * `current_user`:
 *
 * - is a superuser or has BYPASSRLS (`pg_roles.rolsuper`, `rolbypassrls`);
 * - is a member of a role that is (it could `SET ROLE` to it);
 * - owns, or is a member of the owner of, any table, view or sequence in the
 *   current schema, or the schema itself (an owner can turn RLS off);
 * - on PostgreSQL only: logged in as an unsafe `session_user` and merely
 *   switched role (`RESET ROLE` would undo it).
 *
 * PGlite always runs with `session_user = postgres` (a superuser): its
 * `username` option is a session-level role switch, so the session-user rule
 * cannot apply there; `PgliteDatabase` instead checks `current_user` around
 * every transaction.
 *
 * Call it at start-up with the connection the relay will serve requests on.
 */
export async function assertSafeApplicationRole(db: SqlDatabase): Promise<void> {
  const facts = await db.withoutTenant(async (sql) => {
    const rows = await sql.query<RoleFacts>(`
select
  current_user::text as current_user,
  session_user::text as session_user,
  me.rolsuper,
  me.rolbypassrls,
  coalesce((select s.rolsuper or s.rolbypassrls from pg_roles s where s.rolname = session_user), true)
    as session_unsafe,
  (select array_agg(r.rolname::text order by r.rolname) from pg_roles r
    where r.rolname <> current_user
      and (r.rolsuper or r.rolbypassrls)
      and pg_has_role(current_user, r.oid, 'MEMBER')) as member_of_unsafe,
  (select array_agg(c.relname::text order by c.relname) from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema()
      and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
      and pg_has_role(current_user, c.relowner, 'MEMBER')) as owned_relations,
  coalesce((select pg_has_role(current_user, n.nspowner, 'MEMBER') from pg_namespace n
    where n.nspname = current_schema()), false) as owns_schema
from (select 1) as one
left join pg_roles me on me.rolname = current_user`);
    const row = rows[0];
    if (!row) throw new Error('role check returned no row');
    return row;
  });

  const reasons: string[] = [];
  if (facts.rolsuper === null) reasons.push('the role is not in pg_roles');
  if (facts.rolsuper) reasons.push('it is a superuser');
  if (facts.rolbypassrls) reasons.push('it has BYPASSRLS');
  // A superuser counts as a member and owner of everything: the first reason says it all.
  const memberships = facts.rolsuper ? [] : (facts.member_of_unsafe ?? []);
  const owned = facts.rolsuper ? [] : (facts.owned_relations ?? []);
  for (const role of memberships) {
    reasons.push(`it is a member of ${JSON.stringify(role)}, a superuser or BYPASSRLS role`);
  }
  if (owned.length > 0) reasons.push(`it owns ${owned.map((name) => JSON.stringify(name)).join(', ')}`);
  if (facts.owns_schema && !facts.rolsuper) reasons.push('it owns the schema');
  if (db.engine === 'postgres' && facts.session_user !== facts.current_user && facts.session_unsafe) {
    reasons.push(`it was reached with SET ROLE from ${JSON.stringify(facts.session_user)}, which is not safe`);
  }
  if (reasons.length > 0) throw new UnsafeDatabaseRoleError(facts.current_user, reasons);
}
