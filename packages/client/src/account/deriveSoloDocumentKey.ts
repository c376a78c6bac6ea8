import { deriveSubkey, hash } from '@coffre/crypto';
import { ByteWriter, type DocumentAddress } from '@coffre/protocol';
import type { UserIdentity } from './createIdentity.ts';

const SOLO_DOCUMENT_CONTEXT = 'cofsolo1';
const SOLO_DOCUMENT_DOMAIN = 'coffre/solo-document-key';

/**
 * The key (epoch 0) of a document only its owner opens, derived from the
 * user's identity so every device of the user finds the same key without
 * storing anything: keyed BLAKE2b of the tenant and document id under a
 * sub-key of the identity's X25519 secret key. The relay never sees it.
 *
 * A stop-gap until documents get random per-epoch keys and grants
 * (DESIGN.md section 4): such a key cannot be shared or rotated without
 * changing the identity.
 */
export function deriveSoloDocumentKey(identity: UserIdentity, address: DocumentAddress): Uint8Array {
  const root = deriveSubkey(identity.box.secretKey, 1, SOLO_DOCUMENT_CONTEXT);
  try {
    const label = new ByteWriter()
      .shortString(SOLO_DOCUMENT_DOMAIN)
      .shortString(address.tenantId)
      .shortString(address.documentId)
      .finish();
    return hash(label, 32, root);
  } finally {
    root.fill(0);
  }
}
