import type { z } from 'zod';
import { CoffreError, ErrorCode, type TotpDisableRequestSchema, type TotpSetupResponseSchema } from '@coffre/protocol';
import type { TenantScope } from '../storage/TenantScope.ts';
import type { AccountSession } from './AccountSession.ts';
import type { AccountRepositories } from './accountRepositories.ts';
import { generateRecoveryCode, hashRecoveryCode, RECOVERY_CODE_COUNT } from './recoveryCodes.ts';
import type { SecondFactorRepository } from './SecondFactorRepository.ts';
import type { ServerKeys } from './serverKeys.ts';
import { matchTotpStep, newTotpSecret, totpUri } from './totp.ts';
import type { LoginUserRow } from './UserRepository.ts';

export interface TwoFactorOptions {
  repositories: TenantScope<AccountRepositories>;
  keys: () => Promise<ServerKeys>;
  /** Shown by authenticator apps. */
  issuer: string;
  /** The clock TOTP codes are checked against (ms since the epoch). */
  now: () => number;
}

/**
 * Two-factor authentication's rules: setting up a TOTP secret, confirming
 * it (which hands out recovery codes), turning it off, and accepting a
 * second factor at login (a TOTP step once, a recovery code once).
 * {@link AccountService} exposes these as its `totp*` methods.
 */
export class TwoFactor {
  readonly #repositories: TenantScope<AccountRepositories>;
  readonly #keys: () => Promise<ServerKeys>;
  readonly #issuer: string;
  readonly #now: () => number;

  constructor(options: TwoFactorOptions) {
    this.#repositories = options.repositories;
    this.#keys = options.keys;
    this.#issuer = options.issuer;
    this.#now = options.now;
  }

  /**
   * Starts two-factor setup: stores a new pending secret (replacing an
   * unconfirmed one) and returns it for an authenticator app.
   */
  async setup(session: AccountSession): Promise<z.infer<typeof TotpSetupResponseSchema>> {
    const secret = newTotpSecret();
    const email = await this.#repositories.run(session.tenant, async ({ secondFactors }) => {
      const row = await secondFactors.lockSetup(session.userId);
      if (!row) throw new CoffreError(ErrorCode.Unauthenticated);
      if (row.totp_enabled) throw new CoffreError(ErrorCode.TwoFactorAlreadyEnabled);
      await secondFactors.setPendingSecret(session.userId, secret);
      return row.email;
    });
    return { secret, uri: totpUri(secret, `${this.#issuer} (${session.tenant})`, email) };
  }

  /**
   * Turns two-factor authentication on when `code` (six digits) is valid for
   * the pending secret, and returns {@link RECOVERY_CODE_COUNT} recovery
   * codes (stored only as keyed hashes; shown this once).
   */
  async confirm(session: AccountSession, code: string): Promise<{ recoveryCodes: string[] }> {
    const keys = await this.#keys();
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    await this.#repositories.run(session.tenant, async ({ secondFactors }) => {
      const row = await secondFactors.lockSetup(session.userId);
      if (!row) throw new CoffreError(ErrorCode.Unauthenticated);
      if (row.totp_enabled) throw new CoffreError(ErrorCode.TwoFactorAlreadyEnabled);
      if (row.totp_pending_secret === null) throw new CoffreError(ErrorCode.NotFound, 'Start two-factor setup first.');
      const step = matchTotpStep(row.totp_pending_secret, code, this.#now());
      if (step === null) throw new CoffreError(ErrorCode.InvalidSecondFactor);
      await secondFactors.enable(
        session.userId,
        step,
        recoveryCodes.map((recoveryCode) => hashRecoveryCode(keys.recoveryKey, session.userId, recoveryCode)),
      );
    });
    return { recoveryCodes };
  }

  /** Turns two-factor authentication off; needs a current code or an unused recovery code. */
  async disable(session: AccountSession, request: z.output<typeof TotpDisableRequestSchema>): Promise<void> {
    await this.#keys();
    await this.#repositories.run(session.tenant, async ({ users, secondFactors }) => {
      const row = await users.lockForLogin({ userId: session.userId });
      if (!row) throw new CoffreError(ErrorCode.Unauthenticated);
      if (!row.totp_enabled) throw new CoffreError(ErrorCode.NotFound, 'Two-factor authentication is not on.');
      await this.use(secondFactors, row, request.code, request.recoveryCode);
      await secondFactors.disable(session.userId);
    });
  }

  /**
   * Accepts a valid TOTP code of a step after the last accepted one, or an
   * unused recovery code (marking it used), in the caller's transaction;
   * else rejects with `INVALID_SECOND_FACTOR`.
   */
  async use(
    secondFactors: SecondFactorRepository,
    user: LoginUserRow,
    totp: string | undefined,
    recoveryCode: string | undefined,
  ): Promise<void> {
    const keys = await this.#keys();
    if (totp !== undefined && user.totp_secret !== null) {
      const step = matchTotpStep(user.totp_secret, totp, this.#now());
      if (step !== null && (user.totp_last_step === null || BigInt(step) > user.totp_last_step)) {
        await secondFactors.useStep(user.id, step);
        return;
      }
    }
    if (recoveryCode !== undefined) {
      const codeHash = hashRecoveryCode(keys.recoveryKey, user.id, recoveryCode);
      if (await secondFactors.useRecoveryCode(user.id, codeHash)) return;
    }
    throw new CoffreError(ErrorCode.InvalidSecondFactor);
  }
}
