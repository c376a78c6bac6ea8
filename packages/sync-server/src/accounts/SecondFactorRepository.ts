import type { UserId } from '@coffre/protocol';
import { ScopedRepository } from '../storage/TenantScope.ts';

/** What starting or confirming two-factor setup reads of a user. */
export interface TotpSetupRow {
  email: string;
  totp_enabled: boolean;
  totp_pending_secret: string | null;
}

/**
 * Two-factor authentication: the TOTP columns of `users` (secret, pending
 * secret, whether it is on, the last accepted step) and `recovery_codes`
 * (keyed hashes only).
 */
export class SecondFactorRepository extends ScopedRepository {
  /** The user's two-factor state, locked (`FOR UPDATE`). */
  async lockSetup(userId: UserId): Promise<TotpSetupRow | undefined> {
    const [row] = await this.sql.query<TotpSetupRow>(
      'select email, totp_enabled, totp_pending_secret from users where tenant_id = $1 and id = $2 for update',
      [this.tenant, userId],
    );
    return row;
  }

  async setPendingSecret(userId: UserId, secret: string): Promise<void> {
    await this.sql.query('update users set totp_pending_secret = $3 where tenant_id = $1 and id = $2', [
      this.tenant,
      userId,
      secret,
    ]);
  }

  /**
   * Turns two-factor authentication on with the pending secret, `step` as
   * the last accepted one, and replaces the user's recovery codes.
   */
  async enable(userId: UserId, step: number, recoveryCodeHashes: readonly Uint8Array[]): Promise<void> {
    await this.sql.query(
      `update users set totp_secret = totp_pending_secret, totp_pending_secret = null, totp_enabled = true,
                        totp_last_step = $3
       where tenant_id = $1 and id = $2`,
      [this.tenant, userId, BigInt(step)],
    );
    await this.#deleteRecoveryCodes(userId);
    for (const codeHash of recoveryCodeHashes) {
      await this.sql.query('insert into recovery_codes (tenant_id, user_id, code_hash) values ($1, $2, $3)', [
        this.tenant,
        userId,
        codeHash,
      ]);
    }
  }

  /** Turns two-factor authentication off and deletes the user's recovery codes. */
  async disable(userId: UserId): Promise<void> {
    await this.sql.query(
      `update users set totp_enabled = false, totp_secret = null, totp_pending_secret = null, totp_last_step = null
       where tenant_id = $1 and id = $2`,
      [this.tenant, userId],
    );
    await this.#deleteRecoveryCodes(userId);
  }

  /** Records `step` as the last accepted TOTP step (a code is accepted once). */
  async useStep(userId: UserId, step: number): Promise<void> {
    await this.sql.query('update users set totp_last_step = $3 where tenant_id = $1 and id = $2', [
      this.tenant,
      userId,
      BigInt(step),
    ]);
  }

  /** Marks an unused recovery code used; resolves false when there is no unused one with this hash. */
  async useRecoveryCode(userId: UserId, codeHash: Uint8Array): Promise<boolean> {
    const rows = await this.sql.query(
      `update recovery_codes set used_at = now()
       where tenant_id = $1 and user_id = $2 and code_hash = $3 and used_at is null returning user_id`,
      [this.tenant, userId, codeHash],
    );
    return rows.length > 0;
  }

  async #deleteRecoveryCodes(userId: UserId): Promise<void> {
    await this.sql.query('delete from recovery_codes where tenant_id = $1 and user_id = $2', [this.tenant, userId]);
  }
}
