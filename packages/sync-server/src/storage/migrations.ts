/**
 * The relay's schema, as numbered migrations. Never edit a migration that has
 * shipped: `migrate` records a checksum of each one and refuses to run when an
 * applied migration's text changed. Add a new entry instead.
 *
 * Rules every tenant table follows (DESIGN.md section 5):
 * - a `tenant_id text not null` column, part of every unique key and every
 *   foreign key;
 * - `ENABLE` and `FORCE ROW LEVEL SECURITY`, with one policy comparing
 *   `tenant_id` with `current_setting('coffre.tenant_id', true)` for both
 *   USING and WITH CHECK;
 * - listed in {@link APP_TABLE_PRIVILEGES} so the application role gets
 *   exactly the privileges it needs (granted by `migrate` on every run).
 */

export interface Migration {
  /** Positive integer, strictly increasing through {@link MIGRATIONS}. */
  readonly version: number;
  /** Short snake_case description, recorded in `schema_migrations`. */
  readonly name: string;
  /** One or more statements, run with the administrator's rights. */
  readonly sql: string;
}

/** Ids are 1..64 of [A-Za-z0-9_-] starting with a letter or digit (`@coffre/protocol` ids.ts). */
const ID_CHECK = `'^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'`;
const TENANT_POLICY = `tenant_id = current_setting('coffre.tenant_id', true)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants_and_documents',
    sql: `
create table tenants (
  id text primary key check (id ~ ${ID_CHECK}),
  name text,
  created_at timestamptz not null default now()
);
alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenant_isolation on tenants
  using (id = current_setting('coffre.tenant_id', true))
  with check (id = current_setting('coffre.tenant_id', true));

create table documents (
  tenant_id text not null references tenants (id) on delete cascade,
  id text not null check (id ~ ${ID_CHECK}),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
alter table documents enable row level security;
alter table documents force row level security;
create policy tenant_isolation on documents using (${TENANT_POLICY}) with check (${TENANT_POLICY});

-- The merged Yjs state of a document: every update with seq <= merged_through
-- is folded into state and deleted from document_updates.
create table document_states (
  tenant_id text not null,
  document_id text not null,
  state bytea not null,
  merged_through bigint not null check (merged_through >= 0),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, document_id),
  foreign key (tenant_id, document_id) references documents (tenant_id, id) on delete cascade
);
alter table document_states enable row level security;
alter table document_states force row level security;
create policy tenant_isolation on document_states using (${TENANT_POLICY}) with check (${TENANT_POLICY});

-- The tail of updates not yet merged, in seq order. seq comes from one
-- sequence (cache 1), so it grows with the order in which appends started.
create table document_updates (
  tenant_id text not null,
  document_id text not null,
  seq bigint generated always as identity,
  data bytea not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, document_id, seq),
  foreign key (tenant_id, document_id) references documents (tenant_id, id) on delete cascade
);
alter table document_updates enable row level security;
alter table document_updates force row level security;
create policy tenant_isolation on document_updates using (${TENANT_POLICY}) with check (${TENANT_POLICY});
`,
  },
];

export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/**
 * What the application role may do, table by table. `migrate` grants these
 * (and USAGE on the schema and its sequences) on every run, so a table added
 * by a later migration only needs an entry here. A table missing from this
 * list is invisible to the relay.
 */
export const APP_TABLE_PRIVILEGES: Readonly<Record<string, readonly TablePrivilege[]>> = {
  tenants: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  documents: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  document_states: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  document_updates: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
};

/** The tables holding tenant rows, all under forced Row Level Security. */
export const TENANT_TABLES: readonly string[] = ['tenants', 'documents', 'document_states', 'document_updates'];

/** The role the relay connects as unless told otherwise. */
export const DEFAULT_APP_ROLE = 'coffre_app';
