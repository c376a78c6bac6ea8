import { createHash } from 'node:crypto';
import { InvalidRoleNameError, MigrationMismatchError } from './errors.ts';
import { APP_TABLE_PRIVILEGES, DEFAULT_APP_ROLE, MIGRATIONS, type Migration } from './migrations.ts';
import type { SqlDatabase, SqlExecutor } from './SqlDatabase.ts';

export interface MigrateOptions {
  /** The application role to create (if missing) and grant to. Default `coffre_app`. */
  appRole?: string;
  /** Sets (or resets) the application role's password. PGlite ignores passwords. */
  appPassword?: string;
  /** The migrations to apply; defaults to {@link MIGRATIONS}. For tests. */
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  /** Versions applied by this run, in order (empty when already up to date). */
  applied: number[];
  /** The highest version now recorded. */
  version: number;
}

/** Lower-case identifiers only, so the name never needs quoting rules beyond `"..."`. */
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Returns `name` if it is a plain lower-case SQL identifier not starting with `pg_`, else throws. */
export function validateRoleName(name: string): string {
  if (!ROLE_NAME.test(name) || name.startsWith('pg_')) throw new InvalidRoleNameError(name);
  return name;
}

/** Key of the transaction-level advisory lock serialising concurrent `migrate` runs ("coffre" in ASCII). */
const MIGRATION_LOCK_KEY = '109270165778021';

function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

function checkMigrationList(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const migration of migrations) {
    if (!Number.isSafeInteger(migration.version) || migration.version <= previous) {
      throw new MigrationMismatchError(
        `migration versions must be positive integers in increasing order; ${migration.version} follows ${previous}`,
      );
    }
    previous = migration.version;
  }
}

/**
 * Brings the schema up to date and (re)grants the application role, all in
 * one transaction on an administrator connection (a superuser, or the owner
 * of the schema with CREATEROLE):
 *
 * 1. takes an advisory lock so concurrent runs (several relays starting)
 *    apply each migration once;
 * 2. creates `schema_migrations` if missing, checks that every recorded
 *    migration is known with an unchanged checksum;
 * 3. applies the pending migrations in version order, recording each;
 * 4. creates the application role if missing (NOSUPERUSER NOBYPASSRLS
 *    NOCREATEDB NOCREATEROLE LOGIN, optional password), refuses a role that
 *    is the administrator, a superuser or BYPASSRLS, and grants USAGE on the
 *    schema and its sequences and the privileges of {@link APP_TABLE_PRIVILEGES}.
 *    The role owns nothing.
 *
 * Idempotent: a second run applies nothing and only repeats the grants.
 * Any failure rolls the whole run back.
 */
export async function migrate(admin: SqlDatabase, options: MigrateOptions = {}): Promise<MigrateResult> {
  const appRole = validateRoleName(options.appRole ?? DEFAULT_APP_ROLE);
  const migrations = options.migrations ?? MIGRATIONS;
  checkMigrationList(migrations);

  return admin.withoutTenant(async (sql) => {
    await sql.query(`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await sql.exec(`
create table if not exists schema_migrations (
  version integer primary key,
  name text not null,
  checksum text not null,
  applied_at timestamptz not null default now()
)`);
    const recorded = await sql.query<{ version: number; name: string; checksum: string }>(
      'select version, name, checksum from schema_migrations order by version',
    );
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of recorded) {
      const migration = known.get(row.version);
      if (!migration) {
        throw new MigrationMismatchError(
          `the database has migration ${row.version} (${row.name}) that this build does not know: ` +
            'it was migrated by a newer relay',
        );
      }
      if (migration.name !== row.name || checksum(migration.sql) !== row.checksum) {
        throw new MigrationMismatchError(
          `migration ${row.version} (${row.name}) was changed after it was applied; add a new migration instead`,
        );
      }
    }

    const done = new Set(recorded.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await sql.exec(migration.sql);
      await sql.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
        migration.version,
        migration.name,
        checksum(migration.sql),
      ]);
      applied.push(migration.version);
    }

    await grantApplicationRole(sql, appRole, options.appPassword);

    const last = migrations.at(-1)?.version ?? 0;
    const highestRecorded = recorded.at(-1)?.version ?? 0;
    return { applied, version: Math.max(last, highestRecorded) };
  });
}

async function grantApplicationRole(sql: SqlExecutor, appRole: string, password: string | undefined): Promise<void> {
  // The password travels as a bound parameter into a transaction-local
  // setting, then into format(%L): it is never spliced into SQL text here.
  await sql.query("select set_config('coffre.app_password', $1, true)", [password ?? '']);
  const grants = Object.entries(APP_TABLE_PRIVILEGES)
    .map(
      ([table, privileges]) =>
        `  execute format('grant ${privileges.join(', ')} on table %I to %I', '${table}', role_name);`,
    )
    .join('\n');
  // appRole matched ROLE_NAME, so it is safe as a string literal.
  await sql.exec(`
do $coffre$
declare
  role_name constant text := '${appRole}';
  pw text := nullif(current_setting('coffre.app_password', true), '');
  existing record;
begin
  if role_name = current_user or role_name = session_user then
    raise exception 'the application role % cannot be the role running migrations', role_name;
  end if;
  select r.rolsuper, r.rolbypassrls into existing from pg_roles r where r.rolname = role_name;
  if not found then
    execute format('create role %I nosuperuser nobypassrls nocreatedb nocreaterole noreplication login', role_name);
  elsif existing.rolsuper or existing.rolbypassrls then
    raise exception 'the application role % is a superuser or has BYPASSRLS; refusing to grant it access', role_name;
  end if;
  if pw is not null then
    execute format('alter role %I password %L', role_name, pw);
  end if;
  execute format('grant usage on schema %I to %I', current_schema(), role_name);
${grants}
  execute format('grant usage on all sequences in schema %I to %I', current_schema(), role_name);
end
$coffre$;
select set_config('coffre.app_password', '', true);
`);
}
