import { toBase64Url, verify } from '@coffre/crypto';
import {
  CoffreError,
  type DocumentId,
  ErrorCode,
  GRANT_SIGNATURE_DOMAIN,
  type GrantWire,
  type TenantId,
  encodeGrantStatement,
  userId as toUserId,
} from '@coffre/protocol';
import { decodeBytes } from '../accounts/decodeBytes.ts';
import type { GrantRow, NewGrant } from './GrantRepository.ts';

/** A grant of the wire with its binaries decoded and its ids branded. */
export function decodeGrant(wire: GrantWire): NewGrant {
  return {
    keyEpoch: wire.keyEpoch,
    granterUserId: toUserId(wire.granterUserId),
    recipientUserId: toUserId(wire.recipientUserId),
    role: wire.role,
    sealedKey: decodeBytes(wire.sealedKey, 80, 80),
    signature: decodeBytes(wire.signature, 64, 64),
  };
}

/** A stored grant as the wire carries it. */
export function grantToWire(row: GrantRow): GrantWire {
  return {
    keyEpoch: row.key_epoch,
    granterUserId: row.granter_user_id,
    recipientUserId: row.recipient_user_id,
    role: row.role,
    sealedKey: toBase64Url(row.sealed_key),
    signature: toBase64Url(row.signature),
  };
}

/**
 * Every grant's signature must verify with the granter's identity key over
 * its statement (encodeGrantStatement); else `VALIDATION_FAILED`.
 */
export function checkGrantSignatures(
  tenant: TenantId,
  documentId: DocumentId,
  grants: readonly NewGrant[],
  granterSigningKey: Uint8Array,
): void {
  for (const grant of grants) {
    const statement = encodeGrantStatement({
      tenantId: tenant,
      documentId,
      keyEpoch: grant.keyEpoch,
      granter: grant.granterUserId,
      recipient: grant.recipientUserId,
      role: grant.role,
      sealedKey: grant.sealedKey,
    });
    if (!verify(granterSigningKey, GRANT_SIGNATURE_DOMAIN, statement, grant.signature)) {
      throw new CoffreError(
        ErrorCode.ValidationFailed,
        `The grant of key epoch ${grant.keyEpoch} for ${grant.recipientUserId} is not signed by its granter.`,
      );
    }
  }
}
