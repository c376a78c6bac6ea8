import type { Argon2idParameters } from '@coffre/crypto';

/** What the page sends the Argon2id worker: one derivation. */
export interface Argon2Request {
  password: string;
  salt: Uint8Array;
  parameters: Argon2idParameters;
}

/** What the worker answers: the 32-byte Argon2id master key, or why it could not derive it. */
export type Argon2Reply = { ok: true; masterKey: Uint8Array } | { ok: false; name: string; message: string };
