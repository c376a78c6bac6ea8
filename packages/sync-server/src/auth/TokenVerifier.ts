import { jwtVerify, errors, type CryptoKey } from 'jose';
import { type AccessClaims, CloseCode, ErrorCode, TOKEN_AUDIENCE, parseAccessClaims } from '@coffre/protocol';
import { RelayError } from '../RelayError.ts';
import { DEFAULT_ISSUER, TOKEN_ALGORITHM } from './TokenKeys.ts';

export interface TokenVerifierOptions {
  publicKey: CryptoKey;
  issuer?: string;
  /** Allowed clock skew in seconds. */
  clockTolerance?: number;
}

export interface VerifiedToken {
  claims: AccessClaims;
  /** When the token expires, in milliseconds since the epoch. */
  expiresAt: number;
}

/**
 * Verifies access tokens: EdDSA only (no `none`, no HMAC confusion),
 * `exp` required, audience and issuer checked, claims narrowed.
 */
export class TokenVerifier {
  readonly #options: TokenVerifierOptions;

  constructor(options: TokenVerifierOptions) {
    this.#options = options;
  }

  async verify(token: unknown): Promise<AccessClaims> {
    return (await this.verifyWithExpiry(token)).claims;
  }

  /** As {@link verify}, with the token's expiry (`exp`) in milliseconds since the epoch. */
  async verifyWithExpiry(token: unknown): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) {
      throw new RelayError(CloseCode.Unauthenticated, ErrorCode.Unauthenticated);
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.#options.publicKey, {
        algorithms: [TOKEN_ALGORITHM],
        audience: TOKEN_AUDIENCE,
        issuer: this.#options.issuer ?? DEFAULT_ISSUER,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: this.#options.clockTolerance ?? 5,
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new RelayError(CloseCode.Unauthenticated, ErrorCode.TokenExpired);
      throw new RelayError(CloseCode.Unauthenticated, ErrorCode.Unauthenticated);
    }
    const claims = parseAccessClaims(payload);
    if (!claims || typeof payload.exp !== 'number') {
      throw new RelayError(CloseCode.Unauthenticated, ErrorCode.Unauthenticated);
    }
    return { claims, expiresAt: payload.exp * 1000 };
  }
}
