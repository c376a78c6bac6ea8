/**
 * The records of the fake relay (tests/account/FakeRelay.ts), apart from it
 * so that FakeSharing, which FakeRelay builds, can name them without
 * importing FakeRelay back (a type-only import cycle).
 */
export interface FakeUser {
  id: string;
  tenant: string;
  email: string;
  role: 'tenant-admin' | 'member';
  salt: string;
  kdf: { opsLimit: number; memLimit: number };
  authKey: string;
  keyBundle: string;
  signingPublicKey: string;
  boxPublicKey: string;
  totpOn: boolean;
}

export interface FakeDevice {
  id: string;
  userId: string;
  name: string;
  signingPublicKey: string;
  boxPublicKey: string;
  revoked: boolean;
  /** Set by POST /me/devices/{id}/certificate. */
  identitySignature?: string;
}

export interface Grant {
  userId: string;
  deviceId: string;
  family: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string's parameters. */
  query: URLSearchParams;
  body: unknown;
  authorization: string | null;
}

/** What FakeSharing reads from the fake relay's accounts. */
export interface FakeAccounts {
  readonly devices: ReadonlyMap<string, FakeDevice>;
  userByEmail(tenant: string, email: string): FakeUser | undefined;
  userById(userId: string): FakeUser | undefined;
}
