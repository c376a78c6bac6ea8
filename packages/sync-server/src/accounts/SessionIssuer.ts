import { toBase64Url } from '@coffre/crypto';
import type { DeviceId, SessionResponse, TenantId, UserId } from '@coffre/protocol';
import { mintAccessToken, type TokenKeys } from '../auth/TokenKeys.ts';
import { hashRefreshToken } from './refreshTokens.ts';
import type { SessionUserRow } from './UserRepository.ts';

export interface SessionIssuerOptions {
  tokenKeys: TokenKeys;
  issuer: string;
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
}

/**
 * Issues what a signed-in device holds: a short-lived access token (signed
 * with the relay's token keys) and the row that stores its refresh token's
 * hash, with the lifetimes the relay was configured with.
 */
export class SessionIssuer {
  readonly #tokenKeys: TokenKeys;
  readonly #issuer: string;
  readonly accessTokenSeconds: number;
  readonly #refreshTokenSeconds: number;

  constructor(options: SessionIssuerOptions) {
    this.#tokenKeys = options.tokenKeys;
    this.#issuer = options.issuer;
    this.accessTokenSeconds = options.accessTokenSeconds;
    this.#refreshTokenSeconds = options.refreshTokenSeconds;
  }

  /** The refresh token's row for `SessionRepository.insert`: its hash, never the token. */
  refreshTokenRow(token: string, familyId: string, userId: UserId, deviceId: DeviceId) {
    return { hash: hashRefreshToken(token), familyId, userId, deviceId, lifetimeSeconds: this.#refreshTokenSeconds };
  }

  /** The session response: a new access token for the device's session, and the user's keys. */
  async response(
    tenant: TenantId,
    user: SessionUserRow,
    deviceId: DeviceId,
    familyId: string,
    refreshToken: string,
  ): Promise<SessionResponse> {
    const accessToken = await mintAccessToken(
      this.#tokenKeys,
      { sub: user.id, tenant, role: user.role, device: deviceId, sid: familyId },
      { issuer: this.#issuer, expiresIn: this.accessTokenSeconds },
    );
    return {
      userId: user.id,
      deviceId,
      role: user.role,
      accessToken,
      expiresIn: this.accessTokenSeconds,
      refreshToken,
      keyBundle: toBase64Url(user.key_bundle),
      signingPublicKey: toBase64Url(user.signing_public_key),
      boxPublicKey: toBase64Url(user.box_public_key),
    };
  }
}
