/** Branded identifiers: a document id is never accepted where a tenant id belongs. */
export type TenantId = string & { readonly __brand: 'TenantId' };
export type DocumentId = string & { readonly __brand: 'DocumentId' };
export type UserId = string & { readonly __brand: 'UserId' };
export type DeviceId = string & { readonly __brand: 'DeviceId' };
/** A share link's id: derived from the link's secret, so not one of the ids above (see {@link linkId}). */
export type LinkId = string & { readonly __brand: 'LinkId' };

export const MAX_ID_LENGTH = 64;

/**
 * Ids are 1..64 characters of [A-Za-z0-9_-] starting with a letter or digit:
 * no separators, no dots (so no `..`), no NUL or control characters, no
 * Unicode look-alikes. They appear in URLs, SQL and log lines unescaped.
 */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Link ids are 32 lowercase hexadecimal characters: 16 bytes derived from the link's secret. */
export const LINK_ID_PATTERN = /^[0-9a-f]{32}$/;

const ID_RULE = `use 1 to ${MAX_ID_LENGTH} letters, digits, '-' or '_'`;

export class InvalidIdError extends Error {
  readonly code = 'INVALID_ID';
  constructor(kind: string, value: unknown, rule = ID_RULE) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    super(`invalid ${kind} id ${shown}: ${rule}`);
    this.name = 'InvalidIdError';
  }
}

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

export function isValidLinkId(value: unknown): value is string {
  return typeof value === 'string' && LINK_ID_PATTERN.test(value);
}

function make<T extends string>(kind: string) {
  return (value: unknown): T => {
    if (!isValidId(value)) throw new InvalidIdError(kind, value);
    return value as T;
  };
}

export const tenantId = make<TenantId>('tenant');
export const documentId = make<DocumentId>('document');
export const userId = make<UserId>('user');
export const deviceId = make<DeviceId>('device');

export function linkId(value: unknown): LinkId {
  if (!isValidLinkId(value)) throw new InvalidIdError('link', value, 'use 32 lowercase hexadecimal characters');
  return value as LinkId;
}
