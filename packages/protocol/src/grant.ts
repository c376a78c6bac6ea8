import { ByteWriter } from './bytes.ts';
import type { DocumentId, TenantId, UserId } from './ids.ts';

/**
 * A key grant: a document key of one epoch, sealed to a recipient's X25519
 * identity key and signed by the granting member's Ed25519 identity key, so
 * a relay that stores grants can neither read nor forge one. The signature
 * covers this statement, under the "coffre/grant" domain.
 */
export const GRANT_SIGNATURE_DOMAIN = 'coffre/grant';
export const GRANT_FORMAT_VERSION = 1;

export interface GrantStatement {
  tenantId: TenantId;
  documentId: DocumentId;
  keyEpoch: number;
  granter: UserId;
  recipient: UserId;
  /** The role the granter gives ('owner' | 'editor' | 'viewer'); the relay enforces it, the signature records it. */
  role: string;
  /** sealToPublicKey(recipient box key, document key). */
  sealedKey: Uint8Array;
}

/** The exact bytes a grant's signature covers. */
export function encodeGrantStatement(grant: GrantStatement): Uint8Array {
  return new ByteWriter()
    .u8(GRANT_FORMAT_VERSION)
    .shortString(grant.tenantId)
    .shortString(grant.documentId)
    .u32(grant.keyEpoch)
    .shortString(grant.granter)
    .shortString(grant.recipient)
    .shortString(grant.role)
    .u16(grant.sealedKey.length)
    .bytes(grant.sealedKey)
    .finish();
}
