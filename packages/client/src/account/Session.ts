import { z } from 'zod';
import { fromBase64Url, toBase64Url } from '@coffre/crypto';
import {
  type DeviceId,
  type TenantId,
  type UserId,
  DeviceIdSchema,
  EmailSchema,
  Key32Schema,
  TenantIdSchema,
  UserIdSchema,
} from '@coffre/protocol';
import { AccountError } from './AccountError.ts';
import type { DeviceKeys } from './createDeviceKeys.ts';
import type { UserIdentity } from './createIdentity.ts';

export const SESSION_FORMAT = 'coffre-session/1';

const KeyPairsSchema = z.object({
  signingPublicKey: Key32Schema,
  signingSecretKey: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
  boxPublicKey: Key32Schema,
  boxSecretKey: Key32Schema,
});

const SerializedSessionSchema = z.object({
  format: z.literal(SESSION_FORMAT),
  tenant: TenantIdSchema,
  email: EmailSchema,
  userId: UserIdSchema,
  deviceId: DeviceIdSchema,
  role: z.enum(['tenant-admin', 'member']),
  accessToken: z.string().min(1),
  /** Milliseconds since the epoch. */
  accessTokenExpiresAt: z.number().int(),
  refreshToken: z.string().min(1),
  identity: KeyPairsSchema,
  device: KeyPairsSchema,
});

/** A session as JSON: what the CLI writes to its state file. Holds private keys and the refresh token. */
export type SerializedSession = z.infer<typeof SerializedSessionSchema>;

export type AccountRole = SerializedSession['role'];

export interface SessionInit {
  tenant: TenantId;
  email: string;
  userId: UserId;
  deviceId: DeviceId;
  role: AccountRole;
  accessToken: string;
  accessTokenExpiresAt: number;
  refreshToken: string;
  identity: UserIdentity;
  device: DeviceKeys;
}

interface KeyPairs {
  signing: { publicKey: Uint8Array; secretKey: Uint8Array };
  box: { publicKey: Uint8Array; secretKey: Uint8Array };
}

function encodeKeys(keys: KeyPairs): SerializedSession['identity'] {
  return {
    signingPublicKey: toBase64Url(keys.signing.publicKey),
    signingSecretKey: toBase64Url(keys.signing.secretKey),
    boxPublicKey: toBase64Url(keys.box.publicKey),
    boxSecretKey: toBase64Url(keys.box.secretKey),
  };
}

function decodeKeys(keys: SerializedSession['identity']): KeyPairs {
  return {
    signing: { publicKey: fromBase64Url(keys.signingPublicKey), secretKey: fromBase64Url(keys.signingSecretKey) },
    box: { publicKey: fromBase64Url(keys.boxPublicKey), secretKey: fromBase64Url(keys.boxSecretKey) },
  };
}

/**
 * A signed-in device: who it is, its tokens, the user's opened identity
 * and the device's own keys, all in memory.
 *
 * {@link Session.toJSON} includes the private keys and the refresh token.
 * Whoever stores it must protect it like a password: the `coffre` CLI writes
 * it to a file only its user can read (mode 0600); the desktop app will keep
 * it in the operating system's keychain (Keychain, Credential Manager,
 * Secret Service) and the web app in memory plus a non-extractable
 * IndexedDB key. A session holds no password and no wrapping key.
 */
export class Session {
  readonly tenant: TenantId;
  readonly email: string;
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly role: AccountRole;
  readonly accessToken: string;
  /** When the access token expires, in milliseconds since the epoch. */
  readonly accessTokenExpiresAt: number;
  readonly refreshToken: string;
  readonly identity: UserIdentity;
  readonly device: DeviceKeys;

  constructor(init: SessionInit) {
    this.tenant = init.tenant;
    this.email = init.email;
    this.userId = init.userId;
    this.deviceId = init.deviceId;
    this.role = init.role;
    this.accessToken = init.accessToken;
    this.accessTokenExpiresAt = init.accessTokenExpiresAt;
    this.refreshToken = init.refreshToken;
    this.identity = init.identity;
    this.device = init.device;
  }

  /** The same session with the tokens of a refresh. */
  withTokens(tokens: Pick<SessionInit, 'accessToken' | 'accessTokenExpiresAt' | 'refreshToken' | 'role'>): Session {
    return new Session({ ...this.#init(), ...tokens });
  }

  toJSON(): SerializedSession {
    return {
      format: SESSION_FORMAT,
      tenant: this.tenant,
      email: this.email,
      userId: this.userId,
      deviceId: this.deviceId,
      role: this.role,
      accessToken: this.accessToken,
      accessTokenExpiresAt: this.accessTokenExpiresAt,
      refreshToken: this.refreshToken,
      identity: encodeKeys(this.identity),
      device: encodeKeys(this.device),
    };
  }

  /** Reads what {@link Session.toJSON} wrote; throws {@link AccountError} `UNAUTHENTICATED` on anything else. */
  static fromJSON(value: unknown): Session {
    const parsed = SerializedSessionSchema.safeParse(value);
    if (!parsed.success) {
      throw new AccountError('UNAUTHENTICATED', {
        detail: `the saved session is not readable: ${parsed.error.message}`,
      });
    }
    const data = parsed.data;
    return new Session({
      tenant: data.tenant,
      email: data.email,
      userId: data.userId,
      deviceId: data.deviceId,
      role: data.role,
      accessToken: data.accessToken,
      accessTokenExpiresAt: data.accessTokenExpiresAt,
      refreshToken: data.refreshToken,
      identity: decodeKeys(data.identity),
      device: decodeKeys(data.device),
    });
  }

  #init(): SessionInit {
    return {
      tenant: this.tenant,
      email: this.email,
      userId: this.userId,
      deviceId: this.deviceId,
      role: this.role,
      accessToken: this.accessToken,
      accessTokenExpiresAt: this.accessTokenExpiresAt,
      refreshToken: this.refreshToken,
      identity: this.identity,
      device: this.device,
    };
  }
}
