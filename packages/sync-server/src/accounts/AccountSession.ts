import type { DeviceId, ErrorCode, TenantId, UserId } from '@coffre/protocol';
import type { AccountRole } from './AccountRole.ts';

/** Sessions, devices or both that stopped being valid: their open connections must close. */
export interface Revocation {
  tenant: TenantId;
  sessions: string[];
  devices: string[];
  /** Why, as the close reason connections get. */
  reason: ErrorCode;
}

/** Who an access token speaks for, after `AccountService.authenticate`. */
export interface AccountSession {
  tenant: TenantId;
  userId: UserId;
  deviceId: DeviceId;
  /** The refresh-token family (the token's `sid`). */
  sessionId: string;
  /** The role as stored now (not as when the token was minted). */
  role: AccountRole;
}
