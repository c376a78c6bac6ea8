export {
  AccountService,
  type AccountServiceOptions,
  type AccountSession,
  type Revocation,
  type KdfResponse,
  type TotpSetupResponse,
  type Member,
  type TotpDisableRequest,
} from './AccountService.ts';
export { SessionGuard } from './SessionGuard.ts';
export type { AccountRole } from './AccountRole.ts';
export { TwoFactor, type TwoFactorOptions } from './TwoFactor.ts';
export { type AccountRepositories, accountRepositories } from './accountRepositories.ts';
export {
  UserRepository,
  type AccountRow,
  type LoginUserRow,
  type NewUser,
  type PublicIdentityRow,
  type SessionUserRow,
  type UserFilter,
} from './UserRepository.ts';
export {
  DeviceRepository,
  type CertifiableDeviceRow,
  type CertifiedDeviceRow,
  type DeviceRow,
  type NewDevice,
} from './DeviceRepository.ts';
export { SessionRepository, type RefreshTokenRow, type SessionStatusRow } from './SessionRepository.ts';
export { SecondFactorRepository, type TotpSetupRow } from './SecondFactorRepository.ts';
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
