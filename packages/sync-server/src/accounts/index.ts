export {
  AccountService,
  type AccountServiceOptions,
  type AccountSession,
  type Revocation,
  type KdfResponse,
  type TotpSetupResponse,
  type Member,
} from './AccountService.ts';
export { SessionGuard, type AccountRole } from './SessionGuard.ts';
export { ConnectionRegistry, type TrackedConnection } from './ConnectionRegistry.ts';
export {
  RateLimits,
  RateLimitedError,
  DEFAULT_RATE_LIMITS,
  type RateLimitOptions,
  type RateLimitRule,
  type RateLimitName,
} from './RateLimits.ts';
export { createTenant, ensureTenant, TenantExistsError, InvalidTenantNameError } from './createTenant.ts';
export {
  SERVER_SECRET_BYTES,
  InvalidServerSecretError,
  loadOrCreateServerSecret,
  parseServerSecret,
} from './serverSecret.ts';
export { RECOVERY_CODE_COUNT, generateRecoveryCode, hashRecoveryCode } from './recoveryCodes.ts';
export { currentTotpCode, matchTotpStep, newTotpSecret, totpUri } from './totp.ts';
