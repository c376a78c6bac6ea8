import type { UserId } from '@coffre/protocol';
import { ScopedRepository } from '../storage/TenantScope.ts';
import type { AccountRole } from './AccountRole.ts';

/** What logging in (and turning two-factor authentication off) reads of a user. */
export interface LoginUserRow {
  id: UserId;
  role: AccountRole;
  auth_hash: Uint8Array;
  auth_hash_salt: Uint8Array;
  key_bundle: Uint8Array;
  signing_public_key: Uint8Array;
  box_public_key: Uint8Array;
  totp_enabled: boolean;
  totp_secret: string | null;
  totp_last_step: bigint | null;
}

/** What a session response carries of a user. */
export interface SessionUserRow {
  id: UserId;
  role: AccountRole;
  key_bundle: Uint8Array;
  signing_public_key: Uint8Array;
  box_public_key: Uint8Array;
}

/** A user as the account and member lists show them. */
export interface AccountRow {
  id: UserId;
  email: string;
  role: AccountRole;
  totp_enabled: boolean;
  created_at: Date;
}

/** A user's public identity keys. */
export interface PublicIdentityRow {
  id: UserId;
  email: string;
  signing_public_key: Uint8Array;
  box_public_key: Uint8Array;
}

/** A user to insert; binaries decoded, `authHash` already keyed. */
export interface NewUser {
  id: UserId;
  email: string;
  role: AccountRole;
  authSalt: Uint8Array;
  kdf: { opsLimit: number; memLimit: number };
  authHash: Uint8Array;
  authHashSalt: Uint8Array;
  keyBundle: Uint8Array;
  signingPublicKey: Uint8Array;
  boxPublicKey: Uint8Array;
}

/** Which users {@link UserRepository.publicIdentities} reads. */
export type UserFilter =
  | { userId: UserId }
  | { email: string }
  | { documentId: string }
  /** Everyone a grant of the document was ever given to or signed by (its grant log), past members included. */
  | { grantedIn: string };

const LOGIN_USER_COLUMNS = `id, role, auth_hash, auth_hash_salt, key_bundle, signing_public_key, box_public_key,
  totp_enabled, totp_secret, totp_last_step`;
const SESSION_USER_COLUMNS = 'id, role, key_bundle, signing_public_key, box_public_key';
const ACCOUNT_COLUMNS = 'id, email, role, totp_enabled, created_at';

/**
 * The `users` table without its two-factor columns (see
 * {@link SecondFactorRepository}): accounts, their login material and their
 * public identity keys. Emails are stored normalised (trimmed, lower case).
 */
export class UserRepository extends ScopedRepository {
  /** The KDF salt and parameters of the user with this email, if any. */
  async kdfParams(email: string): Promise<{ auth_salt: Uint8Array; kdf_ops: number; kdf_mem: number } | undefined> {
    const [row] = await this.sql.query<{ auth_salt: Uint8Array; kdf_ops: number; kdf_mem: number }>(
      'select auth_salt, kdf_ops, kdf_mem from users where tenant_id = $1 and email = $2',
      [this.tenant, email],
    );
    return row;
  }

  /** Whether the email is taken, and whether the tenant has any user yet (one statement). */
  async registrationState(email: string): Promise<{ taken: boolean; hasUsers: boolean }> {
    const [row] = await this.sql.query<{ taken: boolean; has_users: boolean }>(
      `select exists (select 1 from users where tenant_id = $1 and email = $2) as taken,
              exists (select 1 from users where tenant_id = $1) as has_users`,
      [this.tenant, email],
    );
    return { taken: row?.taken ?? false, hasUsers: row?.has_users ?? false };
  }

  async insert(user: NewUser): Promise<void> {
    await this.sql.query(
      `insert into users (tenant_id, id, email, role, auth_salt, kdf_ops, kdf_mem, auth_hash, auth_hash_salt,
                          key_bundle, signing_public_key, box_public_key)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        this.tenant,
        user.id,
        user.email,
        user.role,
        user.authSalt,
        user.kdf.opsLimit,
        user.kdf.memLimit,
        user.authHash,
        user.authHashSalt,
        user.keyBundle,
        user.signingPublicKey,
        user.boxPublicKey,
      ],
    );
  }

  /** The user's login material, locked until the transaction ends (`FOR UPDATE`). */
  async lockForLogin(by: { email: string } | { userId: UserId }): Promise<LoginUserRow | undefined> {
    const [condition, value] = 'email' in by ? ['email = $2', by.email] : ['id = $2', by.userId];
    const [row] = await this.sql.query<LoginUserRow>(
      `select ${LOGIN_USER_COLUMNS} from users where tenant_id = $1 and ${condition} for update`,
      [this.tenant, value],
    );
    return row;
  }

  async sessionUser(userId: UserId): Promise<SessionUserRow | undefined> {
    const [row] = await this.sql.query<SessionUserRow>(
      `select ${SESSION_USER_COLUMNS} from users where tenant_id = $1 and id = $2`,
      [this.tenant, userId],
    );
    return row;
  }

  async account(userId: UserId): Promise<AccountRow | undefined> {
    const [row] = await this.sql.query<AccountRow>(
      `select ${ACCOUNT_COLUMNS} from users where tenant_id = $1 and id = $2`,
      [this.tenant, userId],
    );
    return row;
  }

  /** Every user of the tenant, oldest first. */
  async list(): Promise<AccountRow[]> {
    return this.sql.query<AccountRow>(
      `select ${ACCOUNT_COLUMNS} from users where tenant_id = $1 order by created_at, id`,
      [this.tenant],
    );
  }

  async exists(userId: UserId): Promise<boolean> {
    const rows = await this.sql.query('select 1 from users where tenant_id = $1 and id = $2', [this.tenant, userId]);
    return rows.length > 0;
  }

  /** The user's identity signing key (grants and device certificates verify with it). */
  async signingKey(userId: UserId): Promise<Uint8Array | undefined> {
    const [row] = await this.sql.query<{ signing_public_key: Uint8Array }>(
      'select signing_public_key from users where tenant_id = $1 and id = $2',
      [this.tenant, userId],
    );
    return row?.signing_public_key;
  }

  /** Public identities of one user by id or email, of every member of a document, or of everyone in its grant log; oldest first. */
  async publicIdentities(filter: UserFilter): Promise<PublicIdentityRow[]> {
    const [condition, value] =
      'userId' in filter
        ? ['u.id = $2', filter.userId]
        : 'email' in filter
          ? ['u.email = $2', filter.email]
          : 'grantedIn' in filter
            ? [
                `u.id in (select g.recipient_user_id from grant_log g where g.tenant_id = $1 and g.document_id = $2
                          union select g.granter_user_id from grant_log g where g.tenant_id = $1 and g.document_id = $2)`,
                filter.grantedIn,
              ]
            : [
                'u.id in (select m.user_id from document_members m where m.tenant_id = $1 and m.document_id = $2)',
                filter.documentId,
              ];
    return this.sql.query<PublicIdentityRow>(
      `select u.id, u.email, u.signing_public_key, u.box_public_key from users u
       where u.tenant_id = $1 and ${condition} order by u.created_at, u.id`,
      [this.tenant, value],
    );
  }
}
