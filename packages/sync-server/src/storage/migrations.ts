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
  {
    version: 2,
    name: 'accounts_devices_sessions',
    sql: `
-- The tenant id is its slug; the display name is shown to people.
alter table tenants add constraint tenants_name_length check (name is null or char_length(name) between 1 and 200);

-- Zero knowledge: auth_hash is a keyed BLAKE2b (key auth_hash_salt, random per user) of
-- the client's authKey, itself derived from the password by Argon2id on the client
-- (auth_salt, kdf_ops, kdf_mem). key_bundle is sealed by the client; the relay cannot open it.
create table users (
  tenant_id text not null references tenants (id) on delete cascade,
  id text not null check (id ~ ${ID_CHECK}),
  email text not null check (char_length(email) between 3 and 254),
  role text not null check (role in ('tenant-admin', 'member')),
  auth_salt bytea not null check (octet_length(auth_salt) = 16),
  kdf_ops integer not null check (kdf_ops > 0),
  kdf_mem integer not null check (kdf_mem > 0),
  auth_hash bytea not null check (octet_length(auth_hash) = 32),
  auth_hash_salt bytea not null check (octet_length(auth_hash_salt) = 32),
  key_bundle bytea not null,
  signing_public_key bytea not null check (octet_length(signing_public_key) = 32),
  box_public_key bytea not null check (octet_length(box_public_key) = 32),
  totp_secret text,
  totp_pending_secret text,
  totp_enabled boolean not null default false,
  -- The last TOTP time step accepted: a code is good once.
  totp_last_step bigint,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, email),
  check (not totp_enabled or totp_secret is not null)
);
alter table users enable row level security;
alter table users force row level security;
create policy tenant_isolation on users using (${TENANT_POLICY}) with check (${TENANT_POLICY});

-- Keyed hashes of one-time recovery codes (the key is derived from the relay's server secret).
create table recovery_codes (
  tenant_id text not null,
  user_id text not null,
  code_hash bytea not null check (octet_length(code_hash) = 32),
  created_at timestamptz not null default now(),
  used_at timestamptz,
  primary key (tenant_id, user_id, code_hash),
  foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);
alter table recovery_codes enable row level security;
alter table recovery_codes force row level security;
create policy tenant_isolation on recovery_codes using (${TENANT_POLICY}) with check (${TENANT_POLICY});

create table devices (
  tenant_id text not null,
  id text not null check (id ~ ${ID_CHECK}),
  user_id text not null,
  name text not null check (char_length(name) between 1 and 100),
  signing_public_key bytea not null check (octet_length(signing_public_key) = 32),
  box_public_key bytea not null check (octet_length(box_public_key) = 32),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz,
  revoked_at timestamptz,
  primary key (tenant_id, id),
  -- Lets refresh_tokens require that its device belongs to its user.
  unique (tenant_id, user_id, id),
  foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);
alter table devices enable row level security;
alter table devices force row level security;
create policy tenant_isolation on devices using (${TENANT_POLICY}) with check (${TENANT_POLICY});

-- Opaque refresh tokens, stored as BLAKE2b hashes. A login starts a family
-- (family_id, the access token's sid); each refresh marks the token used and adds
-- the next one. A used token presented again revokes the whole family.
create table refresh_tokens (
  tenant_id text not null,
  token_hash bytea not null check (octet_length(token_hash) = 32),
  family_id text not null check (family_id ~ ${ID_CHECK}),
  user_id text not null,
  device_id text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz,
  primary key (tenant_id, token_hash),
  foreign key (tenant_id, user_id, device_id) references devices (tenant_id, user_id, id) on delete cascade
);
create index refresh_tokens_family on refresh_tokens (tenant_id, family_id);
create index refresh_tokens_device on refresh_tokens (tenant_id, device_id);
alter table refresh_tokens enable row level security;
alter table refresh_tokens force row level security;
create policy tenant_isolation on refresh_tokens using (${TENANT_POLICY}) with check (${TENANT_POLICY});
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
  // Accounts are not deleted by the relay yet: no DELETE on users and devices.
  users: ['SELECT', 'INSERT', 'UPDATE'],
  recovery_codes: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  devices: ['SELECT', 'INSERT', 'UPDATE'],
  refresh_tokens: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
};

/** The tables holding tenant rows, all under forced Row Level Security. */
export const TENANT_TABLES: readonly string[] = [
  'tenants',
  'documents',
  'document_states',
  'document_updates',
  'users',
  'recovery_codes',
  'devices',
  'refresh_tokens',
];

/** The role the relay connects as unless told otherwise. */
export const DEFAULT_APP_ROLE = 'coffre_app';
