/**
 * Named errors of the relay's database layer. Each carries a stable `code`
 * so callers (start-up, the admin CLI, the persistence hook) can branch on it
 * without parsing messages.
 */

/**
 * The database connection the relay runs on could defeat Row Level Security:
 * its role is a superuser, has BYPASSRLS, is a member of such a role, or owns
 * a table (or the schema) the relay uses. Thrown at start-up by
 * `assertSafeApplicationRole` and, for PGlite, whenever the session's role
 * drifted away from the application role.
 */
export class UnsafeDatabaseRoleError extends Error {
  readonly code = 'UNSAFE_DATABASE_ROLE';
  /** The role the check ran as (`current_user`). */
  readonly role: string;
  /** One human-readable line per problem found. */
  readonly reasons: readonly string[];

  constructor(role: string, reasons: readonly string[]) {
    super(
      `database role ${JSON.stringify(role)} is not safe for the relay: ${reasons.join('; ')}. ` +
        'Connect as the application role created by `coffre-relay migrate` (NOSUPERUSER NOBYPASSRLS, owning nothing).',
    );
    this.name = 'UnsafeDatabaseRoleError';
    this.role = role;
    this.reasons = reasons;
  }
}

/** The schema_migrations table disagrees with the migrations this build knows. */
export class MigrationMismatchError extends Error {
  readonly code = 'MIGRATION_MISMATCH';
  constructor(message: string) {
    super(message);
    this.name = 'MigrationMismatchError';
  }
}

/** The database has not been migrated (a table the relay needs is missing). */
export class SchemaNotMigratedError extends Error {
  readonly code = 'SCHEMA_NOT_MIGRATED';
  readonly missing: readonly string[];
  constructor(missing: readonly string[]) {
    super(
      `the database is missing table(s) ${missing.join(', ')}: run \`coffre-relay migrate\` with an administrator ` +
        'connection (or pass adminDatabaseUrl) before starting the relay',
    );
    this.name = 'SchemaNotMigratedError';
    this.missing = missing;
  }
}

/** An update was appended for a tenant that has no row in `tenants`. */
export class UnknownTenantError extends Error {
  readonly code = 'UNKNOWN_TENANT';
  readonly tenantId: string;
  constructor(tenantId: string) {
    super(`unknown tenant ${JSON.stringify(tenantId)}: create it before storing documents`);
    this.name = 'UnknownTenantError';
    this.tenantId = tenantId;
  }
}

/** An update for a document that does not exist (deleted), appended without creating it. */
export class UnknownDocumentError extends Error {
  readonly code = 'UNKNOWN_DOCUMENT';
  readonly documentId: string;
  constructor(documentId: string) {
    super(`unknown document ${JSON.stringify(documentId)}: it was deleted, or never created`);
    this.name = 'UnknownDocumentError';
    this.documentId = documentId;
  }
}

/** A role name that is not a plain lower-case SQL identifier. */
export class InvalidRoleNameError extends Error {
  readonly code = 'INVALID_ROLE_NAME';
  constructor(value: string) {
    super(
      `invalid database role name ${JSON.stringify(value.slice(0, 80))}: use 1 to 63 lower-case letters, digits ` +
        "or '_', starting with a letter or '_'",
    );
    this.name = 'InvalidRoleNameError';
  }
}
