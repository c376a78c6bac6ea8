import { hash, randomBytes, toBase64Url } from '@coffre/crypto';
import type { TenantId } from '@coffre/protocol';

const encoder = new TextEncoder();

/** `<tenant>.<256 random bits>`: opaque to the client, stored only as a hash. */
export function newRefreshToken(tenant: TenantId): string {
  return `${tenant}.${toBase64Url(randomBytes(32))}`;
}

/** What is stored of a refresh token: its BLAKE2b-256 hash. */
export function hashRefreshToken(token: string): Uint8Array {
  return hash(encoder.encode(token), 32);
}
