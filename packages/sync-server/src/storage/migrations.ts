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
  {
    version: 3,
    name: 'document_members_grants_links',
    sql: `
-- Documents created through the API have an owner and a key epoch; rows created by
-- development tokens (no accounts) keep created_by null. Deleting a document deletes
-- its row: states, updates, members, grants and links go by ON DELETE CASCADE.
alter table documents add column current_epoch integer not null default 0 check (current_epoch >= 0);
alter table documents add column created_by text;
alter table documents add constraint documents_created_by_fkey
  foreign key (tenant_id, created_by) references users (tenant_id, id);

-- The identity key's signature over the device's keys (encodeDeviceStatement):
-- clients trust a device's entries only when it verifies.
alter table devices add column identity_signature bytea check (octet_length(identity_signature) = 64);

create table document_members (
  tenant_id text not null,
  document_id text not null,
  user_id text not null,
  role text not null check (role in ('owner', 'editor', 'viewer')),
  added_at timestamptz not null default now(),
  primary key (tenant_id, document_id, user_id),
  foreign key (tenant_id, document_id) references documents (tenant_id, id) on delete cascade,
  foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);
create index document_members_user on document_members (tenant_id, user_id);
alter table document_members enable row level security;
alter table document_members force row level security;
create policy tenant_isolation on document_members using (${TENANT_POLICY}) with check (${TENANT_POLICY});

-- A document key of one epoch sealed to a member's identity box key and signed by the
-- granter's identity key: the relay can neither open nor forge one. A grant belongs to
-- a membership, so removing the member removes their grants.
create table key_grants (
  tenant_id text not null,
  document_id text not null,
  key_epoch integer not null check (key_epoch >= 0),
  recipient_user_id text not null,
  granter_user_id text not null,
  role text not null check (role in ('owner', 'editor', 'viewer')),
  sealed_key bytea not null check (octet_length(sealed_key) = 80),
  signature bytea not null check (octet_length(signature) = 64),
  created_at timestamptz not null default now(),
  primary key (tenant_id, document_id, key_epoch, recipient_user_id),
  foreign key (tenant_id, document_id, recipient_user_id)
    references document_members (tenant_id, document_id, user_id) on delete cascade,
  foreign key (tenant_id, granter_user_id) references users (tenant_id, id) on delete cascade
);
create index key_grants_recipient on key_grants (tenant_id, document_id, recipient_user_id);
alter table key_grants enable row level security;
alter table key_grants force row level security;
create policy tenant_isolation on key_grants using (${TENANT_POLICY}) with check (${TENANT_POLICY});

-- Share links. The link secret stays in the URL fragment; the relay keeps its id
-- (derived from the secret), a hash of the access proof, and the Argon2id parameters
-- of an optional password (the password itself never reaches the relay).
create table links (
  tenant_id text not null,
  id text not null check (id ~ '^[0-9a-f]{32}$'),
  document_id text not null,
  role text not null check (role in ('viewer', 'editor')),
  verifier bytea not null check (octet_length(verifier) = 32),
  password_salt bytea check (octet_length(password_salt) = 16),
  kdf_ops integer check (kdf_ops > 0),
  kdf_mem integer check (kdf_mem > 0),
  created_by text not null,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, document_id) references documents (tenant_id, id) on delete cascade,
  foreign key (tenant_id, created_by) references users (tenant_id, id) on delete cascade,
  check ((password_salt is null) = (kdf_ops is null) and (kdf_ops is null) = (kdf_mem is null))
);
create index links_document on links (tenant_id, document_id);
alter table links enable row level security;
alter table links force row level security;
create policy tenant_isolation on links using (${TENANT_POLICY}) with check (${TENANT_POLICY});

-- The document key of each epoch sealed with a key derived from the link secret (and password).
create table link_keys (
  tenant_id text not null,
  link_id text not null,
  key_epoch integer not null check (key_epoch >= 0),
  sealed_key bytea not null check (octet_length(sealed_key) = 72),
  primary key (tenant_id, link_id, key_epoch),
  foreign key (tenant_id, link_id) references links (tenant_id, id) on delete cascade
);
alter table link_keys enable row level security;
alter table link_keys force row level security;
create policy tenant_isolation on link_keys using (${TENANT_POLICY}) with check (${TENANT_POLICY});
`,
  },
  {
    version: 4,
    name: 'envelope_writers',
    sql: `
-- Which device writes under each Yjs client id of a document's envelope
-- (EnvelopeWriters): the relay refuses changes under another device's id, and
-- an id's entries can all be compacted away, so the binding is kept here.
create table envelope_writers (
  tenant_id text not null,
  document_id text not null,
  client_id bigint not null check (client_id >= 0),
  device_id text not null check (device_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
  bound_at timestamptz not null default now(),
  primary key (tenant_id, document_id, client_id),
  foreign key (tenant_id, document_id) references documents (tenant_id, id) on delete cascade
);
alter table envelope_writers enable row level security;
alter table envelope_writers force row level security;
create policy tenant_isolation on envelope_writers using (${TENANT_POLICY}) with check (${TENANT_POLICY});
`,
  },
  {
    version: 5,
    name: 'grant_log',
    sql: `
-- Every grant ever stored for a document, kept when its member is removed
-- (key_grants rows go with the membership): clients verify from it who was an
-- owner or editor in each key epoch, and whose certificates to serve for
-- entries of past authors. Append-only: rows go only with their document.
-- Grants of members removed before this migration are not here.
create table grant_log (
  tenant_id text not null,
  document_id text not null,
  seq bigint generated always as identity,
  key_epoch integer not null check (key_epoch >= 0),
  recipient_user_id text not null,
  granter_user_id text not null,
  role text not null check (role in ('owner', 'editor', 'viewer')),
  sealed_key bytea not null check (octet_length(sealed_key) = 80),
  signature bytea not null check (octet_length(signature) = 64),
  created_at timestamptz not null default now(),
  primary key (tenant_id, document_id, seq),
  foreign key (tenant_id, document_id) references documents (tenant_id, id) on delete cascade,
  foreign key (tenant_id, recipient_user_id) references users (tenant_id, id) on delete cascade,
  foreign key (tenant_id, granter_user_id) references users (tenant_id, id) on delete cascade
);
insert into grant_log (tenant_id, document_id, key_epoch, recipient_user_id, granter_user_id, role, sealed_key,
                       signature, created_at)
  select tenant_id, document_id, key_epoch, recipient_user_id, granter_user_id, role, sealed_key, signature, created_at
  from key_grants order by created_at;
alter table grant_log enable row level security;
alter table grant_log force row level security;
create policy tenant_isolation on grant_log using (${TENANT_POLICY}) with check (${TENANT_POLICY});
`,
  },
  {
    version: 6,
    name: 'drive_chunks',
    sql: `
-- The Drive's encrypted chunks the relay holds, per space (the document a
-- file belongs to), by address (BLAKE2b-256 of the ciphertext). The bytes
-- are in the blob store; a row is written only once its chunk is durable
-- there, so a row always names a chunk that can be read. Quotas sum size.
create table drive_chunks (
  tenant_id text not null,
  space_id text not null,
  address text not null check (address ~ '^[0-9a-f]{64}$'),
  size integer not null check (size > 0),
  created_at timestamptz not null default now(),
  primary key (tenant_id, space_id, address),
  foreign key (tenant_id, space_id) references documents (tenant_id, id) on delete cascade
);
alter table drive_chunks enable row level security;
alter table drive_chunks force row level security;
create policy tenant_isolation on drive_chunks using (${TENANT_POLICY}) with check (${TENANT_POLICY});
`,
  },
  {
    version: 7,
    name: 'drive_collection',
    sql: `
-- Garbage collection of the Drive's chunks (DriveService.startSweep). Only
-- members know which chunks a space's manifests name, so an owner's device
-- lists what is unreferenced; the relay deletes a chunk only if nobody
-- claimed it (uploaded it, or a writer asked whether it is held) since the
-- sweep's claimed_before. Rows present now count as claimed at migration
-- time: nothing recorded before it can be released within the grace period.
alter table drive_chunks add column claimed_at timestamptz not null default now();

-- Bumped by every transaction that deletes chunk bytes (a release, a
-- deleted space, a refused upload): an upload that wrote its bytes under an
-- older value writes them again before recording its row.
alter table tenants add column drive_generation bigint not null default 0;

create table drive_sweeps (
  tenant_id text not null,
  space_id text not null,
  id text not null check (id ~ '^[0-9a-f]{32}$'),
  user_id text not null,
  started_at timestamptz not null default now(),
  claimed_before timestamptz not null,
  expires_at timestamptz not null,
  primary key (tenant_id, id),
  foreign key (tenant_id, space_id) references documents (tenant_id, id) on delete cascade,
  foreign key (tenant_id, user_id) references users (tenant_id, id)
);
alter table drive_sweeps enable row level security;
alter table drive_sweeps force row level security;
create policy tenant_isolation on drive_sweeps using (${TENANT_POLICY}) with check (${TENANT_POLICY});

-- Chunks whose rows a release deleted (committed) and whose bytes are yet
-- to be deleted, in a later transaction under the tenant lock. A crash in
-- between leaves rows here, drained by the next sweep of the space; an
-- upload of such a chunk removes its row here and writes its bytes again.
create table drive_releases (
  tenant_id text not null,
  space_id text not null,
  address text not null check (address ~ '^[0-9a-f]{64}$'),
  released_at timestamptz not null default now(),
  primary key (tenant_id, space_id, address),
  foreign key (tenant_id, space_id) references documents (tenant_id, id) on delete cascade
);
alter table drive_releases enable row level security;
alter table drive_releases force row level security;
create policy tenant_isolation on drive_releases using (${TENANT_POLICY}) with check (${TENANT_POLICY});
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
  document_members: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  key_grants: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  links: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  link_keys: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  // Bindings are never changed or removed but with their document (ON DELETE CASCADE).
  envelope_writers: ['SELECT', 'INSERT'],
  // The grant log is append-only: rows go only with their document (ON DELETE CASCADE).
  grant_log: ['SELECT', 'INSERT'],
  // Chunks are removed by garbage collection and with their space (ON DELETE CASCADE); UPDATE claims them.
  drive_chunks: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  // Sweeps expire (deleted when the next one starts) and go with their space.
  drive_sweeps: ['SELECT', 'INSERT', 'DELETE'],
  // Released chunks whose bytes are being deleted: a row lives for one release.
  drive_releases: ['SELECT', 'INSERT', 'DELETE'],
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
  'document_members',
  'key_grants',
  'links',
  'link_keys',
  'envelope_writers',
  'grant_log',
  'drive_chunks',
  'drive_sweeps',
  'drive_releases',
];

/** The role the relay connects as unless told otherwise. */
export const DEFAULT_APP_ROLE = 'coffre_app';
